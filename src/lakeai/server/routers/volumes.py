"""Unity Catalog volumes: /api/2.1/unity-catalog/volumes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lakeai.server.deps import PrincipalDep, ServicesDep, paginate
from lakeai.server.routers._models import Body

router = APIRouter(tags=["volumes"])


class CreateVolume(Body):
    name: str
    catalog_name: str
    schema_name: str
    volume_type: str | None = "MANAGED"
    storage_location: str | None = None
    comment: str | None = None


class UpdateVolume(Body):
    owner: str | None = None
    comment: str | None = None


@router.post("/volumes")
def create_volume(body: CreateVolume, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.volumes.create(
        p,
        body.catalog_name,
        body.schema_name,
        body.name,
        volume_type=body.volume_type or "MANAGED",
        storage_location=body.storage_location,
        comment=body.comment,
    ).as_dict()


@router.get("/volumes")
def list_volumes(
    catalog_name: str,
    schema_name: str,
    s: ServicesDep,
    p: PrincipalDep,
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    return paginate(
        s.volumes.list(p, catalog_name, schema_name), "volumes", max_results, page_token
    )


@router.get("/volumes/{name}")
def get_volume(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.volumes.get(p, name).as_dict()


@router.patch("/volumes/{name}")
def update_volume(name: str, body: UpdateVolume, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.volumes.update(p, name, owner=body.owner, comment=body.comment).as_dict()


@router.delete("/volumes/{name}")
def delete_volume(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.volumes.delete(p, name)
    return {}
