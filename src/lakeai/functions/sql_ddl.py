"""SQL statements about catalog functions, in the Databricks syntax, mapped onto the service.

``CREATE [OR REPLACE] FUNCTION c.s.f(x INT) RETURNS INT [COMMENT '..'] RETURN expr``,
``... LANGUAGE PYTHON AS $$ body $$``, ``DROP FUNCTION [IF EXISTS]``, ``DESCRIBE FUNCTION``
and ``SHOW FUNCTIONS [IN c.s]``. The sql package dispatches here on the statement kind.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlglot import exp

from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist


def _full_name(ctx: Any, table: exp.Table) -> str:
    parts = [p.name for p in table.parts]
    if len(parts) == 1:
        parts = [ctx.defaults.catalog, ctx.defaults.schema, *parts]
    elif len(parts) == 2:
        parts = [ctx.defaults.catalog, *parts]
    return ".".join(parts).lower()


def create(ctx: Any, create: exp.Create) -> pa.Table:
    udf = create.this
    if not isinstance(udf, exp.UserDefinedFunction):
        raise InvalidParameterValue("CREATE FUNCTION needs a name and a parameter list: f(x INT).")
    params = [
        {"name": col.name, "type_text": col.args["kind"].sql(dialect="databricks")}
        for col in udf.expressions
        if isinstance(col, exp.ColumnDef) and col.args.get("kind") is not None
    ]
    if len(params) != len(udf.expressions):
        raise InvalidParameterValue("Each function parameter needs a type, e.g. x INT.")
    returns, language, comment = None, "SQL", None
    props = create.args.get("properties")
    for prop in props.expressions if props else []:
        if isinstance(prop, exp.ReturnsProperty):
            if prop.args.get("is_table"):
                raise InvalidParameterValue("Table functions (RETURNS TABLE) are not supported.")
            returns = prop.this.sql(dialect="databricks")
        elif isinstance(prop, exp.LanguageProperty):
            language = prop.name.upper()
        elif isinstance(prop, exp.SchemaCommentProperty):
            comment = prop.this.name
    if returns is None:
        raise InvalidParameterValue("CREATE FUNCTION needs RETURNS <type>.")
    body = create.expression
    if isinstance(body, exp.Return):
        text = body.this.sql(dialect="databricks")
    elif isinstance(body, (exp.Heredoc, exp.Literal)):
        text = body.name
    else:
        raise InvalidParameterValue(
            "CREATE FUNCTION needs RETURN <expression> or LANGUAGE PYTHON AS $$ <body> $$."
        )
    try:
        ctx.services.functions.create(
            ctx.principal,
            _full_name(ctx, udf.this),
            params=params,
            returns=returns,
            language=language,
            body=text,
            comment=comment,
            replace=bool(create.args.get("replace")),
        )
    except ResourceAlreadyExists:
        if not create.args.get("exists"):
            raise
    return pa.table({})


def drop(ctx: Any, drop: exp.Drop) -> pa.Table:
    for target in drop.args.get("tables") or [drop.this]:
        try:
            ctx.services.functions.delete(ctx.principal, _full_name(ctx, target))
        except ResourceDoesNotExist:
            if not drop.args.get("exists"):
                raise
    return pa.table({})


def describe(ctx: Any, stmt: exp.Describe) -> pa.Table:
    """Databricks answers one ``function_desc`` column of ``Key: value`` lines."""
    info = ctx.services.functions.get(ctx.principal, _full_name(ctx, stmt.this))
    params = info.input_params.get("parameters", [])
    lines = [
        f"Function:    {info.full_name}",
        f"Type:        {'SCALAR'}",
        "Input:       "
        + (", ".join(f"{p['name']} {p['type_text'].upper()}" for p in params) or "()"),
        f"Returns:     {info.full_data_type}",
        f"Language:    {info.external_language or 'SQL'}",
        f"Owner:       {info.owner}",
    ]
    if info.comment:
        lines.append(f"Comment:     {info.comment}")
    lines.append(f"Body:        {info.routine_definition}")
    return pa.table({"function_desc": pa.array(lines, pa.string())})


def show(ctx: Any, container: str | None, matches: Any) -> pa.Table:
    parts = container.lower().split(".") if container else []
    if len(parts) == 1:
        parts = [ctx.defaults.catalog, parts[0]]
    catalog, schema = parts or [ctx.defaults.catalog, ctx.defaults.schema]
    infos = ctx.services.functions.list(ctx.principal, catalog, schema)
    names = matches([i.full_name for i in infos])
    return pa.table({"function": pa.array(names, pa.string())})
