"""Secret scopes, secrets and ACLs: /api/2.0/secrets. No route returns a secret's value."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter

from lakeai.errors import InvalidParameterValue
from lakeai.server.deps import PrincipalDep, ServicesDep
from lakeai.server.routers._models import Body

router = APIRouter(tags=["secrets"])
PREFIX = "/api/2.0/secrets"


class CreateScope(Body):
    scope: str
    initial_manage_principal: str | None = None
    scope_backend_type: str | None = None


class ScopeRef(Body):
    scope: str


class PutSecret(Body):
    scope: str
    key: str
    string_value: str | None = None
    bytes_value: str | None = None  # base64


class SecretRef(Body):
    scope: str
    key: str


class PutAcl(Body):
    scope: str
    principal: str
    permission: str


class AclRef(Body):
    scope: str
    principal: str


@router.post(f"{PREFIX}/scopes/create")
def create_scope(body: CreateScope, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.secrets.create_scope(
        p,
        body.scope,
        initial_manage_principal=body.initial_manage_principal,
        scope_backend_type=body.scope_backend_type,
    )
    return {}


@router.get(f"{PREFIX}/scopes/list")
def list_scopes(s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"scopes": s.secrets.list_scopes(p)}


@router.post(f"{PREFIX}/scopes/delete")
def delete_scope(body: ScopeRef, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.secrets.delete_scope(p, body.scope)
    return {}


@router.post(f"{PREFIX}/put")
def put_secret(body: PutSecret, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    raw = None
    if body.bytes_value is not None:
        try:
            raw = base64.b64decode(body.bytes_value, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameterValue("bytes_value must be base64.") from None
    s.secrets.put(p, body.scope, body.key, string_value=body.string_value, bytes_value=raw)
    return {}


@router.post(f"{PREFIX}/delete")
def delete_secret(body: SecretRef, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.secrets.delete(p, body.scope, body.key)
    return {}


@router.get(f"{PREFIX}/list")
def list_secrets(scope: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"secrets": s.secrets.list(p, scope)}


@router.get(f"{PREFIX}/get")
def get_secret(scope: str, key: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    """Refused for everyone: values are resolved only inside the platform, at the moment of use."""
    s.secrets.refuse_read(p, scope, key)
    return {}


@router.post(f"{PREFIX}/acls/put")
def put_acl(body: PutAcl, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.secrets.put_acl(p, body.scope, body.principal, body.permission)
    return {}


@router.get(f"{PREFIX}/acls/get")
def get_acl(scope: str, principal: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.secrets.get_acl(p, scope, principal)


@router.get(f"{PREFIX}/acls/list")
def list_acls(scope: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"items": s.secrets.list_acls(p, scope)}


@router.post(f"{PREFIX}/acls/delete")
def delete_acl(body: AclRef, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.secrets.delete_acl(p, body.scope, body.principal)
    return {}
