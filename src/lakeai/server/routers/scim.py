"""SCIM 2.0 users, service principals and groups: /api/2.0/preview/scim/v2 as databricks-sdk calls it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from lakeai.errors import ResourceDoesNotExist
from lakeai.identity import scim
from lakeai.server.deps import PrincipalDep, ServicesDep
from lakeai.server.routers._models import Body

router = APIRouter(tags=["scim"])
PREFIX = "/api/2.0/preview/scim/v2"


class ScimBody(Body):
    """A User, ServicePrincipal or Group resource, or a PatchOp (SCIM's camelCase names)."""

    userName: str | None = None  # SCIM wire names
    applicationId: str | None = None
    displayName: str | None = None
    externalId: str | None = None
    active: bool | None = None
    groups: list[dict[str, Any]] | None = None
    members: list[dict[str, Any]] | None = None
    Operations: list[dict[str, Any]] | None = None


def _id(raw: str) -> int:
    if not raw.isdigit():
        raise ResourceDoesNotExist(f"No principal with id {raw!r}; SCIM ids are numbers.")
    return int(raw)


def _register(path: str, attr: str, name_field: str) -> None:
    """The six routes of one SCIM resource type over the service ``Services.<attr>``."""

    @router.get(f"{PREFIX}/{path}", name=f"list_{attr}")
    def list_resources(
        s: ServicesDep,
        p: PrincipalDep,
        filter: str | None = None,
        start_index: int | None = Query(None, alias="startIndex"),
        count: int | None = None,
        attributes: str | None = None,
    ) -> dict[str, Any]:
        items = getattr(s, attr).list(p, filter=filter)
        return scim.list_response(items, start_index, count)

    @router.post(f"{PREFIX}/{path}", name=f"create_{attr}", status_code=201)
    def create_resource(body: ScimBody, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
        return getattr(s, attr).create(
            p,
            getattr(body, name_field),
            display_name=body.displayName,
            active=body.active,
            external_id=body.externalId,
            groups=scim.member_ids(body.groups) or None,
            members=scim.member_ids(body.members) or None,
        )

    @router.get(f"{PREFIX}/{path}/{{id}}", name=f"get_{attr}")
    def get_resource(id: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
        return getattr(s, attr).get(p, _id(id))

    @router.put(f"{PREFIX}/{path}/{{id}}", name=f"replace_{attr}")
    def replace_resource(
        id: str, body: ScimBody, s: ServicesDep, p: PrincipalDep
    ) -> dict[str, Any]:
        members = scim.member_ids(body.members) if attr == "groups" else None
        return getattr(s, attr).update(
            p,
            _id(id),
            display_name=body.displayName,
            active=body.active,
            external_id=body.externalId,
            members=members,
        )

    @router.patch(f"{PREFIX}/{path}/{{id}}", name=f"patch_{attr}")
    def patch_resource(id: str, body: ScimBody, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
        return getattr(s, attr).patch(p, _id(id), body.Operations or [])

    @router.delete(f"{PREFIX}/{path}/{{id}}", name=f"delete_{attr}")
    def delete_resource(id: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
        getattr(s, attr).delete(p, _id(id))
        return {}


@router.get(f"{PREFIX}/Me")
def me(s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.users.me(p)


_register("Users", "users", "userName")
_register("ServicePrincipals", "service_principals", "applicationId")
_register("Groups", "groups", "displayName")
