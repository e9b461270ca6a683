"""Validating an online table's request and its lookup keys: 400s that say how to fix them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from lakeai.errors import InvalidParameterValue

MODES = ("SNAPSHOT", "TRIGGERED", "CONTINUOUS")


@dataclass
class OnlinePlan:
    mode: str
    primary_key: list[str]
    timeseries_key: str | None
    key_types: dict[str, str]


def plan(
    source: str,
    schema: pa.Schema,
    cdf_enabled: bool,
    *,
    primary_key_columns: list[str] | None,
    run_triggered: bool,
    run_continuously: bool,
    timeseries_key: str | None,
    perform_full_copy: bool,
) -> OnlinePlan:
    if run_triggered == run_continuously:
        raise InvalidParameterValue(
            "Set exactly one of spec.run_triggered ({}) or spec.run_continuously ({})."
        )
    if perform_full_copy and run_continuously:
        raise InvalidParameterValue(
            "perform_full_copy copies the table at each refresh; use it with run_triggered."
        )
    mode = "CONTINUOUS" if run_continuously else "SNAPSHOT" if perform_full_copy else "TRIGGERED"
    if mode != "SNAPSHOT" and not cdf_enabled:
        raise InvalidParameterValue(
            f"Source table {source} does not have the change data feed on; enable it with "
            f"ALTER TABLE {source} SET TBLPROPERTIES (delta.enableChangeDataFeed = true), "
            "or set perform_full_copy for a full copy at each refresh."
        )
    keys = list(primary_key_columns or [])
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise InvalidParameterValue(
            "spec.primary_key_columns is required: a list of the source's key column names."
        )
    names = schema.names
    missing = [k for k in [*keys, *([timeseries_key] if timeseries_key else [])] if k not in names]
    if missing:
        raise InvalidParameterValue(
            f"Column(s) {', '.join(missing)} are not in {source} (columns: {', '.join(names)})."
        )
    if timeseries_key:
        kind = schema.field(timeseries_key).type
        if not (
            pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_temporal(kind)
        ):
            raise InvalidParameterValue(
                f"timeseries_key {timeseries_key} is {kind}; use a timestamp, date or number column."
            )
        if timeseries_key in keys:
            raise InvalidParameterValue("timeseries_key must not be one of primary_key_columns.")
    key_types = {k: str(schema.field(k).type) for k in keys}
    return OnlinePlan(mode, keys, timeseries_key or None, key_types)


def _coerce(column: str, kind: str, value: Any) -> Any:
    if kind.startswith(("int", "uint")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParameterValue(f"Lookup key {column} must be an integer, got {value!r}.")
        return value
    if kind in ("double", "float", "halffloat"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidParameterValue(f"Lookup key {column} must be a number, got {value!r}.")
        return float(value)
    if kind in ("string", "large_string"):
        if not isinstance(value, str):
            raise InvalidParameterValue(f"Lookup key {column} must be a string, got {value!r}.")
    return value


def key_tuples(key_types: dict[str, str], keys: list[Any]) -> list[tuple]:
    """Lookup keys (dicts by column name, or tuples in key order) as typed tuples."""
    columns = list(key_types)
    out = []
    for key in keys:
        if isinstance(key, dict):
            missing = [c for c in columns if c not in key]
            extra = [c for c in key if c not in key_types]
            if missing or extra:
                raise InvalidParameterValue(
                    f"A lookup key needs exactly the columns {', '.join(columns)}"
                    + (f"; missing {', '.join(missing)}" if missing else "")
                    + (f"; unknown {', '.join(extra)}" if extra else "")
                    + "."
                )
            values = [key[c] for c in columns]
        elif isinstance(key, list | tuple) and len(key) == len(columns):
            values = list(key)
        else:
            raise InvalidParameterValue(
                f"A lookup key is an object with the columns {', '.join(columns)}, got {key!r}."
            )
        out.append(tuple(_coerce(c, key_types[c], v) for c, v in zip(columns, values, strict=True)))
    return out
