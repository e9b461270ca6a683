"""The audit log: one row per state-changing or denied call, in the Delta table system.access.audit.

Rows name the principal, the action, the securable, the request id and the outcome. ``detail``
carries only parameters a service chose to log: never a secret, token or data value.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from lakeai.core.requests import current_request_id

AUDIT_TABLE = "system.access.audit"

AUDIT_SCHEMA = pa.schema(
    [
        pa.field("event_time", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("request_id", pa.string(), nullable=False),
        pa.field("principal", pa.string(), nullable=False),
        pa.field("action", pa.string(), nullable=False),
        pa.field("securable_type", pa.string()),
        pa.field("securable", pa.string()),
        pa.field("outcome", pa.string(), nullable=False),  # ALLOWED | DENIED | FAILED
        pa.field("detail", pa.string()),
    ]
)


@dataclass(frozen=True)
class AuditEvent:
    principal: str
    action: str
    securable_type: str | None
    securable: str | None
    outcome: str = "ALLOWED"
    detail: str | None = None


class AuditLog:
    """Appends audit events to the Delta table at ``location``."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self._lock = threading.Lock()
        self._table = None  # an open DeltaTable, advanced by each write instead of re-read

    def ensure_table(self) -> None:
        from deltalake import DeltaTable, write_deltalake

        if DeltaTable.is_deltatable(str(self.location)):
            return
        self.location.mkdir(parents=True, exist_ok=True)
        write_deltalake(str(self.location), AUDIT_SCHEMA.empty_table(), mode="append")

    def record(self, event: AuditEvent) -> None:
        self.record_many([event])

    def record_many(self, events: list[AuditEvent]) -> None:
        from deltalake import write_deltalake

        if not events:
            return
        now = datetime.now(UTC)
        request_id = current_request_id()
        columns = {
            "event_time": [now] * len(events),
            "event_date": [now.date()] * len(events),
            "request_id": [request_id] * len(events),
            "principal": [e.principal for e in events],
            "action": [e.action for e in events],
            "securable_type": [e.securable_type for e in events],
            "securable": [e.securable for e in events],
            "outcome": [e.outcome for e in events],
            "detail": [e.detail for e in events],
        }
        batch = pa.table(columns, schema=AUDIT_SCHEMA)
        with self._lock:
            if self._table is None:
                from deltalake import DeltaTable

                self._table = DeltaTable(str(self.location))
            write_deltalake(self._table, batch, mode="append")
