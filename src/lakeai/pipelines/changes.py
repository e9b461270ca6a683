"""Collapsing a Delta change data feed into the net effect per primary key.

Within a range of versions a key may be inserted, updated several times and deleted; a sink
only needs the last state: an upsert with the newest row, or a delete.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

CDF_COLUMNS = ("_change_type", "_commit_version", "_commit_timestamp")
UPSERT_TYPES = ("insert", "update_postimage")


@dataclass(frozen=True)
class ChangeBatch:
    """The net changes between two table versions (``start_version`` exclusive)."""

    start_version: int | None  # None: a full snapshot, the sink replaces everything
    end_version: int
    upserts: pa.Table  # newest row per key (source columns only)
    deletes: list[tuple]  # primary-key tuples no longer in the table

    @property
    def full(self) -> bool:
        return self.start_version is None

    @property
    def size(self) -> int:
        return self.upserts.num_rows + len(self.deletes)


def key_tuples(table: pa.Table, keys: list[str]) -> list[tuple]:
    columns = [table.column(k).to_pylist() for k in keys]
    return list(zip(*columns, strict=True)) if columns else []


def collapse(feed: pa.Table, keys: list[str], start: int, end: int) -> ChangeBatch:
    """Net effect per key of a change feed, in commit order (later commits win)."""
    data_columns = [c for c in feed.column_names if c not in CDF_COLUMNS]
    if feed.num_rows == 0:
        return ChangeBatch(start, end, feed.select(data_columns).slice(0, 0), [])
    relevant = feed.filter(
        pc.is_in(feed.column("_change_type"), pa.array(["insert", "update_postimage", "delete"]))
    )
    order = pc.sort_indices(relevant, sort_keys=[("_commit_version", "ascending")])
    relevant = relevant.take(order)
    last: dict[tuple, int] = {}
    for i, key in enumerate(key_tuples(relevant, keys)):
        last[key] = i
    kinds = relevant.column("_change_type").to_pylist()
    upsert_rows = sorted(i for i in last.values() if kinds[i] in UPSERT_TYPES)
    deletes = [k for k, i in last.items() if kinds[i] == "delete"]
    upserts = relevant.select(data_columns).take(pa.array(upsert_rows, pa.int64()))
    return ChangeBatch(start, end, upserts, deletes)
