"""What a sync target implements: a durable checkpoint, applied atomically with each batch."""

from __future__ import annotations

from typing import Protocol

from lakeai.pipelines.changes import ChangeBatch


class Sink(Protocol):
    """A vector index, an online table, ...: anything kept equal to a Delta table.

    ``apply`` must make the batch's changes and the new checkpoint durable together (one
    transaction): a crash before it returns leaves the old checkpoint, and the batch is
    replayed; a crash after leaves both, and nothing is replayed. Applying a batch twice must
    give the same state (upserts and deletes by key are idempotent).
    """

    def checkpoint(self) -> int | None:
        """The table version the sink holds, or None before the first sync."""
        ...

    def apply(self, batch: ChangeBatch) -> None:
        """Apply the net changes (a full snapshot replaces everything) and set the checkpoint."""
        ...
