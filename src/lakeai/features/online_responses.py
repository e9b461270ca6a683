"""Databricks' OnlineTable JSON shape (``databricks.sdk.service.catalog.OnlineTable``).

The SDK's waiter polls ``unity_catalog_provisioning_state`` until ACTIVE, so the spellings
here must be exactly the SDK's enum values (an unknown value parses as None and spins).
LakeAI adds its own counters inside ``status`` (clients ignore unknown keys).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lakeai.core.models import SecurableRow
from lakeai.features.online_pipelines import OnlineState


def _states(mode: str, state: OnlineState) -> tuple[str, str, str]:
    if state.phase == "PROVISIONING":
        return "PROVISIONING", "PROVISIONING_INITIAL_SNAPSHOT", "The first sync is running."
    if state.phase == "FAILED":
        return "FAILED", "OFFLINE_FAILED", f"The first sync failed: {state.last_error}"
    if mode == "CONTINUOUS":
        return "ACTIVE", "ONLINE_CONTINUOUS_UPDATE", "Applying each new table version."
    if state.syncing:
        return "ACTIVE", "ONLINE_TRIGGERED_UPDATE", "A refresh is running."
    return "ACTIVE", "ONLINE_NO_PENDING_UPDATE", "No refresh is running."


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat().replace("+00:00", "Z")


def spec_json(row: SecurableRow) -> dict[str, Any]:
    spec = row.spec
    body: dict[str, Any] = {
        "source_table_full_name": spec["source_table"],
        "primary_key_columns": spec["primary_key_columns"],
        "perform_full_copy": spec["mode"] == "SNAPSHOT",
        "pipeline_id": row.id,
    }
    if spec.get("timeseries_key"):
        body["timeseries_key"] = spec["timeseries_key"]
    body["run_continuously" if spec["mode"] == "CONTINUOUS" else "run_triggered"] = {}
    return body


def online_table_json(
    row: SecurableRow, store: dict[str, Any], state: OnlineState, latest: int | None
) -> dict[str, Any]:
    mode = row.spec["mode"]
    provisioning, detailed, message = _states(mode, state)
    checkpoint = store.get("checkpoint")
    update = {"last_processed_commit_version": checkpoint, "timestamp": _iso(state.last_sync_ms)}
    update = {k: v for k, v in update.items() if v is not None}
    status: dict[str, Any] = {"detailed_state": detailed, "message": message}
    if provisioning == "FAILED":
        status["failed_status"] = update
    elif provisioning == "PROVISIONING":
        status["provisioning_status"] = {}
    elif mode == "CONTINUOUS":
        status["continuous_update_status"] = update
    else:
        status["triggered_update_status"] = update
    status.update(
        indexed_row_count=store.get("row_count", 0),
        last_synced_version=checkpoint,
        latest_table_version=latest,
        last_error=state.last_error,
        mode=mode,
        engine=store.get("engine"),
    )
    return {
        "name": row.full_name,
        "spec": spec_json(row),
        "status": {k: v for k, v in status.items() if v is not None},
        "unity_catalog_provisioning_state": provisioning,
    }
