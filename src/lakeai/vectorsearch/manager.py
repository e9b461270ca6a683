"""Open index stores, their pipelines, and what each index is doing right now.

One manager per process (``pipelines.registry.SyncedStores``) holds each index's store open
(its ANN graph lives in memory), runs a ContinuousSync thread for CONTINUOUS indexes and
serialises syncs of one index, so a triggered sync and a continuous one never interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lakeai.pipelines.engine import SyncResult
from lakeai.pipelines.registry import SyncedStores, SyncState


@dataclass
class IndexState(SyncState):
    """What an index's pipeline is doing, for the status field."""

    phase: str = "ONLINE"  # PROVISIONING_INITIAL_SNAPSHOT | ONLINE | FAILED
    full_rebuilds: int = 0


class IndexManager(SyncedStores[IndexState]):
    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def path(self, name: str) -> Path:
        return self.root.joinpath(*name.split("."))

    def new_state(self) -> IndexState:
        return IndexState()

    def record(self, name: str, state: IndexState, result: SyncResult) -> None:
        super().record(name, state, result)
        state.phase = "ONLINE"
        if result.full_rebuild:
            state.full_rebuilds += 1

    def drop(self, name: str) -> None:
        store = self.forget(name)
        if store is not None:
            store.close()
