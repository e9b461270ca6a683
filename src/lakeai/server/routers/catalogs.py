"""Unity Catalog catalogs: /api/2.1/unity-catalog/catalogs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lakeai.server.deps import PrincipalDep, ServicesDep, paginate
from lakeai.server.routers._models import Body

router = APIRouter(tags=["catalogs"])


class CreateCatalog(Body):
    name: str
    comment: str | None = None
    properties: dict[str, str] | None = None


class UpdateCatalog(Body):
    comment: str | None = None
    owner: str | None = None
    properties: dict[str, str] | None = None


@router.post("/catalogs")
def create_catalog(body: CreateCatalog, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.catalogs.create(
        p, body.name, comment=body.comment, properties=body.properties
    ).as_dict()


@router.get("/catalogs")
def list_catalogs(
    s: ServicesDep, p: PrincipalDep, max_results: int | None = None, page_token: str | None = None
) -> dict[str, Any]:
    return paginate(s.catalogs.list(p), "catalogs", max_results, page_token)


@router.get("/catalogs/{name}")
def get_catalog(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.catalogs.get(p, name).as_dict()


@router.patch("/catalogs/{name}")
def update_catalog(
    name: str, body: UpdateCatalog, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return s.catalogs.update(
        p, name, comment=body.comment, owner=body.owner, properties=body.properties
    ).as_dict()


@router.delete("/catalogs/{name}")
def delete_catalog(
    name: str, s: ServicesDep, p: PrincipalDep, force: bool = False
) -> dict[str, Any]:
    s.catalogs.delete(p, name, force=force)
    return {}
