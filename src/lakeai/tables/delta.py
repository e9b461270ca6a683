"""Delta Lake I/O through delta-rs: one commit per write, typed errors, conflicts retried or named.

This module knows nothing about names or grants; ``tables.service`` governs every call into it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.dataset as ds

from lakeai.errors import (
    ConcurrentModification,
    InvalidParameterValue,
    LakeAIError,
    ResourceDoesNotExist,
)

CDF_CONFIG = {"delta.enableChangeDataFeed": "true"}
APPEND_RETRIES = 20
T = TypeVar("T")


def _deltalake() -> Any:
    import deltalake

    return deltalake


def open_table(location: str, version: int | None = None) -> Any:
    dl = _deltalake()
    try:
        return dl.DeltaTable(location, version=version)
    except dl.exceptions.TableNotFoundError as exc:
        raise ResourceDoesNotExist(f"No Delta table at {location}.") from exc
    except dl.exceptions.DeltaError as exc:
        if version is not None:
            raise InvalidParameterValue(f"Cannot read version {version}: {_clean(exc)}") from exc
        raise


def is_delta_table(location: str) -> bool:
    return bool(_deltalake().DeltaTable.is_deltatable(location))


def arrow_schema(dt: Any) -> pa.Schema:
    return pa.schema(dt.schema().to_arrow())


def _clean(exc: BaseException) -> str:
    """delta-rs messages, without the Rust debug wrapping."""
    text = str(exc).strip()
    return re.sub(r"\s+", " ", text)[:500]


def _translate(fn: Callable[[], T], what: str) -> T:
    """Run a delta-rs call, turning its errors into LakeAI errors at this one boundary."""
    dl = _deltalake()
    try:
        return fn()
    except dl.exceptions.CommitFailedError as exc:
        raise ConcurrentModification(
            f"{what} conflicted with a concurrent write and was not committed; retry it. ({_clean(exc)})"
        ) from exc
    except dl.exceptions.SchemaMismatchError as exc:
        raise InvalidParameterValue(
            f"{what}: data does not match the table schema: {_clean(exc)}"
        ) from exc
    except LakeAIError:
        raise
    except (dl.exceptions.DeltaError, Exception) as exc:
        if (
            "predicate" in str(exc).lower()
            or "sql" in str(exc).lower()
            or "schema" in str(exc).lower()
        ):
            raise InvalidParameterValue(f"{what} failed: {_clean(exc)}") from exc
        raise


def create(
    location: str,
    schema: pa.Schema,
    *,
    partition_by: list[str] | None = None,
    configuration: dict[str, str] | None = None,
) -> None:
    dl = _deltalake()
    config = {**CDF_CONFIG, **(configuration or {})}
    _translate(
        lambda: dl.DeltaTable.create(
            location, schema=schema, mode="error", partition_by=partition_by, configuration=config
        ),
        "create table",
    )


def append(location: str, data: pa.Table, *, target_file_size: int | None = None) -> int:
    """Append as one commit; appends never conflict logically, so a lost race is retried."""
    dl = _deltalake()
    for attempt in range(APPEND_RETRIES):
        try:
            dl.write_deltalake(location, data, mode="append", target_file_size=target_file_size)
            return open_table(location).version()
        except dl.exceptions.CommitFailedError:
            if attempt == APPEND_RETRIES - 1:
                raise ConcurrentModification(
                    f"Append to {location} lost {APPEND_RETRIES} commit races in a row; retry it."
                ) from None
            time.sleep(0.005 * (attempt + 1))
    raise AssertionError("unreachable")


def overwrite(location: str, data: pa.Table, *, predicate: str | None = None) -> int:
    dl = _deltalake()
    _translate(
        lambda: dl.write_deltalake(location, data, mode="overwrite", predicate=predicate),
        "overwrite",
    )
    return open_table(location).version()


def merge(location: str, data: pa.Table, keys: list[str]) -> dict[str, Any]:
    """Upsert ``data`` by ``keys`` (update matched rows, insert the rest) in one commit."""
    predicate = " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)

    def run() -> dict[str, Any]:
        dt = open_table(location)
        return (
            dt.merge(data, predicate=predicate, source_alias="s", target_alias="t")
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute()
        )

    return _translate(run, "merge")


def delete(location: str, predicate: str | None) -> dict[str, Any]:
    return _translate(lambda: open_table(location).delete(predicate), "delete")


def update(location: str, updates: dict[str, str], predicate: str | None) -> dict[str, Any]:
    return _translate(
        lambda: open_table(location).update(updates=updates, predicate=predicate), "update"
    )


def dataset(
    location: str, *, version: int | None = None, timestamp: datetime | str | None = None
) -> ds.Dataset:
    dt = open_table(location, version)
    if timestamp is not None:
        _translate(lambda: dt.load_as_version(timestamp), "time travel")
    return dt.to_pyarrow_dataset()


def history(location: str, limit: int | None = None) -> list[dict[str, Any]]:
    return open_table(location).history(limit)


def changes(location: str, start_version: int, end_version: int | None = None) -> pa.Table:
    dt = open_table(location)
    if start_version < 0:
        raise InvalidParameterValue("start_version must be 0 or more.")
    if start_version > dt.version():
        raise InvalidParameterValue(
            f"start_version {start_version} is after the latest version {dt.version()}."
        )
    reader = _translate(
        lambda: dt.load_cdf(starting_version=start_version, ending_version=end_version),
        "change feed",
    )
    from lakeai.tables.data import normalize_types

    table = normalize_types(pa.table(reader))
    return table.sort_by([("_commit_version", "ascending")])
