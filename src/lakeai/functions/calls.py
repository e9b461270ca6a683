"""Catalog function calls inside SQL queries (``SELECT main.shop.minutes_since(ts) FROM ...``).

Before a query runs, each call of a catalog function (a name with a schema, optionally a
catalog) is checked for EXECUTE and replaced:

- a SQL function by its body, inlined like a macro with the arguments cast to the declared
  parameter types (so table references in the body go through the same grant checks as the
  rest of the query, and DuckDB optimises it as ordinary SQL);
- a Python function by a DuckDB Arrow UDF registered under a random name for this statement
  only; DuckDB hands it a vector of rows at a time and each vector is one worker-pool job.

An error raised inside a Python UDF (a 504 timeout, a 400 from the function) is kept and
re-raised with its own class, instead of DuckDB's generic wrapper.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlglot import exp

from lakeai.errors import InvalidParameterValue, LakeAIError
from lakeai.functions.definition import FunctionDef
from lakeai.tables.types import arrow_type

MAX_DEPTH = 16  # SQL functions calling SQL functions: deeper means recursion


@dataclass
class Udf:
    name: str
    fn: Callable[..., pa.Array]
    parameters: list[str]
    return_type: str


@dataclass
class Expanded:
    """What a query's function calls became: UDFs to register and the first UDF error."""

    udfs: list[Udf] = field(default_factory=list)
    errors: list[LakeAIError] = field(default_factory=list)

    def reraise(self) -> None:
        if self.errors:
            raise self.errors[0]


def catalog_call(node: exp.Dot, catalog: str) -> tuple[str, exp.Anonymous] | None:
    """``a.b.f(...)`` or ``b.f(...)`` -> (full name, call); anything else -> None."""
    call = node.expression
    if not isinstance(call, exp.Anonymous):
        return None
    parts: list[str] = []
    left: exp.Expression | None = node.this
    while isinstance(left, exp.Dot):
        if not isinstance(left.expression, exp.Identifier):
            return None
        parts.insert(0, left.expression.name)
        left = left.this
    if not isinstance(left, (exp.Identifier, exp.Column)) or (
        isinstance(left, exp.Column) and (left.table)
    ):
        return None
    parts.insert(0, left.name)
    if len(parts) == 1:
        parts.insert(0, catalog)
    if len(parts) != 2:
        return None
    return ".".join([*parts, call.name]).lower(), call


def expand(functions: Any, principal: Any, tree: exp.Expression, catalog: str) -> Expanded:
    """Replace every catalog function call in ``tree`` (in place); see the module docstring."""
    expanded = Expanded()
    for _ in range(MAX_DEPTH):
        calls = [(node, catalog_call(node, catalog)) for node in list(tree.find_all(exp.Dot))]
        calls = [(node, found) for node, found in calls if found]
        if not calls:
            return expanded
        for node, (name, call) in calls:
            fn = functions.resolve(principal, name)
            fn.check_arity(len(call.expressions))
            new = _replacement(functions, fn, call, expanded)
            if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
                new = exp.alias_(new, node.sql(dialect="databricks"), quoted=True)
            node.replace(new)
    raise InvalidParameterValue(
        f"Catalog functions nest deeper than {MAX_DEPTH} levels; is one calling itself?"
    )


def _replacement(
    functions: Any, fn: FunctionDef, call: exp.Anonymous, expanded: Expanded
) -> exp.Expression:
    if fn.language == "SQL":
        if fn.sql_body().find(exp.Query):
            _qualify_arguments(call, fn)
        return fn.inline(list(call.expressions))
    udf = _python_udf(functions, fn, expanded)
    expanded.udfs.append(udf)
    args = [
        exp.cast(a.copy(), t.copy()) for a, (_, t) in zip(call.expressions, fn.params, strict=True)
    ]
    return exp.Anonymous(this=udf.name, expressions=args)


def _qualify_arguments(call: exp.Anonymous, fn: FunctionDef) -> None:
    """Qualify the caller's bare columns in the arguments of a function whose body queries a
    table: inlined into the body's subquery, ``customer_id`` would bind to the body's table."""
    bare = [
        c
        for a in call.expressions
        for c in a.find_all(exp.Column)
        if not c.table and c.find_ancestor(exp.Query, exp.Anonymous) is call
    ]
    if not bare:
        return
    select = call.find_ancestor(exp.Select)
    sources = []
    if select is not None and select.args.get("from_") is not None:
        sources = [select.args["from_"].this, *[j.this for j in select.args.get("joins") or []]]
    if len(sources) != 1:
        raise InvalidParameterValue(
            f"Qualify the columns passed to {fn.full_name} (e.g. t.{bare[0].name}): its body "
            "reads a table, and a bare column name would mean that table's column."
        )
    for column in bare:
        column.set("table", exp.to_identifier(sources[0].alias_or_name))


def _python_udf(functions: Any, fn: FunctionDef, expanded: Expanded) -> Udf:
    out_type = arrow_type(fn.returns.sql(dialect="databricks"))

    def call(*columns: Any) -> pa.Array:
        lists = [c.to_pylist() for c in columns]
        rows = [list(r) for r in zip(*lists, strict=True)] if lists else [[]]
        try:
            values = functions.run_python(fn, rows)
            return pa.array(values, type=out_type)
        except LakeAIError as exc:
            expanded.errors.append(exc)
            raise
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            error = InvalidParameterValue(f"{fn.full_name} returned a value of the wrong type.")
            expanded.errors.append(error)
            raise error from exc

    # DuckDB counts the callable's parameters: give the variadic wrapper the declared arity.
    call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(f"a{i}", inspect.Parameter.POSITIONAL_ONLY)
            for i in range(len(fn.params))
        ]
    )
    return Udf(
        f"__lakeai_f{uuid.uuid4().hex}",
        call,
        [t.sql(dialect="duckdb") for _, t in fn.params],
        fn.returns.sql(dialect="duckdb"),
    )
