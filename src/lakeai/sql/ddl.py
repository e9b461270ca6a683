"""CREATE and DROP of catalogs, schemas and tables, mapped onto the catalog and table services."""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from lakeai.errors import (
    InvalidParameterValue,
    NotImplementedFeature,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
)
from lakeai.sql.context import EMPTY, Context, counts
from lakeai.sql.parse import CatalogDdl
from lakeai.tables.types import arrow_type


def catalog_ddl(ctx: Context, stmt: CatalogDdl) -> pa.Table:
    catalogs = ctx.services.catalogs
    try:
        if stmt.action == "CREATE":
            catalogs.create(ctx.principal, stmt.name, comment=stmt.comment)
        else:
            catalogs.delete(ctx.principal, stmt.name, force=stmt.cascade)
    except (ResourceAlreadyExists, ResourceDoesNotExist):
        if not stmt.if_clause:
            raise
    return EMPTY


def _properties(create: exp.Create) -> tuple[str | None, list[str] | None]:
    comment, partition_by = None, None
    props = create.args.get("properties")
    for prop in props.expressions if props else []:
        if isinstance(prop, exp.SchemaCommentProperty):
            comment = prop.this.name
        elif isinstance(prop, exp.PartitionedByProperty):
            partition_by = [e.name.lower() for e in prop.this.expressions]
    return comment, partition_by


def create(ctx: Context, create: exp.Create) -> pa.Table:
    kind = (create.args.get("kind") or "").upper()
    if kind == "FUNCTION":
        from lakeai.functions import sql_ddl

        return sql_ddl.create(ctx, create)
    if create.args.get("replace"):
        raise NotImplementedFeature("CREATE OR REPLACE is not supported; DROP, then CREATE.")
    try:
        if kind == "SCHEMA":
            return _create_schema(ctx, create)
        if kind == "TABLE":
            return _create_table(ctx, create)
    except ResourceAlreadyExists:
        if not create.args.get("exists"):
            raise
        return EMPTY
    raise NotImplementedFeature(f"CREATE {kind} is not supported; create tables and schemas.")


def _create_schema(ctx: Context, create: exp.Create) -> pa.Table:
    target = create.this
    catalog = target.catalog or ctx.defaults.catalog
    comment, _ = _properties(create)
    ctx.services.schemas.create(ctx.principal, catalog, target.db, comment=comment)
    return EMPTY


def _create_table(ctx: Context, create: exp.Create) -> pa.Table:
    comment, partition_by = _properties(create)
    target = create.this
    tables = ctx.services.tables
    if isinstance(target, exp.Schema):
        schema, pk = _columns(target)
        full = ctx.name(target.this)
        tables.create(
            ctx.principal,
            full,
            schema=schema,
            primary_key=pk or None,
            comment=comment,
            partition_by=partition_by,
        )
        return EMPTY
    query = create.expression
    if not isinstance(query, exp.Query):
        raise InvalidParameterValue("CREATE TABLE needs a column list or AS SELECT ...")
    full = ctx.name(target)
    if create.args.get("exists") and tables.exists(ctx.principal, full):
        return EMPTY
    data = ctx.query(query)
    tables.create(ctx.principal, full, data=data, comment=comment, partition_by=partition_by)
    return counts(num_affected_rows=data.num_rows, num_inserted_rows=data.num_rows)


def _columns(schema: exp.Schema) -> tuple[pa.Schema, list[str]]:
    fields: list[pa.Field] = []
    pk: list[str] = []
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            fields.append(_field(item, pk))
        elif item.find(exp.PrimaryKey) is not None:
            pk.extend(e.name.lower() for e in item.find(exp.PrimaryKey).expressions)
        else:
            raise NotImplementedFeature(
                f"Table constraint {item.sql('databricks')!r} is not supported."
            )
    return pa.schema(fields), pk


def _field(col: exp.ColumnDef, pk: list[str]) -> pa.Field:
    name = col.name.lower()
    kind = col.args.get("kind")
    if kind is None:
        raise InvalidParameterValue(f"Column {name} needs a type, e.g. {name} BIGINT.")
    nullable, metadata = True, {}
    for constraint in col.args.get("constraints") or []:
        inner = constraint.args.get("kind")
        if isinstance(inner, exp.NotNullColumnConstraint):
            nullable = bool(inner.args.get("allow_null"))
        elif isinstance(inner, exp.PrimaryKeyColumnConstraint):
            pk.append(name)
        elif isinstance(inner, exp.CommentColumnConstraint):
            metadata["comment"] = inner.this.name
    dtype = arrow_type(kind.sql(dialect="databricks"))
    return pa.field(name, dtype, nullable, metadata=metadata or None)


def drop(ctx: Context, drop: exp.Drop) -> pa.Table:
    kind = (drop.args.get("kind") or "").upper()
    if kind == "FUNCTION":
        from lakeai.functions import sql_ddl

        return sql_ddl.drop(ctx, drop)
    try:
        for target in drop.args.get("tables") or [drop.this]:
            _drop_one(ctx, kind, target, bool(drop.args.get("cascade")))
    except ResourceDoesNotExist:
        if not drop.args.get("exists"):
            raise
    return EMPTY


def _drop_one(ctx: Context, kind: str, target: exp.Table, cascade: bool) -> None:
    if kind == "TABLE":
        ctx.services.tables.delete(ctx.principal, ctx.name(target))
    elif kind in ("SCHEMA", "DATABASE"):
        parts = [p.name for p in target.parts]
        full = ".".join(parts if len(parts) == 2 else [ctx.defaults.catalog, *parts])
        ctx.services.schemas.delete(ctx.principal, full, force=cascade)
    else:
        raise NotImplementedFeature(f"DROP {kind} is not supported; drop tables and schemas.")
