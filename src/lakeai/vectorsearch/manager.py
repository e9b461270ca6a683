"""Open index stores, their pipelines, and what each index is doing right now.

One manager per process holds each index's store open (its ANN graph lives in memory), runs
a ContinuousSync thread for CONTINUOUS indexes and serialises syncs of one index, so a
triggered sync and a continuous one never interleave.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakeai.errors import LakeAIError
from lakeai.pipelines.engine import ContinuousSync, SourceTable, SyncResult, sync_once

log = logging.getLogger("lakeai.vectorsearch")


@dataclass
class IndexState:
    """What an index's pipeline is doing, for the status field."""

    phase: str = "ONLINE"  # PROVISIONING_INITIAL_SNAPSHOT | ONLINE | FAILED
    last_error: str | None = None
    last_result: SyncResult | None = None
    full_rebuilds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class IndexManager:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._stores: dict[str, Any] = {}
        self._states: dict[str, IndexState] = {}
        self._pipelines: dict[str, ContinuousSync] = {}
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        return self.root.joinpath(*name.split("."))

    def state(self, name: str) -> IndexState:
        with self._lock:
            return self._states.setdefault(name, IndexState())

    def store(self, name: str, opener: Callable[[], Any]) -> Any:
        with self._lock:
            store = self._stores.get(name)
            if store is None:
                store = self._stores[name] = opener()
            return store

    def put(self, name: str, store: Any) -> None:
        with self._lock:
            self._stores[name] = store

    def sync(self, name: str, source: SourceTable, store: Any) -> SyncResult:
        """One sync of one index at a time; the outcome goes into its state."""
        state = self.state(name)
        with state.lock:
            try:
                result = sync_once(source, store)
            except LakeAIError as exc:
                state.last_error = exc.message
                raise
            except Exception as exc:
                state.last_error = f"{type(exc).__name__}: {str(exc)[:200]}"
                raise
            self._record(state, result)
            return result

    @staticmethod
    def _record(state: IndexState, result: SyncResult) -> None:
        state.last_result = result
        state.last_error = None
        state.phase = "ONLINE"
        if result.full_rebuild:
            state.full_rebuilds += 1

    def start_continuous(self, name: str, source: SourceTable, store: Any) -> None:
        state = self.state(name)

        def on_error(exc: Exception) -> None:
            state.last_error = (
                exc.message if isinstance(exc, LakeAIError) else f"{type(exc).__name__}"
            )
            log.warning("continuous sync of %s failed: %s", name, type(exc).__name__)

        class _Locked:
            """The store, with this index's sync lock held around each apply."""

            def checkpoint(self) -> int | None:
                return store.checkpoint()

            def apply(self, batch: Any) -> None:
                with state.lock:
                    store.apply(batch)

        pipeline = ContinuousSync(
            source, _Locked(), on_result=lambda r: self._record(state, r), on_error=on_error
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

    def drop(self, name: str) -> None:
        with self._lock:
            pipeline = self._pipelines.pop(name, None)
            store = self._stores.pop(name, None)
            self._states.pop(name, None)
        if pipeline is not None:
            pipeline.stop()
        if store is not None:
            store.close()

    def close(self) -> None:
        for name in list(self._pipelines):
            self._pipelines.pop(name).stop()
        for name in list(self._stores):
            self._stores.pop(name).close()
