"""Databricks ``filters_json`` compiled to a parameterised SQL ``WHERE`` over synced columns.

Forms (Databricks' filtering guide): ``{"col": v}`` equality (``[v1, v2]``: IN), ``"col NOT"``,
``"col <"``, ``"<="``, ``">"``, ``">="``, ``"col LIKE"`` (substring, ``%text%``),
``"col1 OR col2": [v1, v2]`` (col1 = v1 OR col2 = v2); several keys (or a list of objects) are
ANDed. A list-valued (JSON) column matched by equality means "contains". Values only ever
travel as SQL parameters; column names come from the index schema, never from the request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from lakeai.errors import InvalidParameterValue

OPERATORS = ("=", "NOT", "<", "<=", ">", ">=", "LIKE", "OR")
_SUFFIX = re.compile(r"^(?P<col>.+?)\s+(?P<op>\S+)$")
# Column kinds (see store_sql.column_kind): which Python values each accepts.
_ACCEPTS: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "str": (str,),
    "temporal": (str,),
    "json": (str, int, float, bool),
}


def parse(filters: str | dict | list | None) -> list[tuple[str, Any]]:
    """The (key, value) pairs of a filters_json string, dict or list of dicts."""
    if filters is None or filters == "":
        return []
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except json.JSONDecodeError as exc:
            raise InvalidParameterValue(f"filters_json is not valid JSON: {exc.msg}") from exc
    objects = filters if isinstance(filters, list) else [filters]
    if not all(isinstance(o, dict) for o in objects):
        raise InvalidParameterValue(
            'filters_json must be a JSON object such as {"price <": 10} or a list of them.'
        )
    return [item for o in objects for item in o.items()]


def _split_key(key: str, columns: dict[str, str]) -> tuple[list[str], str]:
    if key in columns:
        return [key], "="
    if " OR " in key:
        return [c.strip() for c in key.split(" OR ")], "OR"
    match = _SUFFIX.match(key)
    if match is None or match["col"] not in columns:
        name = match["col"] if match else key
        raise InvalidParameterValue(
            f"Filter column {name!r} is not a synced column of this index; "
            f"synced columns: {', '.join(sorted(columns))}."
        )
    op = match["op"].upper()
    if op not in OPERATORS or op in ("=", "OR"):
        raise InvalidParameterValue(
            f"Unknown filter operator {match['op']!r} in {key!r}; valid operators: "
            '"col" (equals / IN), "col NOT", "col <", "col <=", "col >", "col >=", '
            '"col LIKE", "col1 OR col2".'
        )
    return [match["col"]], op


def _check(column: str, kind: str, value: Any) -> None:
    accepted = _ACCEPTS.get(kind, (str, int, float, bool))
    ok = isinstance(value, accepted) and not (kind in ("int", "float") and isinstance(value, bool))
    if kind == "int" and isinstance(value, float) and value.is_integer():
        ok = True
    if not ok:
        raise InvalidParameterValue(
            f"Filter value {value!r} does not match column {column!r} of type {kind}."
        )


def _equals(sql: str, kind: str, values: list[Any], negate: bool) -> tuple[str, list[Any]]:
    marks = ", ".join("?" * len(values))
    if kind == "json":  # list column: contains any of the values
        clause = f"EXISTS (SELECT 1 FROM json_each({sql}) WHERE value IN ({marks}))"
    else:
        clause = f"{sql} IN ({marks})"
    return (f"NOT ({clause})" if negate else clause), list(values)


def _clause(
    names: list[str], op: str, value: Any, columns: dict[str, str], sql: Callable[[str], str]
) -> tuple[str, list[Any]]:
    for name in names:
        if name not in columns:
            raise InvalidParameterValue(
                f"Filter column {name!r} is not a synced column of this index; "
                f"synced columns: {', '.join(sorted(columns))}."
            )
    values = value if isinstance(value, list) else [value]
    if op == "OR":
        if len(values) != len(names):
            raise InvalidParameterValue(
                f'"{" OR ".join(names)}" needs one value per column ({len(names)}), got {len(values)}.'
            )
        parts = [_clause([n], "=", v, columns, sql) for n, v in zip(names, values, strict=True)]
        return "(" + " OR ".join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]
    (name,) = names
    kind = columns[name]
    if op in ("=", "NOT"):
        if not values:
            return ("1" if op == "NOT" else "0"), []
        for v in values:
            _check(name, kind, v)
        return _equals(sql(name), kind, values, op == "NOT")
    if op == "LIKE":
        if not isinstance(value, str):
            raise InvalidParameterValue(f"LIKE on column {name!r} needs a string value.")
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{sql(name)} LIKE ? ESCAPE '\\'", [f"%{escaped}%"]
    if isinstance(value, list) or kind in ("bool", "json"):
        raise InvalidParameterValue(f"{op!r} on column {name!r} needs a single number or date.")
    _check(name, kind, value)
    return f"{sql(name)} {op} ?", [value]


def compile_filters(
    filters: str | dict | list | None, columns: dict[str, str], sql: Callable[[str], str]
) -> tuple[str, list[Any]]:
    """``(where_sql, params)``; ``columns`` maps synced column -> kind, ``sql`` names it in SQL.

    An empty filter gives ``("1", [])`` so callers can always write ``WHERE {where}``.
    """
    clauses, params = [], []
    for key, value in parse(filters):
        if not isinstance(key, str):
            raise InvalidParameterValue("Filter keys must be strings.")
        names, op = _split_key(key.strip(), columns)
        clause, args = _clause(names, op, value, columns, sql)
        clauses.append(clause)
        params.extend(args)
    return (" AND ".join(f"({c})" for c in clauses) or "1"), params
