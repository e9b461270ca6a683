"""Open online stores, their pipelines, and what each online table is doing right now.

One manager per process, as for vector indexes: it keeps each store open, serialises the
syncs of one table (a triggered refresh never interleaves with the continuous thread) and
runs a ContinuousSync per CONTINUOUS table. SNAPSHOT tables skip the change feed and copy the
whole table at each refresh. Listeners hear every sync result, so a caller (or a test) can
await freshness on an event instead of polling.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lakeai.errors import LakeAIError
from lakeai.pipelines.engine import (
    ContinuousSync,
    SourceTable,
    SyncResult,
    latest_version,
    read_batch,
    sync_once,
)

log = logging.getLogger("lakeai.features")
Listener = Callable[[str, SyncResult], None]


@dataclass
class OnlineState:
    """The pipeline's phase and last outcome, for the status fields."""

    phase: str = "ACTIVE"  # PROVISIONING | ACTIVE | FAILED
    syncing: bool = False
    last_error: str | None = None
    last_result: SyncResult | None = None
    last_sync_ms: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _message(exc: Exception) -> str:
    if isinstance(exc, LakeAIError):
        return exc.message
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def snapshot_once(source: SourceTable, store: Any) -> SyncResult:
    """A full copy of the table's latest version, unless the store already holds it."""
    checkpoint = store.checkpoint()
    target = latest_version(source)
    if checkpoint == target:
        return SyncResult(checkpoint, target)
    batch, _ = read_batch(source, None, target)
    store.apply(batch)
    return SyncResult(checkpoint, target, upserts=batch.upserts.num_rows, full_rebuild=True)


class OnlinePipelines:
    def __init__(self) -> None:
        self._stores: dict[str, Any] = {}
        self._states: dict[str, OnlineState] = {}
        self._pipelines: dict[str, ContinuousSync] = {}
        self._lock = threading.Lock()
        self.listeners: list[Listener] = []

    def state(self, name: str) -> OnlineState:
        with self._lock:
            return self._states.setdefault(name, OnlineState())

    def store(self, name: str, opener: Callable[[], Any]) -> Any:
        with self._lock:
            store = self._stores.get(name)
            if store is None:
                store = self._stores[name] = opener()
            return store

    def put(self, name: str, store: Any) -> None:
        with self._lock:
            self._stores[name] = store

    def _record(self, name: str, state: OnlineState, result: SyncResult) -> None:
        import time

        state.last_result = result
        state.last_error = None
        state.phase = "ACTIVE"
        state.last_sync_ms = int(time.time() * 1000)
        for listener in list(self.listeners):
            listener(name, result)

    def sync(self, name: str, source: SourceTable, store: Any, *, snapshot: bool) -> SyncResult:
        """One sync of one table at a time; the outcome goes into its state."""
        state = self.state(name)
        with state.lock:
            state.syncing = True
            try:
                result = snapshot_once(source, store) if snapshot else sync_once(source, store)
            except Exception as exc:
                state.last_error = _message(exc)
                raise
            finally:
                state.syncing = False
            self._record(name, state, result)
            return result

    def start_continuous(self, name: str, source: SourceTable, store: Any) -> None:
        state = self.state(name)

        def on_error(exc: Exception) -> None:
            state.last_error = _message(exc)
            log.warning("continuous sync of %s failed: %s", name, type(exc).__name__)

        class _Locked:
            """The store, with this table's sync lock held around each apply."""

            def checkpoint(self) -> int | None:
                return store.checkpoint()

            def apply(self, batch: Any) -> None:
                with state.lock:
                    store.apply(batch)

        pipeline = ContinuousSync(
            source,
            _Locked(),
            on_result=lambda r: self._record(name, state, r),
            on_error=on_error,
        )
        with self._lock:
            old = self._pipelines.pop(name, None)
            self._pipelines[name] = pipeline
        if old is not None:
            old.stop()
        pipeline.start()

    def poke(self, name: str) -> None:
        pipeline = self._pipelines.get(name)
        if pipeline is not None:
            pipeline.poke()

    def drop(self, name: str) -> Any:
        """Stop the table's pipeline and forget it; returns its store (or None) to destroy."""
        with self._lock:
            pipeline = self._pipelines.pop(name, None)
            store = self._stores.pop(name, None)
            self._states.pop(name, None)
        if pipeline is not None:
            pipeline.stop()
        return store

    def close(self) -> None:
        for name in list(self._pipelines):
            self._pipelines.pop(name).stop()
        for name in list(self._stores):
            self._stores.pop(name).close()
