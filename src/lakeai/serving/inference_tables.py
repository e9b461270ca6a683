"""Inference tables and feedback: every captured call and every rating, as governed Delta rows.

An endpoint whose ``auto_capture_config`` or ``ai_gateway.inference_table_config`` is enabled
writes each call to ``{catalog}.{schema}.{prefix}_payload`` in Databricks' column layout, and
``POST /serving-endpoints/{name}/feedback`` to ``{prefix}_feedback``. The tables are created on
first write, owned by the endpoint's owner, and governed like any other table. The hook on the
request path only redacts, serialises and appends to the write-ahead file
(``serving.capture_writer``); commits happen in the background.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from lakeai.catalog.names import parse
from lakeai.catalog.privileges import Privilege
from lakeai.core.clock import now_ms
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists
from lakeai.serving.capture_writer import CaptureWriter
from lakeai.serving.invoke import CapturedCall, EndpointSnapshot
from lakeai.serving.redaction import Redactor, limit_size, parse_patterns

if TYPE_CHECKING:
    from lakeai.services import Services

log = logging.getLogger(__name__)

PAYLOAD_SCHEMA = pa.schema(
    [
        pa.field("databricks_request_id", pa.string(), nullable=False),
        pa.field("client_request_id", pa.string()),
        pa.field("date", pa.date32(), nullable=False),
        pa.field("timestamp_ms", pa.int64(), nullable=False),
        pa.field("status_code", pa.int32(), nullable=False),
        pa.field("execution_time_ms", pa.int64()),
        pa.field("request", pa.string()),
        pa.field("response", pa.string()),
        pa.field("served_entity_id", pa.string()),
        pa.field("request_metadata", pa.map_(pa.string(), pa.string())),
        pa.field("requester", pa.string()),
        pa.field("sampling_fraction", pa.float64()),
    ]
)
FEEDBACK_SCHEMA = pa.schema(
    [
        pa.field("request_id", pa.string(), nullable=False),
        pa.field("timestamp_ms", pa.int64(), nullable=False),
        pa.field("requester", pa.string()),
        pa.field("rating", pa.float64()),
        pa.field("comment", pa.string()),
        pa.field("label", pa.string()),
    ]
)
SCHEMAS = {"payload": PAYLOAD_SCHEMA, "feedback": FEEDBACK_SCHEMA}
TABLE_CHECK_SECONDS = 30.0  # how long a resolved table (and the owner's MODIFY) is trusted
MAX_TEXT = 10_000  # longest feedback comment or label, in characters


@dataclass(frozen=True)
class CaptureTarget:
    payload: str
    feedback: str
    sampling_fraction: float


def capture_target(snap: EndpointSnapshot) -> CaptureTarget | None:
    """Where an endpoint's calls go, or None when capture is off (AI gateway config first)."""
    gateway, legacy = snap.gateway.inference_table_config, snap.config.auto_capture_config
    config = (
        gateway if gateway and gateway.enabled else legacy if legacy and legacy.enabled else None
    )
    if config is None:
        return None
    prefix = config.table_name_prefix or snap.name.replace("-", "_")
    base = f"{config.catalog_name or 'main'}.{config.schema_name or 'default'}.{prefix}"
    fraction = getattr(config, "sampling_fraction", None)  # no Databricks shape carries one yet
    return CaptureTarget(f"{base}_payload", f"{base}_feedback", float(fraction or 1.0))


