"""Delta Lake I/O through delta-rs: one commit per write, typed errors, conflicts retried or named.

This module knows nothing about names or grants; ``tables.service`` governs every call into it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class MergeClause:
    """One WHEN clause of a MERGE, in delta-rs terms.

    ``when``: matched | not_matched | not_matched_by_source; ``action``: update, update_all,
    delete, insert or insert_all; ``updates`` maps target columns to SQL over the aliases.
    """

    when: str
    action: str
    predicate: str | None = None
    updates: dict[str, str] | None = None


_MERGE_METHODS = {
    ("matched", "update"): "when_matched_update",
    ("matched", "update_all"): "when_matched_update_all",
    ("matched", "delete"): "when_matched_delete",
    ("not_matched", "insert"): "when_not_matched_insert",
    ("not_matched", "insert_all"): "when_not_matched_insert_all",
    ("not_matched_by_source", "update"): "when_not_matched_by_source_update",
    ("not_matched_by_source", "delete"): "when_not_matched_by_source_delete",
}


def merge_clauses(
    location: str,
    data: pa.Table,
    predicate: str,
    clauses: list[MergeClause],
    *,
    source_alias: str = "source",
    target_alias: str = "target",
) -> dict[str, Any]:
    """A general MERGE (the WHEN clauses in order) in one commit."""
    for clause in clauses:
        if (clause.when, clause.action) not in _MERGE_METHODS:
            raise InvalidParameterValue(
                f"Unsupported MERGE clause: WHEN {clause.when} THEN {clause.action}."
            )

    def run() -> dict[str, Any]:
        merger = open_table(location).merge(
            data, predicate=predicate, source_alias=source_alias, target_alias=target_alias
        )
        for clause in clauses:
            method = getattr(merger, _MERGE_METHODS[(clause.when, clause.action)])
            kwargs: dict[str, Any] = {"predicate": clause.predicate}
            if clause.action in ("update", "insert"):
                kwargs["updates"] = clause.updates or {}
            merger = method(**kwargs)
        return merger.execute()

    try:
        return _translate(run, "merge")
    except _deltalake().exceptions.DeltaError as exc:
        # What is left here is about the data, e.g. several source rows matching one target row.
        raise InvalidParameterValue(f"merge failed: {_clean(exc)}") from exc
