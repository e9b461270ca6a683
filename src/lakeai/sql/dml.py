"""INSERT, UPDATE and DELETE: each one governed Delta commit through ``TableService``.

Sources and subquery predicates run in DuckDB; simple UPDATE/DELETE predicates run inside
delta-rs, which rewrites only the files holding matching rows.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlglot import exp

from lakeai.errors import InvalidParameterValue, NotImplementedFeature
from lakeai.sql.context import EMPTY, Context, counts
from lakeai.sql.predicates import reads_other_tables, to_datafusion


def insert(ctx: Context, ins: exp.Insert) -> pa.Table:
    target = ins.this
    columns = None
    if isinstance(target, exp.Schema):
        columns = [c.name.lower() for c in target.expressions]
        target = target.this
    if not isinstance(target, exp.Table):
        raise NotImplementedFeature("INSERT supports INSERT INTO|OVERWRITE [TABLE] t ... only.")
    full = ctx.name(target)
    source = ins.expression
    if isinstance(source, exp.Values):
        source = exp.select("*").from_(source.copy())
    if not isinstance(source, exp.Query):
        raise InvalidParameterValue("INSERT takes VALUES (...) or a query.")
    info = ctx.services.tables.get(ctx.principal, full)
    names = columns or [c.name for c in info.columns]
    data = ctx.query(source)
    if data.num_columns != len(names):
        raise InvalidParameterValue(
            f"INSERT into {full} gives {data.num_columns} value(s) per row for "
            f"{len(names)} column(s) ({', '.join(names)})."
        )
    data = data.rename_columns(names)
    write = (
        ctx.services.tables.overwrite if ins.args.get("overwrite") else ctx.services.tables.append
    )
    write(ctx.principal, full, data)
    return counts(num_affected_rows=data.num_rows, num_inserted_rows=data.num_rows)


def _assignments(update: exp.Update) -> dict[str, exp.Expression]:
    out = {}
    for eq in update.expressions:
        if not isinstance(eq, exp.EQ) or not isinstance(eq.this, exp.Column):
            raise InvalidParameterValue("UPDATE ... SET takes column = expression pairs.")
        out[eq.this.name.lower()] = eq.expression
    return out


def _where(node: exp.Expression) -> exp.Expression | None:
    where = node.args.get("where")
    return where.this if where is not None else None


def update(ctx: Context, upd: exp.Update) -> pa.Table:
    if upd.args.get("from_") or upd.args.get("from"):
        raise NotImplementedFeature("UPDATE ... FROM is not supported; use MERGE INTO.")
    full = ctx.name(upd.this)
    sets = _assignments(upd)
    cond = _where(upd)
    if not any(reads_other_tables(e) for e in [cond, *sets.values()]):
        updates = {col: to_datafusion(e) for col, e in sets.items()}
        predicate = to_datafusion(cond) if cond is not None else None
        result = ctx.services.tables.update_rows(ctx.principal, full, updates, predicate)
        return counts(num_affected_rows=result["num_updated"])
    return _update_in_engine(ctx, upd.this, full, sets, cond)


def _update_in_engine(
    ctx: Context, table: exp.Table, full: str, sets: dict[str, exp.Expression], cond: Any
) -> pa.Table:
    """Subqueries: compute the new rows in DuckDB; merge them by key, or rewrite the table."""
    info = ctx.services.tables.get(ctx.principal, full)
    pk = info.primary_key
    matched = exp.func("coalesce", cond.copy(), exp.false()) if cond is not None else exp.true()
    if pk and not set(pk) & set(sets):
        projection = [
            exp.alias_(sets[c.name].copy(), c.name) if c.name in sets else exp.column(c.name)
            for c in info.columns
        ]
        rows = ctx.query(exp.select(*projection).from_(table.copy()).where(matched))
        ctx.services.tables.merge(ctx.principal, full, rows, keys=pk)
        return counts(num_affected_rows=rows.num_rows)
    projection = [
        exp.alias_(
            exp.If(this=matched.copy(), true=sets[c.name].copy(), false=exp.column(c.name)), c.name
        )
        if c.name in sets
        else exp.column(c.name)
        for c in info.columns
    ]
    rows = ctx.query(exp.select(*projection).from_(table.copy()))
    hits = ctx.query(exp.select(exp.func("count", exp.Star())).from_(table.copy()).where(matched))
    ctx.services.tables.overwrite(ctx.principal, full, rows)
    return counts(num_affected_rows=hits.column(0)[0].as_py())


def delete(ctx: Context, dele: exp.Delete) -> pa.Table:
    full = ctx.name(dele.this)
    cond = _where(dele)
    if not reads_other_tables(cond):
        predicate = to_datafusion(cond) if cond is not None else None
        result = ctx.services.tables.delete_rows(ctx.principal, full, predicate)
        return counts(num_affected_rows=result["num_deleted"])
    return _delete_in_engine(ctx, dele.this, full, cond)


def _delete_in_engine(ctx: Context, table: exp.Table, full: str, cond: exp.Expression) -> pa.Table:
    """Subqueries: find the matching keys in DuckDB and delete by key list (or rewrite)."""
    info = ctx.services.tables.get(ctx.principal, full)
    pk = info.primary_key
    matched = exp.func("coalesce", cond.copy(), exp.false())
    if pk:
        keys = ctx.query(exp.select(*pk).distinct().from_(table.copy()).where(matched))
        if not keys.num_rows:
            return counts(num_affected_rows=0)
        result = ctx.services.tables.delete_rows(ctx.principal, full, key_predicate(keys))
        return counts(num_affected_rows=result["num_deleted"])
    keep = ctx.query(exp.select("*").from_(table.copy()).where(exp.not_(matched)))
    before = ctx.services.tables.dataset(ctx.principal, full).count_rows()
    ctx.services.tables.overwrite(ctx.principal, full, keep)
    return counts(num_affected_rows=before - keep.num_rows)


def key_predicate(keys: pa.Table) -> str:
    """``"id" IN (1, 2)`` or ``("a" = 1 AND "b" = 'x') OR ...`` for the rows of ``keys``."""
    if keys.num_columns == 1:
        column = exp.column(keys.column_names[0])
        values = [exp.convert(v) for v in keys.column(0).to_pylist()]
        return to_datafusion(exp.In(this=column, expressions=values))
    terms = [
        exp.and_(*[exp.column(k).eq(exp.convert(v)) for k, v in row.items()])
        for row in keys.to_pylist()
    ]
    return to_datafusion(exp.or_(*terms))


def truncate(ctx: Context, stmt: exp.TruncateTable) -> pa.Table:
    """TRUNCATE TABLE t: delete every row, one commit per table (history is kept)."""
    for table in stmt.expressions:
        ctx.services.tables.delete_rows(ctx.principal, ctx.name(table), None)
    return EMPTY
