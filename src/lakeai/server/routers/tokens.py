"""Personal access tokens (/api/2.0/token) and admin token management (/api/2.0/token-management)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lakeai.server.deps import PrincipalDep, ServicesDep
from lakeai.server.routers._models import Body

router = APIRouter(tags=["tokens"])


class CreateToken(Body):
    comment: str | None = None
    lifetime_seconds: int | None = None


class DeleteToken(Body):
    token_id: str


class CreateOboToken(Body):
    application_id: str
    comment: str | None = None
    lifetime_seconds: int | None = None


@router.post("/api/2.0/token/create")
def create_token(body: CreateToken, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.tokens.create(p, comment=body.comment, lifetime_seconds=body.lifetime_seconds)


@router.get("/api/2.0/token/list")
def list_tokens(s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"token_infos": s.tokens.list(p)}


@router.post("/api/2.0/token/delete")
def delete_token(body: DeleteToken, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.tokens.delete(p, body.token_id)
    return {}


@router.post("/api/2.0/token-management/on-behalf-of/tokens")
def create_obo_token(body: CreateOboToken, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.tokens.create_on_behalf_of(
        p, body.application_id, comment=body.comment, lifetime_seconds=body.lifetime_seconds
    )


@router.get("/api/2.0/token-management/tokens")
def list_all_tokens(
    s: ServicesDep,
    p: PrincipalDep,
    created_by_id: int | None = None,
    created_by_username: str | None = None,
) -> dict[str, Any]:
    infos = s.tokens.list_all(
        p, created_by_id=created_by_id, created_by_username=created_by_username
    )
    return {"token_infos": infos}


@router.get("/api/2.0/token-management/tokens/{token_id}")
def get_token(token_id: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"token_info": s.tokens.get(p, token_id)}


@router.delete("/api/2.0/token-management/tokens/{token_id}")
def delete_any_token(token_id: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.tokens.get(p, token_id)  # the management API is for admins only
    s.tokens.delete(p, token_id)
    return {}
