"""Catalogs and schemas: create, get, list, update and delete, governed and audited."""

from __future__ import annotations

import shutil
from typing import Any

from lakeai.catalog.models import CatalogInfo, SchemaInfo
from lakeai.catalog.names import FullName, parse
from lakeai.catalog.privileges import Privilege
from lakeai.core.audit import AuditEvent
from lakeai.core.models import SecurableRow
from lakeai.core.platform import Platform
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, PermissionDenied, ResourceConflict

SYSTEM_CATALOG = "system"


def _common(row: SecurableRow) -> dict[str, Any]:
    return {
        "comment": row.comment,
        "properties": row.properties or None,
        "owner": row.owner,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
    }


def catalog_info(row: SecurableRow) -> CatalogInfo:
    kind = "SYSTEM_CATALOG" if row.name == SYSTEM_CATALOG else "MANAGED_CATALOG"
    return CatalogInfo(
        name=row.name,
        full_name=row.full_name,
        catalog_type=kind,
        storage_root=row.spec.get("storage_root"),
        id=row.id,
        **_common(row),
    )


def schema_info(row: SecurableRow) -> SchemaInfo:
    catalog, _ = row.full_name.split(".")
    return SchemaInfo(
        name=row.name,
        catalog_name=catalog,
        full_name=row.full_name,
        storage_root=row.spec.get("storage_root"),
        schema_id=row.id,
        **_common(row),
    )


def _check_properties(properties: dict[str, Any] | None) -> dict[str, str] | None:
    if properties is None:
        return None
    if not isinstance(properties, dict):
        raise InvalidParameterValue("properties must be an object of string keys and values.")
    return {str(k): str(v) for k, v in properties.items()}


class _ContainerService:
    """Shared plumbing of the catalog and schema services."""

    def __init__(self, platform: Platform) -> None:
        self.p = platform

    def _audit(
        self, principal: Principal, action: str, stype: str, name: str, detail: str = ""
    ) -> None:
        self.p.audit.record(AuditEvent(principal.name, action, stype, name, detail=detail or None))

    def _guard_system(self, name: FullName, principal: Principal, action: str) -> None:
        if name.catalog == SYSTEM_CATALOG:
            self.p.audit.record(
                AuditEvent(principal.name, action, "catalog", SYSTEM_CATALOG, "DENIED", "read-only")
            )
            raise PermissionDenied("The system catalog is read-only; it holds platform tables.")

    def _update(
        self,
        stype: str,
        principal: Principal,
        name: str,
        comment: str | None,
        owner: str | None,
        properties: dict[str, str] | None,
    ) -> SecurableRow:
        """Change comment, owner or properties; MANAGE needed (owners and admins hold it)."""
        full = parse(name, stype)
        action = f"update{stype.capitalize()}"
        self._guard_system(full, principal, action)
        row = self.p.securables.get(stype, full)
        self.p.grants.require(principal, Privilege.MANAGE, stype, str(full), action=action)
        row = self.p.securables.update(
            row.id,
            principal.name,
            comment=comment,
            owner=self._check_owner(owner),
            properties=_merge(row.properties, _check_properties(properties)),
        )
        self._audit(principal, action, stype, str(full), _changed(comment, owner, properties))
        return row

    def _check_owner(self, owner: str | None) -> str | None:
        if owner is not None:
            self.p.principals.get(owner)
        return owner


