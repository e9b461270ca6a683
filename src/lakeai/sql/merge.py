"""MERGE INTO: the USING source evaluated in DuckDB, the WHEN clauses applied by delta-rs.

The whole MERGE is one Delta commit (``TableService.merge_clauses``); the target is never
read into the engine, so only the files holding matched rows are rewritten.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from lakeai.errors import InvalidParameterValue, NotImplementedFeature
from lakeai.sql.context import Context, counts
from lakeai.sql.predicates import SOURCE, TARGET, reads_other_tables, to_datafusion
from lakeai.tables.delta import MergeClause


def _source(ctx: Context, using: exp.Expression) -> tuple[pa.Table, set[str]]:
    """The source rows, and the names its columns may be qualified with."""
    if isinstance(using, exp.Table):
        names = {using.name.lower(), using.alias_or_name.lower()}
        table = using.copy()
        table.set("alias", None)
        return ctx.query(exp.select("*").from_(table)), names
    if isinstance(using, exp.Subquery):
        return ctx.query(using.this), {using.alias.lower()} if using.alias else set()
    raise InvalidParameterValue("MERGE ... USING takes a table or a (subquery) AS alias.")


def merge(ctx: Context, stmt: exp.Merge) -> pa.Table:
    target = stmt.this
    if not isinstance(target, exp.Table):
        raise InvalidParameterValue("MERGE INTO takes a catalog table.")
    full = ctx.name(target)
    data, source_names = _source(ctx, stmt.args["using"])
    target_names = {target.name.lower(), target.alias_or_name.lower()}
    qualifiers = {**{n: SOURCE for n in source_names}, **{n: TARGET for n in target_names}}
    on = stmt.args.get("on")
    if on is None:
        raise InvalidParameterValue("MERGE needs an ON condition.")
    whens = stmt.args.get("whens")
    clauses = [_clause(w, qualifiers) for w in (whens.expressions if whens else [])]
    for node in [on, *[w.args.get("condition") for w in whens.expressions]] if whens else [on]:
        if reads_other_tables(node):
            raise NotImplementedFeature("MERGE conditions cannot hold subqueries; join in USING.")
    result = ctx.services.tables.merge_clauses(
        ctx.principal,
        full,
        data,
        predicate=to_datafusion(on, qualifiers),
        clauses=clauses,
        source_alias=SOURCE,
        target_alias=TARGET,
    )
    ins, upd, dele = result["num_inserted"], result["num_updated"], result["num_deleted"]
    return counts(
        num_affected_rows=ins + upd + dele,
        num_updated_rows=upd,
        num_deleted_rows=dele,
        num_inserted_rows=ins,
    )


def _clause(when: exp.When, qualifiers: dict[str, str]) -> MergeClause:
    kind = "matched" if when.args.get("matched") else "not_matched"
    if when.args.get("source"):
        kind = "not_matched_by_source"
    cond = when.args.get("condition")
    predicate = to_datafusion(cond, qualifiers) if cond is not None else None
    then = when.args.get("then")
    if isinstance(then, exp.Var) and then.name.upper() == "DELETE":
        return MergeClause(kind, "delete", predicate)
    if isinstance(then, exp.Update):
        if any(isinstance(e, exp.Star) for e in then.expressions):
            return MergeClause(kind, "update_all", predicate)
        updates = {
            eq.this.name.lower(): to_datafusion(eq.expression, qualifiers)
            for eq in then.expressions
        }
        return MergeClause(kind, "update", predicate, updates)
    if isinstance(then, exp.Insert):
        if isinstance(then.this, exp.Star):
            return MergeClause(kind, "insert_all", predicate)
        columns = [c.name.lower() for c in then.this.expressions]
        values = [to_datafusion(v, qualifiers) for v in then.expression.expressions]
        if len(columns) != len(values):
            raise InvalidParameterValue("MERGE ... INSERT needs as many values as columns.")
        return MergeClause(kind, "insert", predicate, dict(zip(columns, values, strict=True)))
    raise NotImplementedFeature(f"Unsupported MERGE action: {then.sql('databricks')}.")
