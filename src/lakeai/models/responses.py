"""Unity Catalog's shapes of models (databricks-sdk ``RegisteredModelInfo``,
``ModelVersionInfo``, ``RegisteredModelAlias``), built from the securable and MLflow's
entities."""

from __future__ import annotations

from typing import Any

from lakeai.core.models import SecurableRow

STATUS = {  # MLflow's model version status -> Unity Catalog's
    "READY": "READY",
    "PENDING_REGISTRATION": "PENDING_REGISTRATION",
    "FAILED_REGISTRATION": "FAILED_REGISTRATION",
}


def _parts(full_name: str) -> dict[str, str]:
    catalog, schema, _ = full_name.split(".")
    return {"catalog_name": catalog, "schema_name": schema}


def alias_info(full_name: str, alias: str, version: int) -> dict[str, Any]:
    catalog, schema, name = full_name.split(".")
    return {
        "alias_name": alias,
        "version_num": int(version),
        "catalog_name": catalog,
        "schema_name": schema,
        "model_name": name,
    }


def model_info(row: SecurableRow, aliases: dict[str, int] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "full_name": row.full_name,
        "name": row.name,
        **_parts(row.full_name),
        "owner": row.owner,
        "comment": row.comment,
        "storage_location": row.spec.get("storage_location"),
        "created_at": row.created_at,
        "created_by": row.created_by,
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
    }
    if aliases is not None:
        body["aliases"] = [
            {"alias_name": a, "version_num": int(v)} for a, v in sorted(aliases.items())
        ]
    return {k: v for k, v in body.items() if v is not None}


def version_info(full_name: str, mv: Any, storage_location: str | None = None) -> dict[str, Any]:
    """A ModelVersionInfo from an MLflow ``ModelVersion`` entity."""
    version = int(mv.version)
    body: dict[str, Any] = {
        "model_name": full_name.split(".")[2],
        **_parts(full_name),
        "version": version,
        "id": f"{full_name}/{version}",
        "source": mv.source,
        "run_id": mv.run_id or None,
        "status": STATUS.get(str(mv.status), "READY"),
        "storage_location": storage_location or mv.source,
        "comment": mv.description or None,
        "created_at": mv.creation_timestamp,
        "created_by": mv.user_id or None,
        "updated_at": mv.last_updated_timestamp,
        "aliases": [{"alias_name": a, "version_num": version} for a in sorted(mv.aliases or [])],
    }
    return {k: v for k, v in body.items() if v is not None}
