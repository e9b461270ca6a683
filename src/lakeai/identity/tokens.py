"""Personal access tokens: everyone manages their own, admins manage all and mint them for SPs.

The value is returned once by ``create``; the metastore keeps only its SHA-256, so nothing can
show it again. Deleting a token revokes it at once: ``PrincipalStore.authenticate`` looks it up
on every request.
"""

from __future__ import annotations

import contextlib
from typing import Any

from lakeai.core.audit import AuditEvent
from lakeai.core.models import TokenRow
from lakeai.core.platform import Platform
from lakeai.core.principals import ADMINS_GROUP, Principal
from lakeai.errors import InvalidParameterValue, PermissionDenied, ResourceDoesNotExist

MAX_COMMENT = 1024


def public_info(row: TokenRow) -> dict[str, Any]:
    """Databricks' ``PublicTokenInfo``: what the owner sees of a token."""
    return {
        "token_id": row.token_id,
        "comment": row.comment,
        "creation_time": row.created_at,
        "expiry_time": row.expiry_time,
    }


class TokenService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform
        self.store = platform.principals

    # -- plumbing ---------------------------------------------------------------------------
    def _audit(
        self,
        principal: Principal,
        action: str,
        token_id: str,
        outcome: str = "ALLOWED",
        detail: str | None = None,
    ) -> None:
        self.p.audit.record(AuditEvent(principal.name, action, "token", token_id, outcome, detail))

    def _require_admin(self, principal: Principal, action: str, target: str | None) -> None:
        if not principal.is_admin:
            self._audit(principal, action, target or "", "DENIED", "not a workspace admin")
            raise PermissionDenied(
                f"Only workspace admins can manage other principals' tokens; {principal.name!r} "
                f"is not a member of the {ADMINS_GROUP!r} group."
            )

    def _info(self, row: TokenRow) -> dict[str, Any]:
        """Databricks' ``TokenInfo``: the admin's view, with owner and creator."""
        owner = self.store.get(row.principal_id)
        info = public_info(row)
        info.update(owner_id=owner.id, created_by_username=row.created_by or owner.name)
        with contextlib.suppress(ResourceDoesNotExist):  # the creator may be deleted since
            info["created_by_id"] = self.store.get(row.created_by or owner.name).id
        return info

    def _mint(
        self,
        principal: Principal,
        owner_id: int,
        action: str,
        comment: str | None,
        lifetime_seconds: int | None,
    ) -> tuple[str, TokenRow]:
        if comment is not None and len(comment) > MAX_COMMENT:
            raise InvalidParameterValue(f"comment must be at most {MAX_COMMENT} characters.")
        if lifetime_seconds is not None and lifetime_seconds < 0:
            raise InvalidParameterValue("lifetime_seconds must be 0 or more (0: no expiry).")
        value, row = self.store.create_token(
            owner_id,
            comment=comment or "",
            lifetime_seconds=lifetime_seconds or None,
            created_by=principal.name,
        )
        self._audit(principal, action, row.token_id, detail=f"owner id {owner_id}")
        return value, row

    # -- own tokens -------------------------------------------------------------------------
    def create(
        self,
        principal: Principal,
        *,
        comment: str | None = None,
        lifetime_seconds: int | None = None,
    ) -> dict[str, Any]:
        """A new token for the caller: ``{"token_value", "token_info"}``, the value shown once."""
        value, row = self._mint(principal, principal.id, "createToken", comment, lifetime_seconds)
        return {"token_value": value, "token_info": public_info(row)}

    def list(self, principal: Principal) -> list[dict[str, Any]]:
        return [public_info(r) for r in self.store.list_tokens(principal.id)]

    def delete(self, principal: Principal, token_id: str) -> None:
        """Revoke a token: one's own, or any for an admin."""
        try:
            row = self.store.get_token(token_id)
        except ResourceDoesNotExist:
            row = None
        if row is None or (row.principal_id != principal.id and not principal.is_admin):
            if row is not None:
                self._audit(principal, "deleteToken", token_id, "DENIED", "not the owner")
            raise ResourceDoesNotExist(f"No token with id {token_id!r} among your tokens.")
        self.store.delete_token(token_id)
        self._audit(principal, "deleteToken", token_id)

    # -- token management (admins) ----------------------------------------------------------
    def create_on_behalf_of(
        self,
        principal: Principal,
        application_id: str,
        *,
        comment: str | None = None,
        lifetime_seconds: int | None = None,
    ) -> dict[str, Any]:
        """A token for a service principal, minted by an admin (Databricks' OBO token)."""
        self._require_admin(principal, "createOboToken", application_id)
        if not application_id:
            raise InvalidParameterValue("application_id is required.")
        owner = self.store.get(application_id, "service_principal")
        value, row = self._mint(principal, owner.id, "createOboToken", comment, lifetime_seconds)
        return {"token_value": value, "token_info": self._info(row)}

    def list_all(
        self,
        principal: Principal,
        *,
        created_by_id: int | None = None,
        created_by_username: str | None = None,
    ) -> list[dict[str, Any]]:
        self._require_admin(principal, "listTokens", None)
        infos = [self._info(r) for r in self.store.list_tokens()]
        if created_by_id is not None:
            infos = [i for i in infos if i.get("created_by_id") == created_by_id]
        if created_by_username:
            infos = [i for i in infos if i["created_by_username"] == created_by_username]
        return infos

    def get(self, principal: Principal, token_id: str) -> dict[str, Any]:
        self._require_admin(principal, "getToken", token_id)
        return self._info(self.store.get_token(token_id))
