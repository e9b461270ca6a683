"""Open sinks, their continuous pipelines and each sink's state: shared by every synced
securable (vector indexes, online tables).

One registry per process keeps each sink's store open, serialises the syncs of one sink (a
triggered sync never interleaves with its continuous thread: both hold the sink's lock around
an apply) and runs one ContinuousSync per continuous sink. Subclasses say what a fresh state
looks like and what a result changes in it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from lakeai.errors import LakeAIError
from lakeai.pipelines.engine import ContinuousSync, SourceTable, SyncResult, sync_once

log = logging.getLogger("lakeai.pipelines")


@dataclass
class SyncState:
    """A sink's last outcome, for status fields; ``lock`` serialises its syncs."""

    phase: str = "ACTIVE"
    last_error: str | None = None
    last_result: SyncResult | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


S = TypeVar("S", bound=SyncState)
Runner = Callable[[SourceTable, Any], SyncResult]


def error_message(exc: Exception) -> str:
    """What a status field says about a failed sync (a LakeAI message, or the type and text)."""
    if isinstance(exc, LakeAIError):
        return exc.message
    return f"{type(exc).__name__}: {str(exc)[:200]}"


class SyncedStores(Generic[S]):
    """Stores, states and pipelines by securable name."""

    def __init__(self) -> None:
        self._stores: dict[str, Any] = {}
        self._states: dict[str, S] = {}
        self._pipelines: dict[str, ContinuousSync] = {}
        self._lock = threading.Lock()

    # -- what subclasses decide ----------------------------------------------------------
    def new_state(self) -> S:
        raise NotImplementedError

    def record(self, name: str, state: S, result: SyncResult) -> None:
        """A sync finished: the state says so (subclasses add their own fields)."""
        state.last_result = result
        state.last_error = None

    # -- shared ---------------------------------------------------------------------------
    def state(self, name: str) -> S:
        with self._lock:
            found = self._states.get(name)
            if found is None:
                found = self._states[name] = self.new_state()
            return found

    def store(self, name: str, opener: Callable[[], Any]) -> Any:
        with self._lock:
            store = self._stores.get(name)
            if store is None:
                store = self._stores[name] = opener()
            return store

    def put(self, name: str, store: Any) -> None:
        with self._lock:
            self._stores[name] = store

    def sync(
        self, name: str, source: SourceTable, store: Any, run: Runner = sync_once
    ) -> SyncResult:
        """One sync of one sink at a time; the outcome goes into its state."""
        state = self.state(name)
        with state.lock:
            self.before_sync(state)
            try:
                result = run(source, store)
            except Exception as exc:
                state.last_error = error_message(exc)
                raise
            finally:
                self.after_sync(state)
            self.record(name, state, result)
            return result

    def before_sync(self, state: S) -> None:
        """Hook: a triggered sync starts (online tables show ``syncing``)."""

    def after_sync(self, state: S) -> None:
        """Hook: a triggered sync ended, well or not."""

    def start_continuous(self, name: str, source: SourceTable, store: Any) -> None:
        state = self.state(name)

        def on_error(exc: Exception) -> None:
            state.last_error = error_message(exc)
            log.warning("continuous sync of %s failed: %s", name, type(exc).__name__)

        class _Locked:
            """The store, with this sink's sync lock held around each apply."""

            def checkpoint(self) -> int | None:
                return store.checkpoint()

            def apply(self, batch: Any) -> None:
                with state.lock:
                    store.apply(batch)

        pipeline = ContinuousSync(
            source,
            _Locked(),
            on_result=lambda r: self.record(name, state, r),
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

    def forget(self, name: str) -> Any:
        """Stop the sink's pipeline and forget it; returns its store (or None) to close."""
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
