"""The sync engine against a simple in-memory sink: incremental, full rebuilds, continuous mode."""

from __future__ import annotations

import itertools
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakeai.pipelines.changes import ChangeBatch
from lakeai.pipelines.engine import ContinuousSync, SourceTable, SyncResult, sync_once

_names = itertools.count()


class DictSink:
    """Rows by key plus the checkpoint, replaced together (as a real sink does in one transaction)."""

    def __init__(self) -> None:
        self.rows: dict[tuple, dict] = {}
        self.version: int | None = None
        self.batches: list[ChangeBatch] = []

    def checkpoint(self) -> int | None:
        return self.version

    def apply(self, batch: ChangeBatch) -> None:
        rows = {} if batch.full else dict(self.rows)
        for key in batch.deletes:
            rows.pop(key, None)
        for row in batch.upserts.to_pylist():
            rows[(row["id"],)] = row
        self.rows, self.version = rows, batch.end_version
        self.batches.append(batch)


def table_rows(ws, name: str) -> dict[tuple, dict]:
    return {(r["id"],): r for r in ws.tables.read(name).to_pylist()}


def make(ws, rows=None):
    name = f"main.default.src_{next(_names)}"
    info = ws.tables.create(name, data=rows or [{"id": 1, "text": "a"}], primary_key="id")
    return name, SourceTable(info.storage_location, ["id"])


def test_first_sync_is_a_snapshot_then_incremental(ws):
    name, source = make(ws, [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}])
    sink = DictSink()
    first = sync_once(source, sink)
    assert first.from_version is None and first.upserts == 2 and not first.full_rebuild
    ws.tables.merge(name, [{"id": 2, "text": "B"}, {"id": 3, "text": "c"}])
    ws.tables.delete_rows(name, "id = 1")
    second = sync_once(source, sink)
    assert (second.upserts, second.deletes) == (2, 1)
    assert sink.rows == table_rows(ws, name)
    assert sync_once(source, sink) == SyncResult(second.to_version, second.to_version)


def test_overwrite_triggers_a_reported_full_rebuild(ws):
    name, source = make(ws, [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}])
    sink = DictSink()
    sync_once(source, sink)
    ws.tables.overwrite(name, [{"id": 9, "text": "z"}])
    result = sync_once(source, sink)
    assert result.full_rebuild and "overwrite" in result.reason
    assert sink.rows == table_rows(ws, name)


def test_replaying_a_batch_changes_nothing(ws):
    name, source = make(ws)
    sink = DictSink()
    sync_once(source, sink)
    ws.tables.merge(name, [{"id": 1, "text": "x"}, {"id": 4, "text": "d"}])
    sync_once(source, sink)
    state = dict(sink.rows)
    sink.apply(sink.batches[-1])  # a crash after applying but before returning replays it
    assert sink.rows == state


ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("merge"),
            st.dictionaries(st.integers(0, 8), st.text("abc", max_size=3), min_size=1, max_size=4),
        ),
        st.tuples(st.just("delete"), st.integers(0, 8)),
        st.tuples(st.just("sync"), st.none()),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ops)
def test_sink_equals_table_after_any_writes(ws, steps):
    name, source = make(ws)
    sink = DictSink()
    for kind, arg in steps:
        if kind == "merge":
            ws.tables.merge(name, [{"id": k, "text": v} for k, v in arg.items()])
        elif kind == "delete":
            ws.tables.delete_rows(name, f"id = {arg}")
        else:
            sync_once(source, sink)
    sync_once(source, sink)
    assert sink.rows == table_rows(ws, name)


def test_continuous_sync_applies_new_versions(ws):
    name, source = make(ws)
    sink = DictSink()
    synced = threading.Condition()

    def on_result(_result: SyncResult) -> None:
        with synced:
            synced.notify_all()

    pipeline = ContinuousSync(source, sink, poll_seconds=0.02, on_result=on_result).start()
    try:
        target = ws.tables.append(name, [{"id": 7, "text": "new"}])["version"]
        with synced:
            assert synced.wait_for(lambda: sink.checkpoint() == target, timeout=10)
        assert (7,) in sink.rows
    finally:
        pipeline.stop()
