"""What every statement handler needs: the services, the acting principal and name defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlglot import exp

from lakeai.core.principals import Principal
from lakeai.sql import engine
from lakeai.sql.resolve import Defaults, Resolver, table_name
from lakeai.tables.data import normalize_types

ENGINE_DIALECT = "duckdb"


@dataclass(frozen=True)
class Context:
    services: Any
    principal: Principal
    defaults: Defaults

    def name(self, table: exp.Table) -> str:
        return table_name(table, self.defaults)

    def query(self, tree: exp.Expression) -> pa.Table:
        """Run a read-only query tree (copied, then rewritten) over governed datasets."""
        resolver = Resolver(self.services.tables, self.principal, self.defaults)
        rewritten = resolver.rewrite(tree.copy())
        result = engine.run(rewritten.sql(dialect=ENGINE_DIALECT), resolver.binding.relations)
        return normalize_types(result)


def counts(**values: int) -> pa.Table:
    """Databricks' one-row DML result (``num_affected_rows``, ``num_inserted_rows``, ...)."""
    return pa.table({k: pa.array([int(v)], pa.int64()) for k, v in values.items()})


EMPTY = pa.table({})
