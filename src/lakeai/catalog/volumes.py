"""Volumes: governed folders of files (documents, models, raw data) under a schema."""

from __future__ import annotations

import shutil
from pathlib import Path

from lakeai.catalog.models import VolumeInfo
from lakeai.catalog.names import parse
from lakeai.catalog.privileges import Privilege
from lakeai.catalog.service import SYSTEM_CATALOG, _common
from lakeai.core.audit import AuditEvent
from lakeai.core.models import SecurableRow
from lakeai.core.platform import Platform
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, PermissionDenied

VOLUME_TYPES = ("MANAGED", "EXTERNAL")


def volume_info(row: SecurableRow) -> VolumeInfo:
    catalog, schema, name = row.full_name.split(".")
    common = _common(row)
    common.pop("properties")
    return VolumeInfo(
        name=name,
        catalog_name=catalog,
        schema_name=schema,
        full_name=row.full_name,
        volume_type=row.spec.get("volume_type", "MANAGED"),
        storage_location=row.spec.get("storage_location"),
        volume_id=row.id,
        **common,
    )


class VolumeService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    def create(
        self,
        principal: Principal,
        catalog_name: str,
        schema_name: str,
        name: str,
        *,
        volume_type: str = "MANAGED",
        storage_location: str | None = None,
        comment: str | None = None,
    ) -> VolumeInfo:
        full = parse(f"{catalog_name}.{schema_name}.{name}", "volume")
        if full.catalog == SYSTEM_CATALOG:
            raise PermissionDenied("The system catalog is read-only.")
        volume_type = (volume_type or "MANAGED").upper()
        if volume_type not in VOLUME_TYPES:
            raise InvalidParameterValue(f"volume_type must be one of {', '.join(VOLUME_TYPES)}.")
        if volume_type == "EXTERNAL" and not storage_location:
            raise InvalidParameterValue("An EXTERNAL volume needs a storage_location.")
        if volume_type == "MANAGED" and storage_location:
            raise InvalidParameterValue("A MANAGED volume takes no storage_location.")
        schema_full = f"{full.catalog}.{full.schema}"
        self.p.securables.get("catalog", full.catalog)
        self.p.securables.get("schema", schema_full)
        self.p.grants.require(
            principal, Privilege.CREATE_VOLUME, "schema", schema_full, action="createVolume"
        )
        if volume_type == "MANAGED":
            storage_location = str(self.p.volumes_root / full.catalog / full.schema / full.name)
        row = self.p.securables.insert(
            "volume",
            full,
            owner=principal.name,
            comment=comment,
            spec={"volume_type": volume_type, "storage_location": storage_location},
        )
        if volume_type == "MANAGED":
            Path(str(storage_location)).mkdir(parents=True, exist_ok=True)
        self.p.audit.record(AuditEvent(principal.name, "createVolume", "volume", str(full)))
        return volume_info(row)

    def get(self, principal: Principal, full_name: str) -> VolumeInfo:
        full = parse(full_name, "volume")
        row = self.p.securables.get("volume", full)
        self.p.grants.require(
            principal, Privilege.READ_VOLUME, "volume", str(full), action="getVolume"
        )
        return volume_info(row)

    def list(self, principal: Principal, catalog_name: str, schema_name: str) -> list[VolumeInfo]:
        schema_full = parse(f"{catalog_name}.{schema_name}", "schema")
        self.p.securables.get("schema", schema_full)
        self.p.grants.require(
            principal, Privilege.USE_SCHEMA, "schema", str(schema_full), action="listVolumes"
        )
        return [
            volume_info(r)
            for r in self.p.securables.children(schema_full, "volume")
            if self.p.grants.holds(principal, Privilege.READ_VOLUME, "volume", r.full_name)
        ]

    def update(
        self,
        principal: Principal,
        full_name: str,
        *,
        comment: str | None = None,
        owner: str | None = None,
    ) -> VolumeInfo:
        full = parse(full_name, "volume")
        row = self.p.securables.get("volume", full)
        self.p.grants.require(
            principal, Privilege.MANAGE, "volume", str(full), action="updateVolume"
        )
        if owner is not None:
            self.p.principals.get(owner)
        row = self.p.securables.update(row.id, principal.name, comment=comment, owner=owner)
        self.p.audit.record(AuditEvent(principal.name, "updateVolume", "volume", str(full)))
        return volume_info(row)

    def delete(self, principal: Principal, full_name: str) -> None:
        full = parse(full_name, "volume")
        row = self.p.securables.get("volume", full)
        self.p.grants.require(
            principal, Privilege.MANAGE, "volume", str(full), action="deleteVolume"
        )
        self.p.securables.delete_tree(full)
        self.p.grants.drop_all(full)
        if row.spec.get("volume_type") == "MANAGED":
            shutil.rmtree(str(row.spec["storage_location"]), ignore_errors=True)
        self.p.audit.record(AuditEvent(principal.name, "deleteVolume", "volume", str(full)))
