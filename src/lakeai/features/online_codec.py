"""How online-table keys, rows and event times are encoded, shared by every store backend.

Keys are JSON arrays of the key values (one string, so SQLite and Redis index them alike);
rows are JSON objects, because a lookup answers JSON anyway and decoding one is cheaper than
rebuilding Arrow values. Event times become numbers so both backends compare them natively.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from collections.abc import Iterable
from typing import Any

from lakeai.errors import InvalidParameterValue
from lakeai.pipelines.changes import ChangeBatch

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    raise TypeError(f"cannot encode {type(value).__name__}")


def encode_key(values: Iterable[Any]) -> str:
    return json.dumps(list(values), default=_json_default, separators=(",", ":"))


def encode_row(row: dict[str, Any]) -> str:
    return json.dumps(row, default=_json_default, separators=(",", ":"))


def decode_row(text: str | bytes | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)


def event_time(value: Any) -> float | int | None:
    """A timestamp-key value as a number: epoch microseconds, days, or the number itself."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        delta = aware - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterValue(
            f"Timeseries key value {value!r} is not a number, date or timestamp."
        )
    return value


class KeyedRows:
    """A batch's rows and deletes as (key, event time, row) triples, for any backend."""

    def __init__(self, primary_key: list[str], timeseries_key: str | None) -> None:
        self.primary_key = primary_key
        self.timeseries_key = timeseries_key

    def key_of(self, row: dict[str, Any]) -> str:
        return encode_key(row[c] for c in self.primary_key)

    def upserts(self, batch: ChangeBatch) -> list[tuple[str, float | int | None, str]]:
        ts = self.timeseries_key
        return [
            (self.key_of(row), event_time(row[ts]) if ts else None, encode_row(row))
            for row in batch.upserts.to_pylist()
        ]

    def deletes(self, batch: ChangeBatch) -> list[tuple[str, float | int | None]]:
        """Deleted keys; with a timeseries key the engine's key tuples end with the event time."""
        n = len(self.primary_key)
        if self.timeseries_key is None:
            return [(encode_key(k), None) for k in batch.deletes]
        return [(encode_key(k[:n]), event_time(k[n])) for k in batch.deletes]
