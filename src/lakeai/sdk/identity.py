"""Users, service principals and groups over SCIM 2.0, and tokens over the Token API.

Answers are SCIM resources as plain dicts (``id``, ``userName`` / ``displayName`` /
``applicationId``, ...). ``get`` and ``delete`` take an id or a name, as in-process.
"""

from __future__ import annotations

from typing import Any

from lakeai.errors import ResourceDoesNotExist
from lakeai.sdk.http import Transport, segment

SCIM = "/api/2.0/preview/scim/v2"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
SP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


class _ScimResource:
    """Shared SCIM plumbing: ``resource`` is the path segment, ``name_attr`` what names it."""

    resource = ""
    name_attr = ""
    kind = ""
    schema = ""

    def __init__(self, http: Transport) -> None:
        self._http = http

    @property
    def _path(self) -> str:
        return f"{SCIM}/{self.resource}"

    def create(
        self,
        name: str | None = None,
        *,
        display_name: str | None = None,
        active: bool | None = None,
        external_id: str | None = None,
        groups: list[int | str] | None = None,
        members: list[int | str] | None = None,
    ) -> dict[str, Any]:
        """The in-process ``create``: ``name`` is the userName, applicationId or group name."""
        body: dict[str, Any] = {
            "schemas": [self.schema],
            "displayName": display_name,
            "active": active,
            "externalId": external_id,
            self.name_attr: name,
        }
        if groups:
            body["groups"] = [{"value": str(g)} for g in groups]
        if members:
            body["members"] = [{"value": str(m)} for m in members]
        return self._http.post(self._path, body)

    def list(self, *, filter: str | None = None) -> list[dict[str, Any]]:
        """All resources, or those a SCIM filter (``userName eq "ada@x.com"``) selects."""
        return list(self._http.get(self._path, filter=filter).get("Resources") or [])

    def _find(self, ident: str) -> dict[str, Any]:
        """By id first, then by name, so callers need not know which they hold."""
        try:
            return self._http.get(f"{self._path}/{segment(ident)}")
        except ResourceDoesNotExist:
            pass
        wanted = str(ident)
        for item in self.list(filter=f'{self.name_attr} eq "{wanted}"'):
            names = (item.get(self.name_attr), item.get("displayName"), str(item.get("id")))
            if wanted in names:
                return item
        raise ResourceDoesNotExist(f"{self.kind} {wanted!r} does not exist.")

    def get(self, ident: str) -> dict[str, Any]:
        return self._find(ident)

    def delete(self, ident: str) -> None:
        item = self._find(ident)
        self._http.delete(f"{self._path}/{segment(str(item['id']))}")


class RemoteUsers(_ScimResource):
    resource, name_attr, kind, schema = "Users", "userName", "User", USER_SCHEMA

    def me(self) -> dict[str, Any]:
        return self._http.get(f"{SCIM}/Me")


class RemoteServicePrincipals(_ScimResource):
    """Named by their application id (a new UUID when ``name`` is left out), as in-process."""

    resource, name_attr, kind, schema = (
        "ServicePrincipals",
        "applicationId",
        "Service principal",
        SP_SCHEMA,
    )


class RemoteGroups(_ScimResource):
    resource, name_attr, kind, schema = "Groups", "displayName", "Group", GROUP_SCHEMA


class RemoteTokens:
    """Personal access tokens of the caller, and (admins) tokens on behalf of a service principal."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(
        self, *, comment: str | None = None, lifetime_seconds: int | None = None
    ) -> dict[str, Any]:
        body = {"comment": comment, "lifetime_seconds": lifetime_seconds}
        return self._http.post("/api/2.0/token/create", body)

    def create_on_behalf_of(
        self,
        application_id: str,
        *,
        comment: str | None = None,
        lifetime_seconds: int | None = None,
    ) -> dict[str, Any]:
        body = {
            "application_id": application_id,
            "comment": comment,
            "lifetime_seconds": lifetime_seconds,
        }
        return self._http.post("/api/2.0/token-management/on-behalf-of/tokens", body)

    def list(self) -> list[dict[str, Any]]:
        return list(self._http.get("/api/2.0/token/list").get("token_infos") or [])

    def delete(self, token_id: str) -> None:
        self._http.post("/api/2.0/token/delete", {"token_id": token_id})
