"""SHOW and DESCRIBE, answered from the catalog services so that grants filter what is seen."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pyarrow as pa
from sqlglot import exp

from lakeai.errors import NotImplementedFeature
from lakeai.sql.context import Context
from lakeai.sql.parse import Show


def _like(names: list[str], pattern: str | None) -> list[str]:
    """Databricks LIKE patterns here: ``*`` any characters, ``|`` alternatives."""
    if not pattern:
        return names
    options = [p.strip().lower() for p in pattern.split("|")]
    return [n for n in names if any(fnmatch.fnmatchcase(n, o) for o in options)]


def show(ctx: Context, stmt: Show) -> pa.Table:
    if stmt.what == "CATALOGS":
        names = [c.name for c in ctx.services.catalogs.list(ctx.principal)]
        return pa.table({"catalog": pa.array(_like(names, stmt.pattern), pa.string())})
    if stmt.what == "FUNCTIONS":
        from lakeai.functions import sql_ddl

        return sql_ddl.show(ctx, stmt.container, lambda names: _like(names, stmt.pattern))
    parts = stmt.container.lower().split(".") if stmt.container else []
    if stmt.what == "SCHEMAS":
        catalog = parts[0] if parts else ctx.defaults.catalog
        names = [s.name for s in ctx.services.schemas.list(ctx.principal, catalog)]
        return pa.table({"databaseName": pa.array(_like(names, stmt.pattern), pa.string())})
    if len(parts) == 1:
        parts = [ctx.defaults.catalog, parts[0]]
    catalog, schema = parts or [ctx.defaults.catalog, ctx.defaults.schema]
    names = [t.name for t in ctx.services.tables.list(ctx.principal, catalog, schema)]
    names = _like(names, stmt.pattern)
    return pa.table(
        {
            "database": pa.array([schema] * len(names), pa.string()),
            "tableName": pa.array(names, pa.string()),
            "isTemporary": pa.array([False] * len(names), pa.bool_()),
        }
    )


def describe(ctx: Context, stmt: exp.Describe) -> pa.Table:
    table = stmt.this
    if (stmt.args.get("kind") or "").upper() == "FUNCTION":
        from lakeai.functions import sql_ddl

        return sql_ddl.describe(ctx, stmt)
    if not isinstance(table, exp.Table):
        raise NotImplementedFeature("DESCRIBE takes a table: DESCRIBE [TABLE|HISTORY] name.")
    full = ctx.name(table)
    style = (stmt.args.get("style") or "").upper()
    if style == "HISTORY":
        return _history(ctx.services.tables.history(ctx.principal, full))
    if style:
        raise NotImplementedFeature(f"DESCRIBE {style} is not supported; use TABLE or HISTORY.")
    info = ctx.services.tables.get(ctx.principal, full)
    return pa.table(
        {
            "col_name": pa.array([c.name for c in info.columns], pa.string()),
            "data_type": pa.array([c.type_text for c in info.columns], pa.string()),
            "comment": pa.array([c.comment for c in info.columns], pa.string()),
        }
    )


def _history(entries: list[dict[str, Any]]) -> pa.Table:
    def text(value: Any) -> str | None:
        return None if value is None else json.dumps(value, default=str, sort_keys=True)

    return pa.table(
        {
            "version": pa.array([e.get("version") for e in entries], pa.int64()),
            "timestamp": pa.array(
                [e.get("timestamp") for e in entries], pa.timestamp("ms", tz="UTC")
            ),
            "operation": pa.array([e.get("operation") for e in entries], pa.string()),
            "operationParameters": pa.array(
                [text(e.get("operationParameters")) for e in entries], pa.string()
            ),
            "operationMetrics": pa.array(
                [text(e.get("operationMetrics")) for e in entries], pa.string()
            ),
        }
    )
