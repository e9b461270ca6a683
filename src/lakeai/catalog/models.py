"""Pydantic shapes of catalog objects, field for field Databricks' Unity Catalog JSON."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Info(BaseModel):
    model_config = ConfigDict(extra="allow")

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class CatalogInfo(_Info):
    name: str
    full_name: str
    catalog_type: str = "MANAGED_CATALOG"
    comment: str | None = None
    properties: dict[str, str] | None = None
    owner: str
    storage_root: str | None = None
    securable_type: str = "CATALOG"
    id: str | None = None
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str


class SchemaInfo(_Info):
    name: str
    catalog_name: str
    full_name: str
    comment: str | None = None
    properties: dict[str, str] | None = None
    owner: str
    storage_root: str | None = None
    schema_id: str | None = None
    securable_type: str = "SCHEMA"
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str


class ColumnInfo(_Info):
    name: str
    type_text: str
    type_name: str
    type_json: str | None = None
    position: int
    nullable: bool = True
    comment: str | None = None


class TableInfo(_Info):
    name: str
    catalog_name: str
    schema_name: str
    full_name: str
    table_type: str = "MANAGED"
    data_source_format: str = "DELTA"
    columns: list[ColumnInfo] = []
    storage_location: str | None = None
    comment: str | None = None
    properties: dict[str, str] | None = None
    owner: str
    table_id: str | None = None
    table_constraints: list[dict[str, Any]] | None = None
    securable_type: str = "TABLE"
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str

    @property
    def primary_key(self) -> list[str]:
        for constraint in self.table_constraints or []:
            pk = constraint.get("primary_key_constraint")
            if pk:
                return list(pk.get("child_columns") or [])
        return []


class VolumeInfo(_Info):
    name: str
    catalog_name: str
    schema_name: str
    full_name: str
    volume_type: str = "MANAGED"
    storage_location: str | None = None
    comment: str | None = None
    owner: str
    volume_id: str | None = None
    securable_type: str = "VOLUME"
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str
