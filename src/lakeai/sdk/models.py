"""Registered models over Unity Catalog's REST API: ``ModelRegistryService``'s methods, remotely.

Logging and loading go through MLflow's own client against the same server
(``mlflow.set_tracking_uri(url)`` with ``MLFLOW_TRACKING_TOKEN``); ``tracking_uri`` says where.
"""

from __future__ import annotations

import builtins
from typing import Any

from lakeai.sdk.http import Transport, segment

BASE = "/api/2.1/unity-catalog/models"


class RemoteModels:
    """``ws.models``: registered models, versions and aliases of a LakeAI server."""

    def __init__(self, http: Transport, url: str = "") -> None:
        self._http = http
        self.tracking_uri = url  # what ``mlflow.set_tracking_uri`` takes for this server
        self.registry_uri = url

    def _path(self, full_name: str, tail: str = "") -> str:
        return f"{BASE}/{segment(full_name)}{tail}"

    def create(self, full_name: str, *, comment: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"full_name": full_name, "comment": comment}
        parts = full_name.split(".")
        if len(parts) == 3:  # otherwise the server says what a name must look like
            body.update(zip(("catalog_name", "schema_name", "name"), parts, strict=True))
        return self._http.post(BASE, body)

    def get(self, full_name: str, *, include_aliases: bool = True) -> dict[str, Any]:
        return self._http.get(self._path(full_name), include_aliases=include_aliases)

    def list(
        self, *, catalog_name: str | None = None, schema_name: str | None = None
    ) -> builtins.list[dict[str, Any]]:
        params = {"catalog_name": catalog_name, "schema_name": schema_name}
        return self._http.pages(BASE, "registered_models", **params)

    def update(
        self, full_name: str, *, comment: str | None = None, owner: str | None = None
    ) -> dict[str, Any]:
        return self._http.patch(self._path(full_name), {"comment": comment, "owner": owner})

    def delete(self, full_name: str) -> None:
        self._http.delete(self._path(full_name))

    def get_version(self, full_name: str, version: int | str) -> dict[str, Any]:
        return self._http.get(self._path(full_name, f"/versions/{segment(str(version))}"))

    def list_versions(self, full_name: str) -> builtins.list[dict[str, Any]]:
        return self._http.pages(self._path(full_name, "/versions"), "model_versions")

    def update_version(
        self, full_name: str, version: int | str, *, comment: str | None = None
    ) -> dict[str, Any]:
        path = self._path(full_name, f"/versions/{segment(str(version))}")
        return self._http.patch(path, {"comment": comment})

    def delete_version(self, full_name: str, version: int | str) -> None:
        self._http.delete(self._path(full_name, f"/versions/{segment(str(version))}"))

    def set_alias(self, full_name: str, alias: str, version: int) -> dict[str, Any]:
        path = self._path(full_name, f"/aliases/{segment(alias)}")
        return self._http.json("PUT", path, json={"version_num": int(version)})

    def delete_alias(self, full_name: str, alias: str) -> None:
        self._http.delete(self._path(full_name, f"/aliases/{segment(alias)}"))

    def get_by_alias(self, full_name: str, alias: str) -> dict[str, Any]:
        return self._http.get(self._path(full_name, f"/aliases/{segment(alias)}"))
