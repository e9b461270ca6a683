"""Arrow results in the Statement Execution API's shape: a manifest and a JSON_ARRAY chunk.

Databricks sends every non-null value as a string and names column types with its own enum
(``ColumnInfoTypeName``), so clients like ``databricks-sdk`` parse the answer unchanged.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa

from lakeai.errors import (
    InvalidParameterValue,
    LakeAIError,
    NotImplementedFeature,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceConflict,
    ResourceDoesNotExist,
    RetryableError,
)
from lakeai.tables.types import type_name, type_text

# ColumnInfoTypeName values of the Databricks API; anything else is sent as its nearest base.
TYPE_NAMES = {
    "ARRAY", "BINARY", "BOOLEAN", "BYTE", "CHAR", "DATE", "DECIMAL", "DOUBLE", "FLOAT", "INT",
    "INTERVAL", "LONG", "MAP", "NULL", "SHORT", "STRING", "STRUCT", "TIMESTAMP",
}  # fmt: skip


def _type_name(dtype: pa.DataType) -> str:
    if pa.types.is_null(dtype):
        return "NULL"
    name = type_name(dtype)
    if name.startswith("TIMESTAMP"):
        return "TIMESTAMP"
    return name if name in TYPE_NAMES else "USER_DEFINED_TYPE"


def column(field: pa.Field, position: int) -> dict[str, Any]:
    info: dict[str, Any] = {
        "name": field.name,
        "type_text": type_text(field.type).upper(),
        "type_name": _type_name(field.type),
        "position": position,
    }
    if pa.types.is_decimal(field.type):
        info["type_precision"] = field.type.precision
        info["type_scale"] = field.type.scale
    return info


def _text(value: Any) -> str | None:
    """A value as Databricks' JSON_ARRAY spells it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, (int, float, Decimal, str)):
        return str(value)
    return json.dumps(value, default=str)


def manifest_and_result(table: pa.Table, row_limit: int | None) -> dict[str, Any]:
    """``manifest`` and ``result`` of a SUCCEEDED statement (one inline chunk)."""
    truncated = row_limit is not None and table.num_rows > row_limit
    if truncated:
        table = table.slice(0, row_limit)
    rows = [[_text(v) for v in row.values()] for row in table.to_pylist()]
    return {
        "manifest": {
            "format": "JSON_ARRAY",
            "schema": {
                "column_count": table.num_columns,
                "columns": [column(f, i) for i, f in enumerate(table.schema)],
            },
            "total_row_count": table.num_rows,
            "truncated": truncated,
            "total_chunk_count": 1,
            "chunks": [{"chunk_index": 0, "row_offset": 0, "row_count": table.num_rows}],
        },
        "result": {
            "chunk_index": 0,
            "row_offset": 0,
            "row_count": table.num_rows,
            "data_array": rows,
        },
    }


def service_error(exc: LakeAIError) -> dict[str, str]:
    """A failed statement's ``status.error``: Databricks' ServiceErrorCode, LakeAI's code in brackets."""
    code = "INTERNAL_ERROR"
    if isinstance(exc, ResourceDoesNotExist):
        code = "NOT_FOUND"
    elif isinstance(exc, ResourceAlreadyExists):
        code = "ALREADY_EXISTS"
    elif isinstance(exc, ResourceConflict):
        code = "ABORTED"
    elif isinstance(exc, (InvalidParameterValue, PermissionDenied, NotImplementedFeature)):
        code = "BAD_REQUEST"
    elif isinstance(exc, RetryableError):
        code = "TEMPORARILY_UNAVAILABLE"
    return {"error_code": code, "message": f"[{exc.error_code}] {exc.message}"}
