"""Gateway usage: one row per served call in the Delta table ``system.serving.endpoint_usage``.

``UsageRecorder.record`` only appends to an in-memory buffer, so the request path never waits
on storage; a background thread appends the buffer as ONE Delta commit per batch (every
``usage_flush_seconds`` or ``usage_flush_rows`` events), because a commit per call would flood
the table with tiny files and log entries. A failed append is logged without data values and
the batch is kept for the next attempt; ``close()`` flushes, so a graceful shutdown loses
nothing. The row has no free-text field, so no secret or prompt can end up in it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from lakeai.errors import TemporarilyUnavailable

log = logging.getLogger(__name__)

USAGE_SCHEMA_NAME = "system.serving"
USAGE_TABLE = "system.serving.endpoint_usage"

USAGE_SCHEMA = pa.schema(
    [
        pa.field("request_id", pa.string(), nullable=False),
        pa.field("event_time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("endpoint_name", pa.string(), nullable=False),
        pa.field("served_entity_name", pa.string()),
        pa.field("provider", pa.string()),
        pa.field("model", pa.string()),
        pa.field("requester", pa.string(), nullable=False),
        pa.field("requester_kind", pa.string()),
        pa.field("input_tokens", pa.int64(), nullable=False),
        pa.field("output_tokens", pa.int64(), nullable=False),
        pa.field("latency_ms", pa.int64()),
        pa.field("status_code", pa.int32(), nullable=False),
        pa.field("error_code", pa.string()),
        pa.field("streamed", pa.bool_(), nullable=False),
    ]
)


def usage_location(workspace_root: Path) -> Path:
    return workspace_root / "warehouse" / "system" / "serving" / "endpoint_usage"


def ensure_usage_table(location: Path) -> None:
    """Create the empty table once, so it can be read (and granted) before the first call."""
    from deltalake import DeltaTable, write_deltalake

    if DeltaTable.is_deltatable(str(location)):
        return
    location.mkdir(parents=True, exist_ok=True)
    write_deltalake(str(location), USAGE_SCHEMA.empty_table(), mode="append")


@dataclass(frozen=True)
class UsageEvent:
    """One served call. Only identifiers and counts: there is no field a secret could go in."""

    request_id: str
    endpoint_name: str
    requester: str
    status_code: int
    served_entity_name: str | None = None
    provider: str | None = None
    model: str | None = None
    requester_kind: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int | None = None
    error_code: str | None = None
    streamed: bool = False
    event_time: datetime = field(default_factory=lambda: datetime.now(UTC))


def events_to_arrow(events: list[UsageEvent]) -> pa.Table:
    times = [e.event_time.astimezone(UTC) for e in events]
    columns: dict[str, list[Any]] = {
        name: [getattr(e, name) for e in events]
        for name in USAGE_SCHEMA.names
        if name not in ("event_time", "event_date")
    }
    columns["event_time"] = times
    columns["event_date"] = [t.date() for t in times]
    return pa.table({n: columns[n] for n in USAGE_SCHEMA.names}, schema=USAGE_SCHEMA)


COMPACT_EVERY = 50  # appends between compactions of the usage table


class UsageRecorder:
    """Buffers usage events and appends them in batches from one background thread."""

    def __init__(
        self,
        location: Path,
        *,
        flush_seconds: float = 2.0,
        flush_rows: int = 5000,
        writer: Callable[[pa.Table], None] | None = None,
    ) -> None:
        self.location = location
        self.flush_seconds = flush_seconds
        self.flush_rows = max(1, flush_rows)
        self._write = writer or self._append
        self._buffer: list[UsageEvent] = []
        self._wake = threading.Condition()
        self._flush_lock = threading.Lock()  # one append at a time keeps batches in order
        self._thread: threading.Thread | None = None
        self._closed = False
        self._table: Any = None
        self._appends = 0

    @classmethod
    def for_platform(cls, platform: Any) -> UsageRecorder:
        s = platform.settings
        return cls(
            usage_location(platform.root),
            flush_seconds=float(s.usage_flush_seconds),
            flush_rows=int(s.usage_flush_rows),
        )

    def record(self, event: UsageEvent) -> None:
        """Queue one event; never blocks on storage (the request path calls this)."""
        with self._wake:
            if self._closed:
                raise TemporarilyUnavailable("The usage recorder is closed.")
            self._buffer.append(event)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="lakeai-usage-writer", daemon=True
                )
                self._thread.start()
            if len(self._buffer) >= self.flush_rows:
                self._wake.notify()

    @property
    def pending(self) -> int:
        with self._wake:
            return len(self._buffer)

    def flush(self) -> int:
        """Append everything buffered now, as one commit; returns the rows written.

        On failure the batch goes back to the front of the buffer and the error is raised as
        ``TemporarilyUnavailable`` (the background thread logs it and retries later).
        """
        with self._flush_lock:
            with self._wake:
                batch, self._buffer = self._buffer, []
            if not batch:
                return 0
            try:
                self._write(events_to_arrow(batch))
            except Exception as exc:
                with self._wake:
                    self._buffer[:0] = batch
                log.warning(
                    "Appending %d usage event(s) to %s failed (%s); kept for the next attempt.",
                    len(batch),
                    USAGE_TABLE,
                    type(exc).__name__,
                )
                raise TemporarilyUnavailable(f"Could not append to {USAGE_TABLE}.") from exc
            return len(batch)

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._closed and len(self._buffer) < self.flush_rows:
                    self._wake.wait(self.flush_seconds)
                if self._closed:
                    return
            try:
                self.flush()
            except TemporarilyUnavailable:
                with self._wake:  # back off a full interval before retrying
                    if not self._closed:
                        self._wake.wait(self.flush_seconds)

    def close(self) -> None:
        """Stop the thread and flush what is left (a graceful shutdown loses nothing)."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()
        # A failure is logged by flush; the events stay in ``pending`` for the caller to see.
        with contextlib.suppress(TemporarilyUnavailable):
            self.flush()

    def _append(self, batch: pa.Table) -> None:
        from deltalake import DeltaTable, write_deltalake

        if self._table is None:
            ensure_usage_table(self.location)
            self._table = DeltaTable(str(self.location))
        write_deltalake(self._table, batch, mode="append")
        self._appends += 1
        if self._appends % COMPACT_EVERY == 0:
            # Many small appends make many small files, and the table's in-memory state grows
            # with the file count: compact them and checkpoint the log to keep both flat.
            self._table.optimize.compact()
            self._table.create_checkpoint()
