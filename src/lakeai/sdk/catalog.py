"""Catalogs, schemas, volumes and grants over Unity Catalog's REST API.

Same names and signatures as the in-process services (minus the principal) and the same
pydantic models back, so code written against ``lakeai.Workspace`` runs unchanged remotely.
"""

from __future__ import annotations

from typing import Any

from lakeai.catalog.models import CatalogInfo, SchemaInfo, VolumeInfo
from lakeai.sdk.http import Transport, segment

UC = "/api/2.1/unity-catalog"


class RemoteCatalogs:
    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(
        self, name: str, *, comment: str | None = None, properties: dict[str, str] | None = None
    ) -> CatalogInfo:
        body = {"name": name, "comment": comment, "properties": properties}
        return CatalogInfo(**self._http.post(f"{UC}/catalogs", body))

    def get(self, name: str) -> CatalogInfo:
        return CatalogInfo(**self._http.get(f"{UC}/catalogs/{segment(name)}"))

    def list(self) -> list[CatalogInfo]:
        return [CatalogInfo(**c) for c in self._http.pages(f"{UC}/catalogs", "catalogs")]

    def update(
        self,
        name: str,
        *,
        comment: str | None = None,
        owner: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> CatalogInfo:
        body = {"comment": comment, "owner": owner, "properties": properties}
        return CatalogInfo(**self._http.patch(f"{UC}/catalogs/{segment(name)}", body))

    def delete(self, name: str, *, force: bool = False) -> None:
        self._http.delete(f"{UC}/catalogs/{segment(name)}", force=str(force).lower())


class RemoteSchemas:
    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(
        self,
        catalog_name: str,
        name: str,
        *,
        comment: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> SchemaInfo:
        body = {
            "catalog_name": catalog_name,
            "name": name,
            "comment": comment,
            "properties": properties,
        }
        return SchemaInfo(**self._http.post(f"{UC}/schemas", body))

    def get(self, full_name: str) -> SchemaInfo:
        return SchemaInfo(**self._http.get(f"{UC}/schemas/{segment(full_name)}"))

    def list(self, catalog_name: str) -> list[SchemaInfo]:
        found = self._http.pages(f"{UC}/schemas", "schemas", catalog_name=catalog_name)
        return [SchemaInfo(**s) for s in found]

    def update(
        self,
        full_name: str,
        *,
        comment: str | None = None,
        owner: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> SchemaInfo:
        body = {"comment": comment, "owner": owner, "properties": properties}
        return SchemaInfo(**self._http.patch(f"{UC}/schemas/{segment(full_name)}", body))

    def delete(self, full_name: str, *, force: bool = False) -> None:
        self._http.delete(f"{UC}/schemas/{segment(full_name)}", force=str(force).lower())


class RemoteVolumes:
    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(
        self,
        catalog_name: str,
        schema_name: str,
        name: str,
        *,
        volume_type: str = "MANAGED",
        storage_location: str | None = None,
        comment: str | None = None,
    ) -> VolumeInfo:
        body = {
            "catalog_name": catalog_name,
            "schema_name": schema_name,
            "name": name,
            "volume_type": volume_type,
            "storage_location": storage_location,
            "comment": comment,
        }
        return VolumeInfo(**self._http.post(f"{UC}/volumes", body))

    def get(self, full_name: str) -> VolumeInfo:
        return VolumeInfo(**self._http.get(f"{UC}/volumes/{segment(full_name)}"))

    def list(self, catalog_name: str, schema_name: str) -> list[VolumeInfo]:
        found = self._http.pages(
            f"{UC}/volumes", "volumes", catalog_name=catalog_name, schema_name=schema_name
        )
        return [VolumeInfo(**v) for v in found]

    def update(
        self, full_name: str, *, comment: str | None = None, owner: str | None = None
    ) -> VolumeInfo:
        body = {"comment": comment, "owner": owner}
        return VolumeInfo(**self._http.patch(f"{UC}/volumes/{segment(full_name)}", body))

    def delete(self, full_name: str) -> None:
        self._http.delete(f"{UC}/volumes/{segment(full_name)}")


class RemoteGrants:
    """Privilege assignments: ``[{"principal", "privileges"}]``, as ``GrantService`` returns."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def _path(self, securable_type: str, full_name: str) -> str:
        return f"{UC}/permissions/{segment(securable_type.lower())}/{segment(full_name)}"

    def get(
        self, securable_type: str, full_name: str, *, only: str | None = None
    ) -> list[dict[str, Any]]:
        body = self._http.get(self._path(securable_type, full_name), principal=only)
        return _assignments(body)

    def update(
        self, securable_type: str, full_name: str, changes: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        body = self._http.patch(self._path(securable_type, full_name), {"changes": changes})
        return _assignments(body)


def _assignments(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"principal": a["principal"], "privileges": list(a.get("privileges") or [])}
        for a in body.get("privilege_assignments") or []
    ]
