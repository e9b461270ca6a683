"""Unity Catalog schemas: /api/2.1/unity-catalog/schemas."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lakeai.server.deps import PrincipalDep, ServicesDep, paginate
from lakeai.server.routers._models import Body

router = APIRouter(tags=["schemas"])


class CreateSchema(Body):
    name: str
    catalog_name: str
    comment: str | None = None
    properties: dict[str, str] | None = None


class UpdateSchema(Body):
    comment: str | None = None
    owner: str | None = None
    properties: dict[str, str] | None = None


@router.post("/schemas")
def create_schema(body: CreateSchema, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.schemas.create(
        p, body.catalog_name, body.name, comment=body.comment, properties=body.properties
    ).as_dict()


@router.get("/schemas")
def list_schemas(
    catalog_name: str,
    s: ServicesDep,
    p: PrincipalDep,
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    return paginate(s.schemas.list(p, catalog_name), "schemas", max_results, page_token)


@router.get("/schemas/{full_name}")
def get_schema(full_name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.schemas.get(p, full_name).as_dict()


@router.patch("/schemas/{full_name}")
def update_schema(
    full_name: str, body: UpdateSchema, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return s.schemas.update(
        p, full_name, comment=body.comment, owner=body.owner, properties=body.properties
    ).as_dict()


@router.delete("/schemas/{full_name}")
def delete_schema(
    full_name: str, s: ServicesDep, p: PrincipalDep, force: bool = False
) -> dict[str, Any]:
    s.schemas.delete(p, full_name, force=force)
    return {}
