"""Type names: Spark/Databricks SQL type text <-> Arrow, and UC column descriptions."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import ParseError

from lakeai.errors import InvalidParameterValue

_T = exp.DataType.Type
_SIMPLE: dict[Any, pa.DataType] = {
    _T.BIGINT: pa.int64(),
    _T.INT: pa.int32(),
    _T.SMALLINT: pa.int16(),
    _T.TINYINT: pa.int8(),
    _T.DOUBLE: pa.float64(),
    _T.FLOAT: pa.float32(),
    _T.BOOLEAN: pa.bool_(),
    _T.TEXT: pa.string(),
    _T.VARCHAR: pa.string(),
    _T.CHAR: pa.string(),
    _T.BINARY: pa.binary(),
    _T.VARBINARY: pa.binary(),
    _T.DATE: pa.date32(),
    _T.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    _T.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
    _T.TIMESTAMPLTZ: pa.timestamp("us", tz="UTC"),
    _T.TIMESTAMPNTZ: pa.timestamp("us"),
    _T.DATETIME: pa.timestamp("us"),
}


def arrow_type(type_text: str) -> pa.DataType:
    """Arrow type of a Databricks SQL type name such as ``bigint`` or ``array<float>``."""
    try:
        dtype = exp.DataType.build(type_text, dialect="databricks")
    except (ParseError, ValueError) as exc:
        raise InvalidParameterValue(f"Unknown column type {type_text!r}.") from exc
    return _from_sqlglot(dtype, type_text)


def _from_sqlglot(dtype: exp.DataType, text: str) -> pa.DataType:
    if dtype.this in _SIMPLE:
        return _SIMPLE[dtype.this]
    args = dtype.expressions
    if dtype.this == _T.DECIMAL:
        precision = int(args[0].this.this) if args else 10
        scale = int(args[1].this.this) if len(args) > 1 else 0
        return pa.decimal128(precision, scale)
    if dtype.this == _T.ARRAY and args:
        return pa.list_(_from_sqlglot(args[0], text))
    if dtype.this == _T.MAP and len(args) == 2:
        return pa.map_(_from_sqlglot(args[0], text), _from_sqlglot(args[1], text))
    if dtype.this == _T.STRUCT:
        fields = []
        for col in args:
            fields.append(pa.field(col.name, _from_sqlglot(col.args["kind"], text)))
        return pa.struct(fields)
    raise InvalidParameterValue(f"Unsupported column type {text!r}.")


def type_text(dtype: pa.DataType) -> str:
    """Databricks SQL spelling of an Arrow type."""
    if pa.types.is_int64(dtype):
        return "bigint"
    if pa.types.is_int32(dtype):
        return "int"
    if pa.types.is_int16(dtype):
        return "smallint"
    if pa.types.is_int8(dtype):
        return "tinyint"
    if pa.types.is_float64(dtype):
        return "double"
    if pa.types.is_float32(dtype):
        return "float"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if (
        pa.types.is_string(dtype)
        or pa.types.is_large_string(dtype)
        or pa.types.is_string_view(dtype)
    ):
        return "string"
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return "binary"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_timestamp(dtype):
        return "timestamp" if dtype.tz else "timestamp_ntz"
    if pa.types.is_decimal(dtype):
        return f"decimal({dtype.precision},{dtype.scale})"
    if (
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
    ):
        return f"array<{type_text(dtype.value_type)}>"
    if pa.types.is_map(dtype):
        return f"map<{type_text(dtype.key_type)},{type_text(dtype.item_type)}>"
    if pa.types.is_struct(dtype):
        inner = ",".join(f"{f.name}:{type_text(f.type)}" for f in dtype)
        return f"struct<{inner}>"
    return str(dtype)


_TYPE_NAME = {
    "bigint": "LONG",
    "int": "INT",
    "smallint": "SHORT",
    "tinyint": "BYTE",
    "timestamp_ntz": "TIMESTAMP_NTZ",
}


def type_name(dtype: pa.DataType) -> str:
    """UC ``type_name`` enum value (LONG, STRING, ARRAY, ...)."""
    text = type_text(dtype)
    base = text.split("<")[0].split("(")[0]
    return _TYPE_NAME.get(base, base.upper())


def column_infos(schema: pa.Schema) -> list[dict[str, Any]]:
    return [
        {
            "name": field.name,
            "type_text": type_text(field.type),
            "type_name": type_name(field.type),
            "type_json": json.dumps(
                {"name": field.name, "type": type_text(field.type), "nullable": field.nullable}
            ),
            "position": i,
            "nullable": field.nullable,
            "comment": (field.metadata or {}).get(b"comment", b"").decode() or None,
        }
        for i, field in enumerate(schema)
    ]


def schema_from_columns(columns: list[dict[str, Any]]) -> pa.Schema:
    """Arrow schema from UC-style column descriptions (``name`` plus ``type_text``/``type_name``)."""
    if not isinstance(columns, list) or not columns:
        raise InvalidParameterValue("A table needs at least one column.")
    fields = []
    for col in columns:
        if not isinstance(col, dict) or not col.get("name"):
            raise InvalidParameterValue("Each column needs a name and a type_text.")
        text = col.get("type_text") or col.get("type_name")
        if not text:
            raise InvalidParameterValue(f"Column {col['name']!r} needs a type_text, e.g. 'bigint'.")
        text = {"LONG": "bigint", "SHORT": "smallint", "BYTE": "tinyint"}.get(
            str(text).upper(), text
        )
        fields.append(pa.field(str(col["name"]), arrow_type(str(text)), col.get("nullable", True)))
    return pa.schema(fields)
