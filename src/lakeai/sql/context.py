"""What every statement handler needs: the services, the acting principal and name defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from lakeai.core.principals import Principal
from lakeai.sql import engine
from lakeai.sql.resolve import Defaults, Resolver, table_name
from lakeai.tables.data import normalize_types

ENGINE_DIALECT = "duckdb"
# sqlglot fills unix_timestamp(x)'s missing format with Spark's default and renders
# STRPTIME(x, fmt), which DuckDB refuses for a timestamp argument (unix_timestamp(now()), ...).
_DEFAULT_UNIX_FORMAT = sqlglot.parse_one("unix_timestamp(x)", read="databricks").args["format"]


def _portable(tree: exp.Expression) -> exp.Expression:
    """``unix_timestamp(x)`` without a format -> ``EPOCH(CAST(x AS TIMESTAMPTZ))``: the cast
    parses Spark's default format from a string and accepts dates and timestamps as they are."""
    for node in list(tree.find_all(exp.StrToUnix)):
        if node.args.get("format") == _DEFAULT_UNIX_FORMAT and node.this is not None:
            cast = exp.cast(node.this.copy(), exp.DataType.build("TIMESTAMPTZ"))
            node.replace(exp.TimeToUnix(this=cast))
    return tree


@dataclass(frozen=True)
class Context:
    services: Any
    principal: Principal
    defaults: Defaults

    def name(self, table: exp.Table) -> str:
        return table_name(table, self.defaults)

    def query(self, tree: exp.Expression) -> pa.Table:
        """Run a read-only query tree (copied, then rewritten) over governed datasets."""
        from lakeai.errors import LakeAIError
        from lakeai.functions.calls import expand

        tree = tree.copy()
        calls = expand(self.services.functions, self.principal, tree, self.defaults.catalog)
        resolver = Resolver(self.services.tables, self.principal, self.defaults)
        rewritten = _portable(resolver.rewrite(tree))
        sql = rewritten.sql(dialect=ENGINE_DIALECT)
        try:
            result = engine.run(sql, resolver.binding.relations, calls.udfs)
        except LakeAIError:
            calls.reraise()  # a Python function's own error (504, 400), not DuckDB's wrapper
            raise
        return normalize_types(result)


def counts(**values: int) -> pa.Table:
    """Databricks' one-row DML result (``num_affected_rows``, ``num_inserted_rows``, ...)."""
    return pa.table({k: pa.array([int(v)], pa.int64()) for k, v in values.items()})


EMPTY = pa.table({})