def to_arrow(kind: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = SCHEMAS[kind]
    if kind == "payload":  # copies: a batch that fails is converted again on its retry
        rows = [
            {
                **row,
                "date": datetime.fromtimestamp(row["timestamp_ms"] / 1000, UTC).date(),
                "request_metadata": list(row["request_metadata"].items()),
            }
            for row in rows
        ]
    return pa.Table.from_pylist(rows, schema=schema)


class InferenceTableService:
    """Registers the capture hook, owns the writer, takes feedback, compares served entities."""

    def __init__(self, services: Services) -> None:
        self.s = services
        self.p = services.platform
        settings = self.p.settings
        self.redactor = Redactor(parse_patterns(str(settings.inference_tables_redact_patterns)))
        self.max_bytes = int(settings.inference_tables_max_payload_bytes)
        self.writer = CaptureWriter(
            self.p.root / "inference_tables" / "wal",
            self._resolve,
            to_arrow,
            flush_seconds=float(settings.inference_tables_flush_seconds),
            flush_rows=int(settings.inference_tables_flush_rows),
            max_pending=int(settings.inference_tables_max_pending),
        )
        self._tables: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._random = random.Random()
        self.hook_errors = 0

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Open the WAL (replaying a crashed run's records) and hook into every query."""
        with self._lock:
            if self.writer.wal is not None:
                return
            try:
                self.writer.open()
            except Exception:  # a bad WAL must not keep the server from starting
                log.exception("Replaying the inference-table WAL failed; left for the next start.")
            hooks = self.s.serving_endpoints.invoker.capture_hooks
            if self.capture not in hooks:
                hooks.append(self.capture)

    def close(self) -> None:
        """Unhook, then flush what is queued (a graceful shutdown loses nothing)."""
        if "serving_endpoints" in self.s.__dict__:
            hooks = self.s.serving_endpoints.invoker.capture_hooks
            if self.capture in hooks:
                hooks.remove(self.capture)
        self.writer.close()

    # -- the hook -------------------------------------------------------------------------
    def capture(self, call: CapturedCall) -> None:
        """One call's payload row into the queue; a failure here never fails the request."""
        try:
            snap = self.s.serving_endpoints.snapshot(call.endpoint)
            target = capture_target(snap)
            if target is None:
                return
            if target.sampling_fraction < 1 and self._random.random() >= target.sampling_fraction:
                return
            row = self._payload_row(call, snap, target.sampling_fraction)
            texts = {"request": self._json(call.request), "response": self._json(call.response)}
            self.writer.record(
                {"t": target.payload, "o": snap.owner, "k": "payload", "r": row, "j": texts}
            )
        except Exception as exc:  # the caller already has its answer; count and log
            self.hook_errors += 1
            log.warning("Inference-table capture of a call failed (%s).", type(exc).__name__)

    def _json(self, value: Any) -> str | None:
        """Payload JSON as stored: over the size limit a marker (nothing left to redact)."""
        if value is None:
            return None
        text = json.dumps(value, separators=(",", ":"))
        limited = limit_size(text, self.max_bytes)
        return limited if limited is not text else self.redactor.text(text)

    def _payload_row(self, call: CapturedCall, snap: EndpointSnapshot, fraction: float) -> dict:
        client_id = call.request.get("client_request_id")
        provider, model = snap.infos.get(call.served_entity, ("", ""))
        version = next(
            (e.entity_version for e in snap.config.served_entities if e.name == call.served_entity),
            None,
        )
        return {
            "databricks_request_id": call.request_id,
            "client_request_id": client_id if isinstance(client_id, str) else None,
            "timestamp_ms": now_ms() - call.latency_ms,
            "status_code": call.status_code,
            "execution_time_ms": call.latency_ms,
            "served_entity_id": call.served_entity,
            "request_metadata": {
                "endpoint_name": call.endpoint,
                "served_entity_name": call.served_entity,
                "model_name": model,
                "model_version": version or "",
                "provider": provider,
                "shadow": "true" if getattr(call, "shadow", False) else "false",
            },
            "requester": call.requester,
            "sampling_fraction": fraction,
        }

    # -- tables ---------------------------------------------------------------------------
    def _resolve(self, full_name: str, owner: str, kind: str) -> Any:
        """The table's DeltaTable, created as the endpoint owner on first use."""
        from deltalake import DeltaTable

        cached = self._tables.get(full_name)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        principal = self.p.principals.principal(owner)
        full = parse(full_name, "table")
        row = self.p.securables.find(full)
        if row is None:
            with contextlib.suppress(ResourceAlreadyExists):  # another writer made it first
                self.s.tables.create(
                    principal,
                    full_name,
                    schema=SCHEMAS[kind],
                    comment=f"Inference table ({kind}) written by LakeAI serving.",
                )
            row = self.p.securables.find(full)
            assert row is not None
        self.p.grants.require(principal, Privilege.MODIFY, "table", full_name, action="captureRows")
        dt = DeltaTable(str(row.spec["storage_location"]))  # fresh: it may have been re-created
        self._tables[full_name] = (time.monotonic() + TABLE_CHECK_SECONDS, dt)
        return dt

    # -- feedback -------------------------------------------------------------------------
    def feedback(self, principal: Principal, name: str, body: Any) -> dict[str, Any]:
        """Queue one feedback row for a request of endpoint ``name`` (QUERY on it needed)."""
        snap = self.s.serving_endpoints.snapshot(name)
        self.p.grants.require(
            principal, Privilege.QUERY, "serving_endpoint", name, action="submitFeedback"
        )
        row = _feedback_row(body)
        target = capture_target(snap)
        if target is None:
            raise InvalidParameterValue(
                f"Endpoint {name} has no inference table; enable "
                "ai_gateway.inference_table_config (or auto_capture_config) to collect feedback."
            )
        self.start()
        row["requester"] = principal.name
        for key in ("comment", "label"):
            if row[key] is not None:
                row[key] = self.redactor.value(row[key])
        self.writer.record({"t": target.feedback, "o": snap.owner, "k": "feedback", "r": row})
        return {"request_id": row["request_id"], "feedback_table": target.feedback}

    # -- comparison -----------------------------------------------------------------------
    def compare(self, principal: Principal, name: str) -> dict[str, Any]:
        """Per served entity: requests, errors, latency, cost, ratings, and significance tests."""
        from lakeai.gateway.pricing import PriceTable
        from lakeai.serving.compare import compare_endpoint

        endpoint = self.s.serving_endpoints.get(principal, name)
        try:  # so the comparison sees the calls made until now
            self.s.serving_endpoints.usage.flush()
            if self.writer.wal is not None:
                self.writer.flush()
        except Exception:
            log.warning("Flush before compare failed; comparing committed rows only.")
        return compare_endpoint(
            endpoint, lambda q: self.s.sql.execute(principal, q), PriceTable.load(self.p.root)
        )


def _feedback_row(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidParameterValue("The feedback body must be a JSON object.")
    unknown = sorted(set(body) - {"request_id", "rating", "comment", "label"})
    if unknown:
        raise InvalidParameterValue(
            f"Unknown feedback field(s) {', '.join(unknown)}; valid: request_id, rating, "
            "comment, label."
        )
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or not request_id.strip() or len(request_id) > 256:
        raise InvalidParameterValue(
            "request_id is required: the x-request-id header of the call the feedback is about."
        )
    rating = body.get("rating")
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int | float) or not math.isfinite(rating)
    ):
        raise InvalidParameterValue("rating must be a finite number, e.g. 1 (good) or 0 (bad).")
    row: dict[str, Any] = {"request_id": request_id, "timestamp_ms": now_ms(), "rating": rating}
    for key in ("comment", "label"):
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            raise InvalidParameterValue(f"{key} must be a string of at most {MAX_TEXT} characters.")
        row[key] = value
    if rating is None and row["comment"] is None and row["label"] is None:
        raise InvalidParameterValue("Give at least one of rating, comment or label.")
    return row
