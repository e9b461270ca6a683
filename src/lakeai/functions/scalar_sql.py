"""SQL functions that are one expression over their parameters, compiled once.

Most feature functions (``minutes_since(ts)``, ``ratio(a, b)``) read no table. For those the
governed path (build a query tree, rewrite it, render it, run it) costs milliseconds per call,
most of it sqlglot; here the body is inlined and rendered to DuckDB SQL once, and each call is
one parameterised statement on a sandboxed cursor, with the argument rows passed as lists:

    SELECT CAST(<body> AS <returns>) FROM (SELECT UNNEST($1) AS __i, UNNEST($2) AS p0, ...)
    ORDER BY __i

Arguments travel as text and are cast to the declared types inside the statement, exactly as
the governed path casts its literals, so both paths compute the same values (a test compares
them). Bodies that read tables, call catalog functions or take array/map/struct parameters keep
the governed path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from lakeai.functions import types
from lakeai.functions.definition import FunctionDef
from lakeai.sql import engine
from lakeai.sql.context import ENGINE_DIALECT, _portable

ARGS = "__lakeai_args"
SCALAR_KINDS = {"integer", "float", "decimal", "string", "boolean", "date", "timestamp"}


@dataclass(frozen=True)
class ScalarSql:
    """Two renderings of one body: for a single row (``$1..$n`` are the arguments; DuckDB
    plans it in half the time) and for a batch (lists, unnested in row order)."""

    one: str
    many: str


def compile_scalar(fn: FunctionDef) -> ScalarSql | None:
    """The DuckDB statements for ``fn``, or None when it must take the governed path."""
    if fn.language != "SQL":
        return None
    if any(types.kind_of(t) not in SCALAR_KINDS for _, t in fn.params):
        return None
    body = fn.sql_body()
    if any(body.find_all(exp.Table, exp.Query, exp.Dot)):
        return None  # reads a table, or calls a catalog function (``schema.fn(...)``)
    names = [f"p{i}" for i in range(len(fn.params))]
    inlined = _portable(fn.inline([exp.column(n, table=ARGS) for n in names]))
    columns = ", ".join(
        ["UNNEST($1) AS __i", *(f"UNNEST(${i + 2}) AS {n}" for i, n in enumerate(names))]
    )
    single = _portable(fn.inline([exp.Placeholder(this=str(i + 1)) for i in range(len(names))]))
    return ScalarSql(
        one=f"SELECT {_render(single)} AS value",
        many=(
            f"SELECT {_render(inlined)} AS value "
            f"FROM (SELECT {columns}) AS {ARGS} ORDER BY {ARGS}.__i"
        ),
    )


def _render(tree: exp.Expression) -> str:
    return tree.sql(dialect=ENGINE_DIALECT)


def run_scalar(sql: ScalarSql, fn: FunctionDef, rows: list[list[Any]]) -> list[Any]:
    """One statement for all rows; values in row order, coerced to the declared return type."""
    if len(rows) == 1:
        values = [r[0] for r in engine.fetch(sql.one, [_text(v) for v in rows[0]])]
    else:
        params: list[list[Any]] = [list(range(len(rows)))]
        for i in range(len(fn.params)):
            params.append([_text(row[i]) for row in rows])
        values = [r[0] for r in engine.fetch(sql.many, params)]
    return [types.coerce(v, fn.returns, f"{fn.full_name} returned") for v in values]


def _text(value: Any) -> str | None:
    """An argument as the text a cast turns back into the declared type."""
    value = types.to_json(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
