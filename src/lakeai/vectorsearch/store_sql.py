"""The SQLite side of an index store: schema, column typing, encoding rows to SQL and back.

Each synced column gets its own typed SQLite column (``c_<name>``) so filters run as SQL over
an index on real values; lists and structs are JSON text, dates and timestamps ISO strings.
Row ids (``rid``) are AUTOINCREMENT, never reused, so a tombstone names one row forever.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa

SQL_TYPES = {"int": "INTEGER", "bool": "INTEGER", "float": "REAL", "str": "TEXT"}
SQL_TYPES.update({"temporal": "TEXT", "json": "TEXT", "vector": "BLOB"})

# Spark SQL type names (direct-access ``schema_json``) to Arrow.
SPARK_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int32(),
    "int": pa.int32(),
    "long": pa.int64(),
    "bigint": pa.int64(),
    "short": pa.int16(),
    "smallint": pa.int16(),
    "float": pa.float32(),
    "double": pa.float64(),
    "string": pa.string(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "array<float>": pa.list_(pa.float32()),
    "array<double>": pa.list_(pa.float64()),
    "array<string>": pa.list_(pa.string()),
}


def column_kind(dtype: pa.DataType) -> str:
    """How a column is stored and filtered: int, bool, float, str, temporal or json."""
    if pa.types.is_boolean(dtype):
        return "bool"
    if pa.types.is_integer(dtype):
        return "int"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "float"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "str"
    if pa.types.is_temporal(dtype):
        return "temporal"
    return "json"


def col_sql(name: str) -> str:
    """The quoted SQLite column holding synced column ``name``."""
    return '"c_' + name.replace('"', '""') + '"'


def to_sql(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return int(bool(value))
    if kind == "float":
        return float(value)
    if kind == "temporal":
        return (
            value.isoformat() if isinstance(value, dt.date | dt.datetime | dt.time) else str(value)
        )
    if kind == "json":
        return json.dumps(value, default=_json_default, sort_keys=True)
    return value


def from_sql(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return bool(value)
    if kind == "json":
        return json.loads(value)
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value).__name__)


def pk_json(value: Any) -> str:
    """The canonical text of a primary-key value (the ``pk`` column and scan tokens)."""
    return json.dumps(value, default=_json_default)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def create_schema(conn: sqlite3.Connection, kinds: dict[str, str], fts: bool) -> None:
    cols = "".join(f", {col_sql(n)} {SQL_TYPES[k]}" for n, k in kinds.items())
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute(
        "CREATE TABLE rows (rid INTEGER PRIMARY KEY AUTOINCREMENT, pk TEXT NOT NULL UNIQUE, "
        f"text_hash TEXT, vector BLOB, change_seq INTEGER NOT NULL{cols})"
    )
    conn.execute("CREATE INDEX rows_change_seq ON rows (change_seq)")
    conn.execute("CREATE TABLE tombstones (rid INTEGER PRIMARY KEY, seq INTEGER NOT NULL)")
    conn.execute("CREATE INDEX tombstones_seq ON tombstones (seq)")
    if fts:
        conn.execute("CREATE VIRTUAL TABLE fts USING fts5(body)")


def get_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")}


def set_meta(conn: sqlite3.Connection, **values: Any) -> None:
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [(k, json.dumps(v)) for k, v in values.items()],
    )
