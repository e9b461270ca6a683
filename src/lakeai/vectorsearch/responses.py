"""Databricks' JSON shapes for indexes, query results and scans."""

from __future__ import annotations

from typing import Any

from lakeai.core.models import SecurableRow


def _detailed_state(row: SecurableRow, status: dict[str, Any]) -> tuple[str, bool, str]:
    state = status["state"]
    if row.spec.get("index_type") == "DIRECT_ACCESS":
        return "ONLINE_DIRECT_ACCESS", True, "Ready for upserts and queries."
    if state.phase == "PROVISIONING_INITIAL_SNAPSHOT":
        return "PROVISIONING_INITIAL_SNAPSHOT", False, "The first sync is running."
    if state.phase == "FAILED":
        return "OFFLINE_FAILED", False, f"The first sync failed: {state.last_error}"
    checkpoint = status["store"].get("checkpoint")
    if state.last_error:
        return "ONLINE_PIPELINE_FAILED", True, f"The last sync failed: {state.last_error}"
    if checkpoint is not None and status["latest"] is not None and checkpoint >= status["latest"]:
        return "ONLINE_NO_PENDING_UPDATE", True, "In sync with the source table."
    kind = "CONTINUOUS" if row.spec.get("pipeline_type") == "CONTINUOUS" else "TRIGGERED"
    return f"ONLINE_{kind}_UPDATE", True, "The source table has versions not yet synced."


def index_json(
    row: SecurableRow, status: dict[str, Any] | None, *, brief: bool = False
) -> dict[str, Any]:
    spec = row.spec
    body: dict[str, Any] = {
        "name": row.full_name,
        "endpoint_name": spec["endpoint_name"],
        "primary_key": spec["primary_key"],
        "index_type": spec["index_type"],
        "index_subtype": spec.get("index_subtype", "VECTOR"),
        "creator": row.created_by,
        "id": row.id,
        "similarity_metric": spec.get("similarity_metric", "cosine"),
    }
    if brief:
        return body
    request = spec.get("request", {})
    if spec["index_type"] == "DELTA_SYNC":
        sync = dict(request.get("delta_sync_index_spec") or {})
        sync.update(
            source_table=spec["source_table"],
            pipeline_type=spec["pipeline_type"],
            pipeline_id=row.id,
        )
        body["delta_sync_index_spec"] = sync
    else:
        body["direct_access_index_spec"] = request.get("direct_access_index_spec") or {}
    if status is not None:
        detailed, ready, message = _detailed_state(row, status)
        store = status["store"]
        checkpoint = store.get("checkpoint")
        latest = status["latest"]
        body["status"] = {
            "detailed_state": detailed,
            "ready": ready,
            "message": message,
            "indexed_row_count": store.get("indexed_row_count", 0),
            "index_url": status.get("index_url"),
            "last_synced_version": checkpoint,
            "latest_table_version": latest,
            "lag_versions": (latest - checkpoint)
            if latest is not None and checkpoint is not None
            else None,
            "pipeline_state": status["state"].phase,
            "last_error": status["state"].last_error,
            "full_rebuilds": status["state"].full_rebuilds,
        }
        body["status"] = {k: v for k, v in body["status"].items() if v is not None}
    return body


def query_json(columns: list[str], rows: list[list[Any]], next_page_token: str) -> dict[str, Any]:
    return {
        "manifest": {"column_count": len(columns), "columns": [{"name": c} for c in columns]},
        "result": {"row_count": len(rows), "data_array": rows},
        "next_page_token": next_page_token,
    }


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"bool_value": value}
    if isinstance(value, (int, float)):
        return {"number_value": value}
    if isinstance(value, (list, tuple)):
        return {"list_value": {"values": [_value(v) for v in value]}}
    if isinstance(value, dict):
        return {
            "struct_value": {"fields": [{"key": k, "value": _value(v)} for k, v in value.items()]}
        }
    if value is None:
        return {}
    return {"string_value": str(value)}


def scan_json(rows: list[dict[str, Any]], primary_key: str) -> dict[str, Any]:
    if not rows:
        return {"data": []}
    data = [{"fields": [{"key": k, "value": _value(v)} for k, v in row.items()]} for row in rows]
    return {"data": data, "last_primary_key": str(rows[-1][primary_key])}
