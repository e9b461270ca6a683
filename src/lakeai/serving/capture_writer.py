"""The inference-table writer: WAL-first enqueue on the request path, batched Delta commits off it.

It is the usage recorder's loop (``gateway.usage.UsageRecorder``: a buffer, one background
thread committing every ``flush_seconds`` or ``flush_rows`` records, ``close()`` flushing)
with two additions the usage rows do not need, because these rows hold payloads a user wants
back: every record is written to a write-ahead file before the call returns
(``serving.capture_wal``), and every commit carries a Delta transaction id so a replay after a
crash adds each row exactly once. Records go to many tables (one payload and one feedback
table per endpoint), so a flush makes one commit per table it touches.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from lakeai.errors import (
    InvalidParameterValue,
    PermissionDenied,
    ResourceDoesNotExist,
    TemporarilyUnavailable,
)
from lakeai.gateway.usage import COMPACT_EVERY, UsageRecorder
from lakeai.serving.capture_wal import CaptureWal, orphans, read_records

log = logging.getLogger(__name__)

APPEND_RETRIES = 20
MAX_PENDING_BYTES = 256 * 1024 * 1024  # queued payload bytes; past it new records are dropped
PERMANENT = (PermissionDenied, ResourceDoesNotExist, InvalidParameterValue)

# (table full name, owner, kind) -> the table's open DeltaTable, created on first use.
Resolver = Callable[[str, str, str], Any]
ToArrow = Callable[[str, list[dict[str, Any]]], pa.Table]


@dataclass
class WriterStats:
    """Counters for tests, benchmarks and health: rows in, committed, dropped."""

    enqueued: int = 0
    committed: int = 0
    replayed: int = 0
    dropped_full: int = 0  # the queue was at its bound
    dropped_failed: int = 0  # a table refused them for good (permission, schema, missing schema)
    commits: int = 0
    commit_seconds: list[float] = field(default_factory=list)


class CaptureWriter(UsageRecorder):
    """Queues inference-table records (WAL first) and commits them per table in batches."""

    def __init__(
        self,
        wal_root: Path,
        resolve: Resolver,
        to_arrow: ToArrow,
        *,
        flush_seconds: float,
        flush_rows: int,
        max_pending: int,
    ) -> None:
        super().__init__(wal_root, flush_seconds=flush_seconds, flush_rows=flush_rows)
        self.wal_root = wal_root
        self.resolve = resolve
        self.to_arrow = to_arrow
        self.max_pending = max(1, max_pending)
        self.stats = WriterStats()
        self.wal: CaptureWal | None = None
        self._seq = 0
        self._sealed: list[Path] = []
        self._appends: dict[str, int] = {}
        self._bytes = 0  # serialised size of the queued records

    def open(self) -> None:
        """Take a fresh write-ahead folder, then replay what dead writers left behind."""
        if self.wal is None:
            self.wal = CaptureWal(self.wal_root)
            self.replay()

    # -- request path ---------------------------------------------------------------------
    def record(self, event: Any) -> None:
        """Queue one record ``{"t": table, "o": owner, "k": kind, "r": row, "j": texts}``.

        ``j`` maps columns to JSON texts (payloads): the WAL line embeds them as JSON values
        rather than escaping them a second time, which halves the serialising cost. The line
        is in the write-ahead file (in the OS, not a Python buffer) when this returns. Never
        raises: a full queue or a closed writer drops and counts.
        """
        texts = event.pop("j", None) or {}
        body = json.dumps(event, separators=(",", ":"))
        if texts:
            embedded = ",".join(f'"{k}":{"null" if v is None else v}' for k, v in texts.items())
            body = f'{body[:-1]},"j":{{{embedded}}}}}'
        data = body.encode()
        with self._wake:
            if (
                self._closed
                or self.wal is None
                or len(self._buffer) >= self.max_pending
                or self._bytes + len(data) > MAX_PENDING_BYTES
            ):
                self.stats.dropped_full += 1
                return
            self._seq += 1
            event["s"], event["n"] = self._seq, len(data)
            self.wal.append(b'{"s":%d,' % self._seq + data[1:] + b"\n")
            event["r"].update(texts)
            self._bytes += len(data)
            self._buffer.append(event)
            self.stats.enqueued += 1
            if self._thread is None:
                self._start_thread()
            if len(self._buffer) >= self.flush_rows:
                self._wake.notify()

    def _start_thread(self) -> None:
        import threading

        self._thread = threading.Thread(target=self._run, name="lakeai-capture-writer", daemon=True)
        self._thread.start()

    # -- background -----------------------------------------------------------------------
    def flush(self) -> int:
        """Commit everything queued now (one commit per table); answers the rows committed.

        Records a table refuses for a retryable reason go back to the queue and this raises
        ``TemporarilyUnavailable``; their WAL segments stay until they are committed.
        """
        with self._flush_lock:
            with self._wake:
                batch, self._buffer = self._buffer, []
                sealed, fd = self.wal.seal() if self.wal else (None, None)
            if sealed is not None:
                self._sealed.append(sealed)
            try:
                CaptureWal.sync_and_close(fd)
            except OSError as exc:  # the lines are in the OS cache; only a power loss hurts
                log.warning("fsync of the capture WAL failed (%s).", type(exc).__name__)
            written, kept = self._commit(batch, self.wal.writer_id if self.wal else "")
            released = sum(r["n"] for r in batch) - sum(r["n"] for r in kept)
            with self._wake:
                self._bytes -= released
                self._buffer[:0] = kept
            if kept:
                raise TemporarilyUnavailable("Could not commit inference-table rows; will retry.")
            CaptureWal.drop(self._sealed)
            self._sealed.clear()
            return written

    def _commit(
        self, records: list[dict[str, Any]], app_id: str, *, replay: bool = False
    ) -> tuple[int, list[dict[str, Any]]]:
        """Append each table's records as one commit; answer (rows written, records to retry)."""
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for rec in records:
            groups.setdefault((rec["t"], rec["o"], rec["k"]), []).append(rec)
        written, kept = 0, []
        for (table, owner, kind), recs in groups.items():
            try:
                written += self._append(table, owner, kind, recs, app_id, replay=replay)
            except PERMANENT as exc:
                self.stats.dropped_failed += len(recs)
                log.error("Dropped %d row(s) for %s: %s", len(recs), table, exc.message)
            except Exception as exc:
                for rec in recs:  # the commit may have landed before the error: check on retry
                    rec["a"] = 1
                kept.extend(recs)
                log.warning(
                    "Committing %d row(s) to %s failed (%s); kept for the next attempt.",
                    len(recs),
                    table,
                    type(exc).__name__,
                )
        kept.sort(key=lambda r: r["s"])
        return written, kept

    def _append(
        self,
        table: str,
        owner: str,
        kind: str,
        recs: list[dict[str, Any]],
        app_id: str,
        *,
        replay: bool,
    ) -> int:
        from deltalake import CommitProperties, Transaction, write_deltalake
        from deltalake.exceptions import CommitFailedError

        dt = self.resolve(table, owner, kind)
        if replay or recs[0].get("a"):  # skip what a commit of this writer id already holds
            dt.update_incremental()
            done = dt.transaction_version(app_id) or 0
            recs = [r for r in recs if r["s"] > done]
            if not recs:
                return 0
        data = self.to_arrow(kind, [r["r"] for r in recs])
        props = CommitProperties(app_transactions=[Transaction(app_id, recs[-1]["s"])])
        started = time.perf_counter()
        for attempt in range(APPEND_RETRIES):
            try:
                write_deltalake(dt, data, mode="append", commit_properties=props)
                break
            except CommitFailedError:
                if attempt == APPEND_RETRIES - 1:
                    raise
                time.sleep(0.005 * (attempt + 1))
        self.stats.commit_seconds.append(time.perf_counter() - started)
        self.stats.commits += 1
        self.stats.committed += len(recs)
        self._compact(table, dt)
        return len(recs)

    def _compact(self, table: str, dt: Any) -> None:
        """Small appends make many small files; compact and checkpoint now and then."""
        self._appends[table] = count = self._appends.get(table, 0) + 1
        if count % COMPACT_EVERY == 0:
            dt.optimize.compact()
            dt.create_checkpoint()

    def replay(self) -> int:
        """Commit the records of dead writers' folders that their tables do not hold yet."""
        total = 0
        own = self.wal.writer_id if self.wal else ""
        for writer_id, folder, claimed in orphans(self.wal_root, own):
            if not claimed:
                continue  # another live process's folder
            written, kept = self._commit(read_records(folder), writer_id, replay=True)
            total += written
            if kept:
                log.warning("Replay of %s incomplete; retried at the next start.", writer_id)
                continue
            shutil.rmtree(folder, ignore_errors=True)
        self.stats.replayed += total
        return total

    def close(self) -> None:
        """Flush what is queued, then release the WAL folder (removed when all is committed)."""
        super().close()
        if self.wal is not None:
            with self._wake:
                done = not self._buffer
            self.wal.close(remove=done)
            self.wal = None
