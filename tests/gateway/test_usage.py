"""Usage recorder: batched Delta appends, flush/close, failures kept, registered table."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from lakeai.errors import PermissionDenied, TemporarilyUnavailable
from lakeai.gateway.usage import USAGE_SCHEMA, UsageEvent, UsageRecorder, usage_location


def event(i: int = 0, **kw) -> UsageEvent:
    base = dict(
        request_id=f"r{i}",
        endpoint_name="chat",
        requester="alice",
        requester_kind="user",
        status_code=200,
        provider="openai",
        model="gpt-4o-mini",
        input_tokens=10,
        output_tokens=5,
        latency_ms=12,
        event_time=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
    )
    return UsageEvent(**{**base, **kw})


def test_one_commit_per_batch_and_schema(tmp_path) -> None:
    location = tmp_path / "usage"
    recorder = UsageRecorder(location, flush_seconds=3600, flush_rows=10_000)
    for i in range(250):
        recorder.record(event(i, streamed=i % 2 == 0))
    assert recorder.flush() == 250
    assert recorder.flush() == 0
    recorder.record(event(999, status_code=429, error_code="REQUEST_LIMIT_EXCEEDED"))
    recorder.close()
    table = DeltaTable(str(location))
    assert table.version() == 2  # create + two appends, not one commit per event
    rows = table.to_pyarrow_table()
    assert rows.schema == USAGE_SCHEMA
    assert rows.num_rows == 251
    last = next(r for r in rows.to_pylist() if r["request_id"] == "r999")
    assert last["error_code"] == "REQUEST_LIMIT_EXCEEDED" and last["status_code"] == 429
    assert str(last["event_date"]) == "2026-11-02"


def test_background_thread_flushes_when_the_batch_is_full(tmp_path) -> None:
    written: list[int] = []
    done = threading.Event()

    def writer(batch: pa.Table) -> None:
        written.append(batch.num_rows)
        done.set()

    recorder = UsageRecorder(tmp_path, flush_seconds=3600, flush_rows=3, writer=writer)
    for i in range(3):
        recorder.record(event(i))
    assert done.wait(10)  # woken by the full batch, not by the hour-long interval
    recorder.close()
    assert written == [3]


def test_a_failed_append_keeps_the_batch(tmp_path, caplog) -> None:
    attempts: list[int] = []

    def flaky(batch: pa.Table) -> None:
        attempts.append(batch.num_rows)
        if len(attempts) == 1:
            raise OSError("disk full at /secret/path for alice")

    recorder = UsageRecorder(tmp_path, flush_seconds=3600, flush_rows=10_000, writer=flaky)
    recorder.record(event(1))
    recorder.record(event(2))
    with caplog.at_level(logging.WARNING), pytest.raises(TemporarilyUnavailable):
        recorder.flush()
    assert recorder.pending == 2
    assert "alice" not in caplog.text and "secret" not in caplog.text
    recorder.record(event(3))
    assert recorder.flush() == 3
    recorder.close()
    assert attempts == [2, 3]


def test_close_flushes_and_refuses_later_events(tmp_path) -> None:
    recorder = UsageRecorder(tmp_path / "u", flush_seconds=3600)
    recorder.record(event())
    recorder.close()
    assert DeltaTable(str(tmp_path / "u")).to_pyarrow_table().num_rows == 1
    with pytest.raises(TemporarilyUnavailable):
        recorder.record(event())


def test_registered_as_a_read_only_system_table(ws) -> None:
    recorder = UsageRecorder.for_platform(ws.platform)
    assert recorder.location == usage_location(ws.platform.root)
    assert recorder.flush_rows == 5000 and recorder.flush_seconds == 2.0
    recorder.record(event(7))
    recorder.close()
    rows = ws.sql("SELECT requester, input_tokens FROM system.serving.endpoint_usage").to_pylist()
    assert rows == [{"requester": "alice", "input_tokens": 10}]
    assert ws.tables.get("system.serving.endpoint_usage").full_name.endswith("endpoint_usage")
    with pytest.raises(PermissionDenied):
        ws.sql("DELETE FROM system.serving.endpoint_usage")


def test_many_small_appends_are_compacted(ws, monkeypatch) -> None:
    import lakeai.gateway.usage as usage

    monkeypatch.setattr(usage, "COMPACT_EVERY", 3)
    recorder = UsageRecorder.for_platform(ws.platform)
    for i in range(6):
        recorder.record(event(i))
        recorder.flush()
    recorder.close()
    from deltalake import DeltaTable

    table = DeltaTable(str(recorder.location))
    assert len(table.file_uris()) <= 2  # six one-row files became at most two
    assert table.to_pyarrow_table().num_rows == 6
