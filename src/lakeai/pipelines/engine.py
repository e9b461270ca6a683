"""The sync engine: read a table's change feed from the sink's checkpoint and apply it.

Triggered pipelines run ``sync_once`` on request; continuous pipelines run it whenever the
table gets a new version (``ContinuousSync`` watches the Delta log, a cheap file check). A
batch is read, collapsed per key and applied by the sink with its checkpoint in one step,
so a crash anywhere replays the batch and never loses or doubles a row. When the change feed
cannot say what happened (the first sync, an overwrite, a vacuumed feed, a schema change)
the engine sends a full snapshot instead, and says so in the result.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from lakeai.errors import LakeAIError
from lakeai.pipelines.changes import ChangeBatch, collapse
from lakeai.pipelines.sink import Sink
from lakeai.tables import delta

log = logging.getLogger("lakeai.pipelines")

# Operations whose change feed does not describe every row change; a full rebuild follows.
REBUILD_OPERATIONS = {
    "CREATE OR REPLACE TABLE",
    "RESTORE",
    "CHANGE COLUMN",
    "ADD COLUMNS",
    "REPLACE TABLE",
}


@dataclass
class SyncResult:
    from_version: int | None
    to_version: int
    upserts: int = 0
    deletes: int = 0
    full_rebuild: bool = False
    reason: str | None = None


@dataclass
class SourceTable:
    """The Delta table a pipeline reads: location, key columns and the columns it carries."""

    location: str
    primary_key: list[str]
    columns: list[str] | None = None  # None: all columns
    on_progress: Callable[[int, int], None] | None = field(default=None, repr=False)


def latest_version(source: SourceTable) -> int:
    return int(delta.open_table(source.location).version())


def _rebuild_reason(source: SourceTable, start: int, end: int) -> str | None:
    """Why the change feed between two versions cannot be applied incrementally, if it can't."""
    for entry in delta.history(source.location, end - start + 5):
        version = entry.get("version", -1)
        if start < version <= end:
            operation = str(entry.get("operation", "")).upper()
            mode = str((entry.get("operationParameters") or {}).get("mode", "")).lower()
            if operation in REBUILD_OPERATIONS or (operation == "WRITE" and "overwrite" in mode):
                return f"version {version} is a {operation.lower()}{' (overwrite)' if mode else ''}"
    return None


def _project(table: pa.Table, source: SourceTable) -> pa.Table:
    if source.columns is None:
        return table
    wanted = list(dict.fromkeys([*source.primary_key, *source.columns]))
    return table.select([c for c in wanted if c in table.column_names])


def read_batch(
    source: SourceTable, checkpoint: int | None, target: int
) -> tuple[ChangeBatch, str | None]:
    """The batch taking a sink from ``checkpoint`` to ``target`` (a snapshot when needed)."""
    reason = None
    if checkpoint is not None:
        reason = _rebuild_reason(source, checkpoint, target)
        if reason is None:
            try:
                feed = delta.changes(source.location, checkpoint + 1, target)
                batch = collapse(feed, source.primary_key, checkpoint, target)
                return ChangeBatch(
                    checkpoint, target, _project(batch.upserts, source), batch.deletes
                ), None
            except LakeAIError as exc:
                reason = f"change feed unreadable ({exc.message})"
            except Exception as exc:  # delta-rs raises plain errors for vacuumed files
                reason = f"change feed unreadable ({type(exc).__name__})"
    snapshot = delta.dataset(source.location, version=target).to_table()
    from lakeai.tables.data import normalize_types

    snapshot = _project(normalize_types(snapshot), source)
    return ChangeBatch(None, target, snapshot, []), reason


def sync_once(source: SourceTable, sink: Sink, *, max_versions: int | None = None) -> SyncResult:
    """Bring the sink up to the table's latest version (or ``max_versions`` further)."""
    checkpoint = sink.checkpoint()
    target = latest_version(source)
    if checkpoint is not None and max_versions:
        target = min(target, checkpoint + max_versions)
    if checkpoint == target:
        return SyncResult(checkpoint, target)
    if checkpoint is not None and checkpoint > target:
        checkpoint = None  # the table was recreated behind the sink's back
    batch, reason = read_batch(source, checkpoint, target)
    sink.apply(batch)
    return SyncResult(
        checkpoint,
        target,
        upserts=batch.upserts.num_rows,
        deletes=len(batch.deletes),
        full_rebuild=batch.full and checkpoint is not None,
        reason=reason,
    )


def _log_file(location: str, version: int) -> Path:
    return Path(location.removeprefix("file://")) / "_delta_log" / f"{version:020d}.json"


class ContinuousSync:
    """A thread applying each new table version as soon as its log file appears."""

    def __init__(
        self,
        source: SourceTable,
        sink: Sink,
        *,
        poll_seconds: float = 0.05,
        on_result: Callable[[SyncResult], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.source = source
        self.sink = sink
        self.poll_seconds = poll_seconds
        self.on_result = on_result or (lambda _r: None)
        self.on_error = on_error or (lambda exc: log.warning("sync failed: %s", type(exc).__name__))
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lakeai-sync", daemon=True)

    def start(self) -> ContinuousSync:
        self._thread.start()
        return self

    def _has_new_version(self) -> bool:
        checkpoint = self.sink.checkpoint()
        if checkpoint is None:
            return True
        local = _log_file(self.source.location, checkpoint + 1)
        if self.source.location.startswith(("s3://", "gs://", "abfss://", "az://")):
            return latest_version(self.source) > checkpoint
        return local.exists()

    def _run(self) -> None:
        backoff = self.poll_seconds
        while not self._stop.is_set():
            try:
                if self._has_new_version():
                    self.on_result(sync_once(self.source, self.sink))
                    backoff = self.poll_seconds
                    continue
            except Exception as exc:  # keep the pipeline alive; the status shows the error
                self.on_error(exc)
                backoff = min(backoff * 2, 5.0)
            self._wake.wait(backoff)
            self._wake.clear()

    def poke(self) -> None:
        """Look for a new version now (after a write in this process)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
