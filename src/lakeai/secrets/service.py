"""Secret scopes, secrets and their ACLs; values are encrypted at rest and never read back out.

No public operation returns a value. Platform code that needs one (a gateway's API key) calls
:meth:`SecretService.resolve` with a ``{{secrets/scope/key}}`` reference at the moment of use,
as the principal on whose behalf it acts, who needs READ on the scope.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from sqlalchemy import select

from lakeai.core.audit import AuditEvent
from lakeai.core.clock import now_ms
from lakeai.core.models import SecretAclRow, SecretRow, SecretScopeRow
from lakeai.core.platform import Platform
from lakeai.core.principals import Principal
from lakeai.errors import (
    InvalidParameterValue,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
)
from lakeai.secrets.crypto import SecretCipher

PERMISSIONS = ("READ", "WRITE", "MANAGE")  # each includes the ones before it
ALL_USERS = "users"  # Databricks' name for every user in secret ACLs
MAX_VALUE_BYTES = 128 * 1024
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,128}$")
_REFERENCE = re.compile(r"^\{\{\s*secrets/([^/\s]+)/([^/\s]+)\s*\}\}$")


def _check_name(what: str, name: str | None) -> str:
    if not name or not _NAME.match(name):
        raise InvalidParameterValue(
            f"{what} must be 1 to 128 letters, digits, dashes, underscores, periods or '@'."
        )
    return name


def _level(permission: str | None) -> int:
    return PERMISSIONS.index(permission) + 1 if permission in PERMISSIONS else 0


def parse_reference(reference: str) -> tuple[str, str]:
    """``{{secrets/scope/key}}`` -> ``(scope, key)``."""
    match = _REFERENCE.match(reference or "")
    if not match:
        raise InvalidParameterValue("A secret reference looks like '{{secrets/<scope>/<key>}}'.")
    return match.group(1), match.group(2)


class SecretService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform
        self.metastore = platform.metastore

    @cached_property
    def cipher(self) -> SecretCipher:
        return SecretCipher.for_workspace(self.p.settings, self.p.root)

    # -- permissions ------------------------------------------------------------------------
    def _audit(
        self,
        principal: Principal,
        action: str,
        scope: str,
        outcome: str = "ALLOWED",
        detail: str | None = None,
    ) -> None:
        event = AuditEvent(principal.name, action, "secret_scope", scope, outcome, detail)
        self.p.audit.record(event)

    def permission_of(self, principal: Principal, scope: str) -> str | None:
        """The strongest permission the principal holds on an existing scope, or None."""
        with self.metastore.session() as s:
            if s.get(SecretScopeRow, scope) is None:
                raise ResourceDoesNotExist(f"Secret scope {scope!r} does not exist.")
            if principal.is_admin:
                return "MANAGE"
            names = {*principal.grant_names, ALL_USERS}
            rows = s.scalars(
                select(SecretAclRow.permission).where(
                    (SecretAclRow.scope == scope) & SecretAclRow.principal.in_(names)
                )
            )
            return max(rows, key=_level, default=None)

    def _require(self, principal: Principal, scope: str, wanted: str, action: str) -> None:
        held = self.permission_of(principal, scope)
        if _level(held) < _level(wanted):
            self._audit(principal, action, scope, "DENIED", f"missing {wanted}")
            raise PermissionDenied(
                f"{principal.name!r} needs {wanted} on secret scope {scope!r} to {action} "
                f"(holds {held or 'no permission'}); a MANAGE holder can grant it with put_acl."
            )

    # -- scopes -----------------------------------------------------------------------------
    def create_scope(
        self,
        principal: Principal,
        scope: str,
        *,
        initial_manage_principal: str | None = None,
        scope_backend_type: str | None = None,
    ) -> None:
        """Any principal may create a scope; the creator (and ``users`` if asked) gets MANAGE."""
        _check_name("A scope name", scope)
        if scope_backend_type not in (None, "DATABRICKS"):
            raise InvalidParameterValue("scope_backend_type must be DATABRICKS.")
        if initial_manage_principal not in (None, "", ALL_USERS):
            raise InvalidParameterValue(f"initial_manage_principal may only be {ALL_USERS!r}.")
        with self.metastore.session() as s:
            if s.get(SecretScopeRow, scope) is not None:
                raise ResourceAlreadyExists(f"Secret scope {scope!r} already exists.")
            s.add(SecretScopeRow(name=scope, created_by=principal.name, created_at=now_ms()))
            s.flush()
            s.add(SecretAclRow(scope=scope, principal=principal.name, permission="MANAGE"))
            if initial_manage_principal == ALL_USERS:
                s.add(SecretAclRow(scope=scope, principal=ALL_USERS, permission="MANAGE"))
        self._audit(principal, "createScope", scope)

    def list_scopes(self, principal: Principal) -> list[dict[str, Any]]:
        """The scopes the principal holds any permission on (all of them for admins)."""
        with self.metastore.session() as s:
            names = list(s.scalars(select(SecretScopeRow.name).order_by(SecretScopeRow.name)))
        visible = [n for n in names if self.permission_of(principal, n) is not None]
        return [{"name": n, "backend_type": "DATABRICKS"} for n in visible]

    def delete_scope(self, principal: Principal, scope: str) -> None:
        self._require(principal, scope, "MANAGE", "deleteScope")
        with self.metastore.session() as s:
            for model in (SecretRow, SecretAclRow):
                for row in s.scalars(select(model).where(model.scope == scope)):
                    s.delete(row)
            s.flush()
            s.delete(s.get(SecretScopeRow, scope))
        self._audit(principal, "deleteScope", scope)

    # -- secrets ----------------------------------------------------------------------------
    def put(
        self,
        principal: Principal,
        scope: str,
        key: str,
        *,
        string_value: str | None = None,
        bytes_value: bytes | None = None,
    ) -> None:
        """Create or overwrite a secret (WRITE); exactly one of the two values."""
        _check_name("A secret key", key)
        if (string_value is None) == (bytes_value is None):
            raise InvalidParameterValue("Give exactly one of string_value and bytes_value.")
        plaintext = string_value.encode() if string_value is not None else bytes(bytes_value or b"")
        if len(plaintext) > MAX_VALUE_BYTES:
            raise InvalidParameterValue(f"A secret value is at most {MAX_VALUE_BYTES} bytes.")
        self._require(principal, scope, "WRITE", "putSecret")
        ciphertext = self.cipher.encrypt(plaintext)
        with self.metastore.session() as s:
            row = s.get(SecretRow, (scope, key))
            if row is None:
                row = SecretRow(scope=scope, key=key)
                s.add(row)
            row.ciphertext, row.last_updated_timestamp = ciphertext, now_ms()
        self._audit(principal, "putSecret", scope, detail=f"key {key}")

    def delete(self, principal: Principal, scope: str, key: str) -> None:
        self._require(principal, scope, "WRITE", "deleteSecret")
        with self.metastore.session() as s:
            row = s.get(SecretRow, (scope, key))
            if row is None:
                raise ResourceDoesNotExist(f"No secret {key!r} in scope {scope!r}.")
            s.delete(row)
        self._audit(principal, "deleteSecret", scope, detail=f"key {key}")

    def list(self, principal: Principal, scope: str) -> list[dict[str, Any]]:
        """Keys and update times (READ); never values."""
        self._require(principal, scope, "READ", "listSecrets")
        with self.metastore.session() as s:
            rows = s.scalars(
                select(SecretRow).where(SecretRow.scope == scope).order_by(SecretRow.key)
            )
            return [
                {"key": r.key, "last_updated_timestamp": r.last_updated_timestamp} for r in rows
            ]

    def resolve_bytes(self, principal: Principal, reference: str) -> bytes:
        """The plaintext behind ``{{secrets/scope/key}}``, for platform code only (READ)."""
        scope, key = parse_reference(reference)
        self._require(principal, scope, "READ", "resolveSecret")
        with self.metastore.session() as s:
            row = s.get(SecretRow, (scope, key))
            if row is None:
                raise ResourceDoesNotExist(f"No secret {key!r} in scope {scope!r}.")
            ciphertext = row.ciphertext
        self._audit(principal, "resolveSecret", scope, detail=f"key {key}")
        return self.cipher.decrypt(ciphertext)

    def refuse_read(self, principal: Principal, scope: str, key: str) -> None:
        """Answer a request to read a value (``GET /api/2.0/secrets/get``): always refused."""
        self._audit(principal, "getSecret", scope, "DENIED", f"key {key}: values are not readable")
        raise PermissionDenied(
            "Secret values cannot be read through the API; the platform resolves "
            "{{secrets/<scope>/<key>}} references only at the moment of use."
        )

    def resolve(self, principal: Principal, reference: str) -> str:
        raw = self.resolve_bytes(principal, reference)
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise InvalidParameterValue(
                f"Secret {reference} holds bytes, not text; use resolve_bytes."
            ) from None

    # -- ACLs -------------------------------------------------------------------------------
    def put_acl(
        self, principal: Principal, scope: str, acl_principal: str, permission: str
    ) -> None:
        if permission not in PERMISSIONS:
            raise InvalidParameterValue(f"permission must be one of {', '.join(PERMISSIONS)}.")
        self._require(principal, scope, "MANAGE", "putAcl")
        if acl_principal != ALL_USERS:
            self.p.principals.get(acl_principal)  # 404 for an unknown principal
        with self.metastore.session() as s:
            row = s.get(SecretAclRow, (scope, acl_principal))
            if row is None:
                s.add(SecretAclRow(scope=scope, principal=acl_principal, permission=permission))
            else:
                row.permission = permission
        self._audit(principal, "putAcl", scope, detail=f"{acl_principal}: {permission}")

    def get_acl(self, principal: Principal, scope: str, acl_principal: str) -> dict[str, str]:
        self._require(principal, scope, "MANAGE", "getAcl")
        with self.metastore.session() as s:
            row = s.get(SecretAclRow, (scope, acl_principal))
            if row is None:
                raise ResourceDoesNotExist(f"No ACL for {acl_principal!r} on scope {scope!r}.")
            return {"principal": row.principal, "permission": row.permission}

    def list_acls(self, principal: Principal, scope: str) -> list[dict[str, str]]:
        self._require(principal, scope, "MANAGE", "listAcls")
        with self.metastore.session() as s:
            rows = s.scalars(
                select(SecretAclRow)
                .where(SecretAclRow.scope == scope)
                .order_by(SecretAclRow.principal)
            )
            return [{"principal": r.principal, "permission": r.permission} for r in rows]

    def delete_acl(self, principal: Principal, scope: str, acl_principal: str) -> None:
        self._require(principal, scope, "MANAGE", "deleteAcl")
        with self.metastore.session() as s:
            row = s.get(SecretAclRow, (scope, acl_principal))
            if row is None:
                raise ResourceDoesNotExist(f"No ACL for {acl_principal!r} on scope {scope!r}.")
            s.delete(row)
        self._audit(principal, "deleteAcl", scope, detail=acl_principal)
