"""SqlService: one Databricks SQL statement, governed, as an Arrow table.

Queries run in a sandboxed DuckDB over the Arrow datasets of the tables the caller may SELECT;
DDL and DML map onto the catalog and table services, so grants, audit and one-commit writes
are theirs, not re-implemented here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
from sqlglot import exp

from lakeai.catalog.names import validate_part
from lakeai.core.principals import Principal
from lakeai.errors import PermissionDenied
from lakeai.sql import ddl, dml, merge, metadata
from lakeai.sql.context import Context
from lakeai.sql.parse import CatalogDdl, Show, parse_statement
from lakeai.sql.resolve import DEFAULT_CATALOG, DEFAULT_SCHEMA, Defaults

Handler = Callable[[Context, Any], pa.Table]

HANDLERS: dict[type, Handler] = {
    Show: metadata.show,
    CatalogDdl: ddl.catalog_ddl,
    exp.Describe: metadata.describe,
    exp.Create: ddl.create,
    exp.Drop: ddl.drop,
    exp.Insert: dml.insert,
    exp.Update: dml.update,
    exp.Delete: dml.delete,
    exp.Merge: merge.merge,
    exp.TruncateTable: dml.truncate,
}


def _query(ctx: Context, tree: exp.Query) -> pa.Table:
    return ctx.query(tree)


class SqlService:
    def __init__(self, services: Any) -> None:
        self.services = services

    def execute(
        self,
        principal: Principal,
        statement: str,
        *,
        catalog: str | None = None,
        schema: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> pa.Table:
        """Run one statement as ``principal``; DML answers one row of counts, DDL no rows."""
        defaults = Defaults(
            validate_part(catalog or DEFAULT_CATALOG, "catalog"),
            validate_part(schema or DEFAULT_SCHEMA, "schema"),
        )
        parsed = parse_statement(statement, parameters)
        ctx = Context(self.services, principal, defaults)
        if isinstance(parsed, exp.Query):
            return _query(ctx, parsed)
        handler = HANDLERS.get(type(parsed))
        if handler is None:
            raise PermissionDenied(
                f"{parsed.key.upper()} statements are not allowed in LakeAI SQL; "
                "use SELECT, SHOW, DESCRIBE, CREATE, DROP, INSERT, UPDATE, DELETE or MERGE."
            )
        return handler(ctx, parsed)
