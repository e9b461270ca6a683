"""SQL over the Databricks Statement Execution API, answered as typed Arrow.

The API returns every value as a string (``JSON_ARRAY``); the manifest's ``type_text`` says
what each column was, so the client casts back and ``ws.sql()`` gives the same Arrow table
remotely as in-process.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lakeai.errors import ERRORS_BY_CODE, LakeAIError, error_from_code
from lakeai.sdk.http import Transport

STATEMENTS = "/api/2.0/sql/statements"
RUNNING = ("PENDING", "RUNNING")
MAX_POLLS = 10_000


def execute(http: Transport, statement: str) -> pa.Table:
    body = {
        "statement": statement,
        "format": "JSON_ARRAY",
        "disposition": "INLINE",
        "wait_timeout": "50s",
        "on_wait_timeout": "CONTINUE",
    }
    answer = http.post(STATEMENTS, body)
    for _ in range(MAX_POLLS):
        state = (answer.get("status") or {}).get("state", "SUCCEEDED")
        if state not in RUNNING:
            break
        # The server holds each GET until the statement finishes or its own wait elapses.
        answer = http.get(f"{STATEMENTS}/{answer['statement_id']}")
    _raise_if_failed(answer)
    columns = ((answer.get("manifest") or {}).get("schema") or {}).get("columns") or []
    rows = _all_rows(http, answer)
    return to_arrow(columns, rows)


def _raise_if_failed(answer: dict[str, Any]) -> None:
    status = answer.get("status") or {}
    state = status.get("state", "SUCCEEDED")
    if state == "SUCCEEDED":
        return
    error = status.get("error") or {}
    message = error.get("message") or f"The statement ended in state {state}."
    raise statement_error(str(error.get("error_code") or ""), message)


# Databricks' ServiceErrorCode values (a failed statement's status.error) to LakeAI's codes.
_SERVICE_CODES = {
    "NOT_FOUND": "RESOURCE_DOES_NOT_EXIST",
    "ALREADY_EXISTS": "RESOURCE_ALREADY_EXISTS",
    "BAD_REQUEST": "INVALID_PARAMETER_VALUE",
    "PERMISSION_DENIED": "PERMISSION_DENIED",
    "UNAUTHENTICATED": "UNAUTHENTICATED",
    "ABORTED": "CONCURRENT_MODIFICATION",
    "TEMPORARILY_UNAVAILABLE": "TEMPORARILY_UNAVAILABLE",
    "NOT_IMPLEMENTED": "NOT_IMPLEMENTED",
}
_PREFIX = re.compile(r"^\[([A-Z_]+)\]\s*")


def statement_error(service_code: str, message: str) -> LakeAIError:
    """The exception of a failed statement: a ``[ERROR_CODE]`` message prefix wins, else the
    service code's nearest LakeAI class."""
    match = _PREFIX.match(message)
    if match and match.group(1) in ERRORS_BY_CODE:
        return error_from_code(match.group(1), message[match.end() :])
    return error_from_code(_SERVICE_CODES.get(service_code, service_code), message)


def _all_rows(http: Transport, answer: dict[str, Any]) -> list[list[str | None]]:
    result = answer.get("result") or {}
    rows = list(result.get("data_array") or [])
    link = result.get("next_chunk_internal_link")
    while link:
        chunk = http.get(link)
        rows.extend(chunk.get("data_array") or [])
        link = chunk.get("next_chunk_internal_link")
    return rows


def to_arrow(columns: list[dict[str, Any]], rows: list[list[str | None]]) -> pa.Table:
    """A typed Arrow table from the manifest's columns and the string cells."""
    from lakeai.tables.types import arrow_type

    ordered = sorted(columns, key=lambda c: c.get("position", 0))
    arrays, fields = [], []
    for i, col in enumerate(ordered):
        dtype = arrow_type(col.get("type_text") or col.get("type_name") or "string")
        cells = [row[i] if i < len(row) else None for row in rows]
        arrays.append(_column(cells, dtype))
        fields.append(pa.field(col["name"], dtype))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _column(cells: list[str | None], dtype: pa.DataType) -> pa.Array:
    if pa.types.is_nested(dtype):
        return pa.array([None if c is None else json.loads(c) for c in cells], type=dtype)
    strings = pa.array(cells, type=pa.string())
    if pa.types.is_string(dtype):
        return strings
    if pa.types.is_binary(dtype):
        import base64

        return pa.array([None if c is None else base64.b64decode(c) for c in cells], type=dtype)
    if pa.types.is_timestamp(dtype):
        return _timestamps(strings, dtype)
    if pa.types.is_boolean(dtype):
        strings = pc.utf8_lower(strings)
    try:
        return pc.cast(strings, dtype)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise LakeAIError(f"Cannot read SQL result values as {dtype}: {exc}") from exc


def _timestamps(strings: pa.Array, dtype: pa.TimestampType) -> pa.Array:
    """ISO timestamps with or without an offset (``Z``, ``+00:00``) or a ``T``."""
    cleaned = pc.replace_substring(strings, " ", "T")
    if dtype.tz is None:
        cleaned = pc.replace_substring_regex(cleaned, r"(Z|[+-]\d\d:?\d\d)$", "")
        return pc.cast(cleaned, dtype)
    has_zone = pc.match_substring_regex(cleaned, r"(Z|[+-]\d\d:?\d\d)$")
    zoned = pc.if_else(has_zone, cleaned, pc.binary_join_element_wise(cleaned, "Z", ""))
    return pc.cast(zoned, dtype)
