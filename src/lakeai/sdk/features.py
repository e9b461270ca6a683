"""Online tables and feature specs over REST: the in-process services' methods, remotely.

Online tables speak Databricks' ``/api/2.0/online-tables`` (the create body is the OnlineTable
itself) plus LakeAI's sync and lookup paths; feature specs speak the feature engineering
client's ``/api/2.0/feature-store/feature-spec`` plus LakeAI's list, evaluate, training-set
and parity paths. ``list`` and ``evaluate`` have no in-process method of the same name yet
(``lakeai.features.apply`` holds the equivalents), so they are remote extras for now.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from lakeai.sdk.http import Transport, segment
from lakeai.sdk.tables import ARROW_STREAM, from_ipc, to_ipc

ONLINE = "/api/2.0/online-tables"
ONLINE_OWN = "/api/2.0/lakeai/online-tables"
SPECS = "/api/2.0/feature-store/feature-spec"
SPECS_OWN = "/api/2.0/lakeai/feature-specs"


class RemoteOnlineTables:
    """``ws.online_tables``: create, read, sync, look up and drop online tables."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(
        self,
        name: str,
        *,
        source_table_full_name: str,
        primary_key_columns: list[str],
        run_triggered: bool = False,
        run_continuously: bool = False,
        timeseries_key: str | None = None,
        perform_full_copy: bool = False,
        columns: list[str] | None = None,
    ) -> dict[str, Any]:
        spec = {
            "source_table_full_name": source_table_full_name,
            "primary_key_columns": list(primary_key_columns),
            "run_triggered": {} if run_triggered else None,
            "run_continuously": {} if run_continuously else None,
            "timeseries_key": timeseries_key,
            "perform_full_copy": perform_full_copy or None,
            "columns": list(columns) if columns else None,
        }
        body = {"name": name, "spec": {k: v for k, v in spec.items() if v is not None}}
        return self._http.post(ONLINE, body)

    def get(self, name: str) -> dict[str, Any]:
        return self._http.get(f"{ONLINE}/{segment(name)}")

    def list(self, catalog_name: str, schema_name: str) -> list[dict[str, Any]]:
        answer = self._http.get(ONLINE_OWN, catalog_name=catalog_name, schema_name=schema_name)
        return list(answer.get("online_tables") or [])

    def delete(self, name: str) -> None:
        self._http.delete(f"{ONLINE}/{segment(name)}")

    def sync(self, name: str) -> dict[str, Any]:
        """A triggered refresh; answers the versions and row counts it applied."""
        return self._http.post(f"{ONLINE_OWN}/{segment(name)}/sync")

    def lookup(self, name: str, keys: list[Any]) -> list[dict[str, Any] | None]:
        answer = self._http.post(f"{ONLINE_OWN}/{segment(name)}/lookup", {"keys": keys})
        return list(answer.get("rows") or [])


class RemoteFeatureSpecs:
    """``ws.feature_specs``: create, read, evaluate and drop feature specs."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(
        self,
        name: str,
        *,
        features: list[dict[str, Any]],
        exclude_columns: list[str] | None = None,
        comment: str | None = None,
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "features": features,
            "exclude_columns": exclude_columns,
            "comment": comment,
        }
        return dict(self._http.post(f"{SPECS}/create", body).get("feature_spec_info") or {})

    def get(self, name: str) -> dict[str, Any]:
        return dict(self._http.get(f"{SPECS}/{segment(name)}").get("feature_spec_info") or {})

    def list(self, catalog_name: str, schema_name: str) -> list[dict[str, Any]]:
        answer = self._http.get(SPECS_OWN, catalog_name=catalog_name, schema_name=schema_name)
        return list(answer.get("feature_specs") or [])

    def delete(self, name: str) -> None:
        self._http.delete(f"{SPECS}/{segment(name)}")

    def evaluate(self, name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One output object per request row, as a feature serving endpoint answers."""
        answer = self._http.post(f"{SPECS_OWN}/{segment(name)}/evaluate", {"rows": rows})
        return list(answer.get("outputs") or [])

    def create_training_set(
        self, labels: Any, features: str | list[dict[str, Any]], **options: Any
    ) -> pa.Table:
        """The labels (sent as Arrow, so their types survive) with every feature appended."""
        params = {
            "features": features if isinstance(features, str) else json.dumps(features),
            "timestamp_column": options.pop("timestamp_column", None),
            "exclude_columns": json.dumps(list(options.pop("exclude_columns", ()))),
        }
        if options:
            from lakeai.errors import InvalidParameterValue

            raise InvalidParameterValue(
                f"Unknown options {sorted(options)}; valid: timestamp_column, exclude_columns."
            )
        from lakeai.tables.data import to_arrow

        response = self._http.raw(
            "POST",
            f"{SPECS_OWN}/training-set",
            params=params,
            content=to_ipc(to_arrow(labels)),
            headers={"Content-Type": ARROW_STREAM},
        )
        return from_ipc(response.content)

    def check_parity(self, name: str, **options: Any) -> dict[str, Any]:
        """Online against offline values (``sample``, ``seed``, ``request``)."""
        return self._http.post(f"{SPECS_OWN}/{segment(name)}/check-parity", options)
