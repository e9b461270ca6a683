"""Unity Catalog tables: /api/2.1/unity-catalog/tables (metadata; data is in table_data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lakeai.server.deps import PrincipalDep, ServicesDep, paginate
from lakeai.server.routers._models import Body

router = APIRouter(tags=["tables"])


class CreateTable(Body):
    name: str
    catalog_name: str
    schema_name: str
    table_type: str | None = None
    data_source_format: str | None = None
    columns: list[dict[str, Any]] | None = None
    storage_location: str | None = None
    comment: str | None = None
    properties: dict[str, str] | None = None
    primary_key: list[str] | None = None
    partition_by: list[str] | None = None


class UpdateTable(Body):
    owner: str | None = None
    comment: str | None = None
    properties: dict[str, str] | None = None


@router.post("/tables")
def create_table(body: CreateTable, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    from lakeai.errors import InvalidParameterValue

    if body.data_source_format and body.data_source_format.upper() != "DELTA":
        raise InvalidParameterValue(
            "LakeAI tables are Delta tables: data_source_format must be DELTA."
        )
    full = f"{body.catalog_name}.{body.schema_name}.{body.name}"
    if body.columns is None and body.storage_location:
        info = s.tables.register(
            p, full, body.storage_location, comment=body.comment, primary_key=body.primary_key
        )
    else:
        info = s.tables.create(
            p,
            full,
            schema=body.columns or [],
            primary_key=body.primary_key,
            comment=body.comment,
            properties=body.properties,
            storage_location=body.storage_location,
            partition_by=body.partition_by,
        )
    return info.as_dict()


@router.get("/tables")
def list_tables(
    catalog_name: str,
    schema_name: str,
    s: ServicesDep,
    p: PrincipalDep,
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    return paginate(s.tables.list(p, catalog_name, schema_name), "tables", max_results, page_token)


@router.get("/tables/{full_name}/exists")
def table_exists(full_name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"table_exists": s.tables.exists(p, full_name)}


@router.get("/tables/{full_name}")
def get_table(full_name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.tables.get(p, full_name).as_dict()


@router.patch("/tables/{full_name}")
def update_table(
    full_name: str, body: UpdateTable, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return s.tables.update(
        p, full_name, owner=body.owner, comment=body.comment, properties=body.properties
    ).as_dict()


@router.delete("/tables/{full_name}")
def delete_table(full_name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.tables.delete(p, full_name)
    return {}