class CatalogService(_ContainerService):
    """Catalogs: the top of the three-level namespace."""

    def create(
        self,
        principal: Principal,
        name: str,
        *,
        comment: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> CatalogInfo:
        full = parse(name, "catalog")
        self._guard_system(full, principal, "createCatalog")
        self.p.grants.require(
            principal, Privilege.CREATE_CATALOG, "metastore", "metastore", action="createCatalog"
        )
        root = self.p.warehouse / full.catalog
        row = self.p.securables.insert(
            "catalog",
            full,
            owner=principal.name,
            comment=comment,
            properties=_check_properties(properties),
            spec={"storage_root": str(root)},
        )
        self._audit(principal, "createCatalog", "catalog", str(full))
        return catalog_info(row)

    def get(self, principal: Principal, name: str) -> CatalogInfo:
        full = parse(name, "catalog")
        row = self.p.securables.get("catalog", full)
        self.p.grants.require(
            principal, Privilege.USE_CATALOG, "catalog", str(full), action="getCatalog"
        )
        return catalog_info(row)

    def list(self, principal: Principal) -> list[CatalogInfo]:
        rows = self.p.securables.list_type("catalog")
        return [
            catalog_info(r)
            for r in rows
            if self.p.grants.holds(principal, Privilege.USE_CATALOG, "catalog", r.full_name)
        ]

    def update(
        self,
        principal: Principal,
        name: str,
        *,
        comment: str | None = None,
        owner: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> CatalogInfo:
        row = self._update("catalog", principal, name, comment, owner, properties)
        return catalog_info(row)

    def delete(self, principal: Principal, name: str, *, force: bool = False) -> None:
        full = parse(name, "catalog")
        self._guard_system(full, principal, "deleteCatalog")
        self.p.securables.get("catalog", full)
        self.p.grants.require(
            principal, Privilege.MANAGE, "catalog", str(full), action="deleteCatalog"
        )
        children = [c for c in self.p.securables.children(full) if c.name != "default"]
        nested = [
            g
            for c in self.p.securables.children(full)
            for g in self.p.securables.children(c.full_name)
        ]
        if (children or nested) and not force:
            raise ResourceConflict(
                f"Catalog '{full}' is not empty; delete its schemas first or pass force=true."
            )
        self.p.securables.delete_tree(full)
        self.p.grants.drop_all(full)
        shutil.rmtree(self.p.warehouse / full.catalog, ignore_errors=True)
        shutil.rmtree(self.p.volumes_root / full.catalog, ignore_errors=True)
        self._audit(principal, "deleteCatalog", "catalog", str(full))


class SchemaService(_ContainerService):
    """Schemas: the second level, holding tables, volumes and functions."""

    def create(
        self,
        principal: Principal,
        catalog_name: str,
        name: str,
        *,
        comment: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> SchemaInfo:
        full = parse(f"{catalog_name}.{name}", "schema")
        self._guard_system(full, principal, "createSchema")
        self.p.securables.get("catalog", full.catalog)
        self.p.grants.require(
            principal, Privilege.CREATE_SCHEMA, "catalog", full.catalog, action="createSchema"
        )
        row = self.p.securables.insert(
            "schema",
            full,
            owner=principal.name,
            comment=comment,
            properties=_check_properties(properties),
            spec={"storage_root": str(self.p.warehouse / full.catalog / full.schema)},
        )
        self._audit(principal, "createSchema", "schema", str(full))
        return schema_info(row)

    def get(self, principal: Principal, full_name: str) -> SchemaInfo:
        full = parse(full_name, "schema")
        self.p.securables.get("catalog", full.catalog)
        row = self.p.securables.get("schema", full)
        self.p.grants.require(
            principal, Privilege.USE_SCHEMA, "schema", str(full), action="getSchema"
        )
        return schema_info(row)

    def list(self, principal: Principal, catalog_name: str) -> list[SchemaInfo]:
        catalog = parse(catalog_name, "catalog")
        self.p.securables.get("catalog", catalog)
        self.p.grants.require(
            principal, Privilege.USE_CATALOG, "catalog", str(catalog), action="listSchemas"
        )
        return [
            schema_info(r)
            for r in self.p.securables.children(catalog, "schema")
            if self.p.grants.holds(principal, Privilege.USE_SCHEMA, "schema", r.full_name)
        ]

    def update(
        self,
        principal: Principal,
        full_name: str,
        *,
        comment: str | None = None,
        owner: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> SchemaInfo:
        row = self._update("schema", principal, full_name, comment, owner, properties)
        return schema_info(row)

    def delete(self, principal: Principal, full_name: str, *, force: bool = False) -> None:
        full = parse(full_name, "schema")
        self._guard_system(full, principal, "deleteSchema")
        self.p.securables.get("schema", full)
        self.p.grants.require(
            principal, Privilege.MANAGE, "schema", str(full), action="deleteSchema"
        )
        if self.p.securables.children(full) and not force:
            raise ResourceConflict(
                f"Schema '{full}' is not empty; delete its tables and volumes first or pass force=true."
            )
        self.p.securables.delete_tree(full)
        self.p.grants.drop_all(full)
        shutil.rmtree(self.p.warehouse / full.catalog / full.schema, ignore_errors=True)
        shutil.rmtree(self.p.volumes_root / full.catalog / full.schema, ignore_errors=True)
        self._audit(principal, "deleteSchema", "schema", str(full))


def _merge(current: dict[str, str] | None, new: dict[str, str] | None) -> dict[str, str] | None:
    if new is None:
        return None
    return {**(current or {}), **new}


def _changed(comment: str | None, owner: str | None, properties: dict[str, Any] | None) -> str:
    changed = [
        k
        for k, v in (("comment", comment), ("owner", owner), ("properties", properties))
        if v is not None
    ]
    return "changed " + ",".join(changed) if changed else ""
