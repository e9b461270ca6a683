"""Secret scopes, secrets and their ACLs over the Databricks Secrets API.

Values go up, never come back: as in Databricks, ``list`` answers keys and timestamps only.
"""

from __future__ import annotations

from typing import Any

from lakeai.sdk.http import Transport

SECRETS = "/api/2.0/secrets"


class RemoteSecrets:
    def __init__(self, http: Transport) -> None:
        self._http = http

    def create_scope(
        self,
        scope: str,
        *,
        initial_manage_principal: str | None = None,
        scope_backend_type: str | None = None,
    ) -> None:
        body = {
            "scope": scope,
            "initial_manage_principal": initial_manage_principal,
            "scope_backend_type": scope_backend_type,
        }
        self._http.post(f"{SECRETS}/scopes/create", body)

    def list_scopes(self) -> list[dict[str, Any]]:
        return list(self._http.get(f"{SECRETS}/scopes/list").get("scopes") or [])

    def delete_scope(self, scope: str) -> None:
        self._http.post(f"{SECRETS}/scopes/delete", {"scope": scope})

    def put(
        self,
        scope: str,
        key: str,
        *,
        string_value: str | None = None,
        bytes_value: bytes | None = None,
    ) -> None:
        """Store a secret: a string or bytes (sent base64), exactly one of them."""
        body: dict[str, Any] = {"scope": scope, "key": key, "string_value": string_value}
        if bytes_value is not None:
            import base64

            body["bytes_value"] = base64.b64encode(bytes_value).decode()
        self._http.post(f"{SECRETS}/put", body)

    def delete(self, scope: str, key: str) -> None:
        self._http.post(f"{SECRETS}/delete", {"scope": scope, "key": key})

    def list(self, scope: str) -> list[dict[str, Any]]:
        return list(self._http.get(f"{SECRETS}/list", scope=scope).get("secrets") or [])

    def put_acl(self, scope: str, acl_principal: str, permission: str) -> None:
        body = {"scope": scope, "principal": acl_principal, "permission": permission}
        self._http.post(f"{SECRETS}/acls/put", body)

    def get_acl(self, scope: str, acl_principal: str) -> dict[str, Any]:
        return self._http.get(f"{SECRETS}/acls/get", scope=scope, principal=acl_principal)

    def list_acls(self, scope: str) -> list[dict[str, Any]]:
        return list(self._http.get(f"{SECRETS}/acls/list", scope=scope).get("items") or [])

    def delete_acl(self, scope: str, acl_principal: str) -> None:
        body = {"scope": scope, "principal": acl_principal}
        self._http.post(f"{SECRETS}/acls/delete", body)
