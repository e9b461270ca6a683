"""Unity Catalog grants: /api/2.1/unity-catalog/permissions/{securable_type}/{full_name}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lakeai.server.deps import PrincipalDep, ServicesDep
from lakeai.server.routers._models import Body

router = APIRouter(tags=["permissions"])


class PermissionsChange(Body):
    principal: str
    add: list[str] | None = None
    remove: list[str] | None = None


class UpdatePermissions(Body):
    changes: list[PermissionsChange]


@router.get("/permissions/{securable_type}/{full_name}")
def get_permissions(
    securable_type: str,
    full_name: str,
    s: ServicesDep,
    p: PrincipalDep,
    principal: str | None = None,
) -> dict[str, Any]:
    assignments = s.grants.get(p, securable_type, full_name, only=principal)
    return {"privilege_assignments": assignments}


@router.patch("/permissions/{securable_type}/{full_name}")
def update_permissions(
    securable_type: str, full_name: str, body: UpdatePermissions, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    changes = [c.model_dump() for c in body.changes]
    return {"privilege_assignments": s.grants.update(p, securable_type, full_name, changes)}
