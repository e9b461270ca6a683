"""Open online stores, their pipelines, and what each online table is doing right now.

One manager per process, as for vector indexes: it keeps each store open, serialises the
syncs of one table (a triggered refresh never interleaves with the continuous thread) and
runs a ContinuousSync per CONTINUOUS table. SNAPSHOT tables skip the change feed and copy the
whole table at each refresh. Listeners hear every sync result, so a caller (or a test) can
await freshness on an event instead of polling.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lakeai.pipelines.engine import SourceTable, SyncResult, latest_version, read_batch, sync_once
from lakeai.pipelines.registry import SyncedStores, SyncState

Listener = Callable[[str, SyncResult], None]


@dataclass
class OnlineState(SyncState):
    """The pipeline's phase and last outcome, for the status fields."""

    phase: str = "ACTIVE"  # PROVISIONING | ACTIVE | FAILED
    syncing: bool = False
    last_sync_ms: int | None = None


def snapshot_once(source: SourceTable, store: Any) -> SyncResult:
    """A full copy of the table's latest version, unless the store already holds it."""
    checkpoint = store.checkpoint()
    target = latest_version(source)
    if checkpoint == target:
        return SyncResult(checkpoint, target)
    batch, _ = read_batch(source, None, target)
    store.apply(batch)
    return SyncResult(checkpoint, target, upserts=batch.upserts.num_rows, full_rebuild=True)


class OnlinePipelines(SyncedStores[OnlineState]):
    def __init__(self) -> None:
        super().__init__()
        self.listeners: list[Listener] = []

    def new_state(self) -> OnlineState:
        return OnlineState()

    def record(self, name: str, state: OnlineState, result: SyncResult) -> None:
        super().record(name, state, result)
        state.phase = "ACTIVE"
        state.last_sync_ms = int(time.time() * 1000)
        for listener in list(self.listeners):
            listener(name, result)

    def before_sync(self, state: OnlineState) -> None:
        state.syncing = True

    def after_sync(self, state: OnlineState) -> None:
        state.syncing = False

    def sync(  # type: ignore[override]
        self, name: str, source: SourceTable, store: Any, *, snapshot: bool
    ) -> SyncResult:
        """One sync of one table at a time (SNAPSHOT tables copy the whole table)."""
        return super().sync(name, source, store, snapshot_once if snapshot else sync_once)

    def drop(self, name: str) -> Any:
        """Stop the table's pipeline and forget it; returns its store (or None) to destroy."""
        return self.forget(name)
