"""Declared parameter and return types: validation, UC type names, and value coercion.

Values cross the worker boundary as JSON, so each declared type maps to a *kind* that says how
a JSON value is checked and turned back into the Python value the type promises.
"""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any

from sqlglot import exp
from sqlglot.errors import ParseError

from lakeai.errors import InvalidParameterValue

_T = exp.DataType.Type
_KINDS = {
    "integer": {_T.TINYINT, _T.SMALLINT, _T.INT, _T.BIGINT},
    "float": {_T.FLOAT, _T.DOUBLE},
    "decimal": {_T.DECIMAL},
    "string": {_T.TEXT, _T.VARCHAR, _T.CHAR},
    "boolean": {_T.BOOLEAN},
    "date": {_T.DATE},
    "timestamp": {_T.TIMESTAMP, _T.TIMESTAMPTZ, _T.TIMESTAMPLTZ, _T.TIMESTAMPNTZ, _T.DATETIME},
    "array": {_T.ARRAY},
    "map": {_T.MAP},
    "struct": {_T.STRUCT},
}
_TYPE_NAMES = {
    _T.TINYINT: "BYTE",
    _T.SMALLINT: "SHORT",
    _T.INT: "INT",
    _T.BIGINT: "LONG",
    _T.FLOAT: "FLOAT",
    _T.DOUBLE: "DOUBLE",
    _T.DECIMAL: "DECIMAL",
    _T.TEXT: "STRING",
    _T.VARCHAR: "STRING",
    _T.CHAR: "CHAR",
    _T.BOOLEAN: "BOOLEAN",
    _T.DATE: "DATE",
    _T.TIMESTAMPNTZ: "TIMESTAMP_NTZ",
    _T.ARRAY: "ARRAY",
    _T.MAP: "MAP",
    _T.STRUCT: "STRUCT",
}
_INT_RANGE = {_T.TINYINT: 8, _T.SMALLINT: 16, _T.INT: 32, _T.BIGINT: 64}


def build(type_text: str) -> exp.DataType:
    """Parse a Databricks type such as ``int`` or ``array<string>``; 400 when unknown."""
    try:
        dtype = exp.DataType.build(str(type_text), dialect="databricks")
    except (ParseError, ValueError) as exc:
        raise InvalidParameterValue(f"Unknown type {type_text!r}.") from exc
    if kind_of(dtype) is None:
        raise InvalidParameterValue(
            f"Type {type_text!r} is not supported for functions; use a number, string, boolean, "
            "date, timestamp, decimal, array, map or struct type."
        )
    return dtype


_KIND_OF = {t: kind for kind, types in _KINDS.items() for t in types}


def kind_of(dtype: exp.DataType) -> str | None:
    return _KIND_OF.get(dtype.this)


def type_text(dtype: exp.DataType) -> str:
    return dtype.sql(dialect="databricks").lower()


def type_name(dtype: exp.DataType) -> str:
    """UC's ``ColumnTypeName`` (``INT``, ``LONG``, ``STRING``, ...)."""
    return _TYPE_NAMES.get(dtype.this, "TIMESTAMP" if kind_of(dtype) == "timestamp" else "STRING")


def type_json(name: str, dtype: exp.DataType) -> str:
    spark = {"INT": "integer", "LONG": "long", "SHORT": "short", "BYTE": "byte"}
    tname = type_name(dtype)
    return json.dumps(
        {"name": name, "type": spark.get(tname, tname.lower()), "nullable": True, "metadata": {}}
    )


def to_json(value: Any) -> Any:
    """An argument as a JSON value for the worker (dates and decimals as text)."""
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def coerce(value: Any, dtype: exp.DataType, what: str) -> Any:
    """Check ``value`` against a declared type and return it as that type; 400 on mismatch."""
    if value is None:
        return None
    kind = kind_of(dtype)
    try:
        result = _COERCE[kind](value, dtype)
    except (TypeError, ValueError, ArithmeticError):
        result = _MISMATCH
    if result is _MISMATCH:
        raise InvalidParameterValue(
            f"{what} {value!r} does not match the declared type {type_text(dtype).upper()}."
        )
    return result


_MISMATCH = object()


def _integer(value: Any, dtype: exp.DataType) -> Any:
    if isinstance(value, bool):
        return _MISMATCH
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        return _MISMATCH
    bits = _INT_RANGE[dtype.this]
    return value if -(2 ** (bits - 1)) <= value < 2 ** (bits - 1) else _MISMATCH


def _float(value: Any, dtype: exp.DataType) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal)):
        return _MISMATCH
    return float(value)


def _decimal(value: Any, dtype: exp.DataType) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, decimal.Decimal)):
        return _MISMATCH
    result = decimal.Decimal(str(value))
    return result if result.is_finite() else _MISMATCH


def _string(value: Any, dtype: exp.DataType) -> Any:
    return value if isinstance(value, str) else _MISMATCH


def _boolean(value: Any, dtype: exp.DataType) -> Any:
    return value if isinstance(value, bool) else _MISMATCH


def _date(value: Any, dtype: exp.DataType) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value) if isinstance(value, str) else _MISMATCH


def _timestamp(value: Any, dtype: exp.DataType) -> Any:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if not isinstance(value, datetime.datetime):
        return _MISMATCH
    if dtype.this == _T.TIMESTAMPNTZ:
        return value.replace(tzinfo=None)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _array(value: Any, dtype: exp.DataType) -> Any:
    if not isinstance(value, (list, tuple)):
        return _MISMATCH
    inner = dtype.expressions[0] if dtype.expressions else None
    if inner is None or kind_of(inner) is None:
        return list(value)
    return [coerce(v, inner, "Element") for v in value]


def _mapping(value: Any, dtype: exp.DataType) -> Any:
    return dict(value) if isinstance(value, dict) else _MISMATCH


_COERCE = {
    "integer": _integer,
    "float": _float,
    "decimal": _decimal,
    "string": _string,
    "boolean": _boolean,
    "date": _date,
    "timestamp": _timestamp,
    "array": _array,
    "map": _mapping,
    "struct": _mapping,
}
