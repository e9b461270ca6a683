"""Users, service principals and groups (SCIM): any principal reads, only admins change.

A principal's name is what grants and ACLs match: a user's ``userName``, a service principal's
``applicationId`` and a group's ``displayName``. Every change and every denial is audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from lakeai.core.audit import AuditEvent
from lakeai.core.models import PrincipalRow
from lakeai.core.platform import Platform
from lakeai.core.principals import ADMINS_GROUP, ALL_USERS_GROUP, Principal
from lakeai.errors import InvalidParameterValue, PermissionDenied
from lakeai.identity import scim

RESERVED_NAMES = {ALL_USERS_GROUP, "users"}
IGNORED_PATHS = {"entitlements", "roles", "emails", "name", "schemas", "username", "applicationid"}


def _as_bool(value: Any) -> bool:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0].get("value")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise InvalidParameterValue(
        "active must be true or false (the SDK drops value=False; send value='false')."
    )


class _PrincipalService:
    """Shared SCIM operations over one kind of principal."""

    kind = ""
    label = ""
    audit_name = ""  # createUser, updateGroup, deleteServicePrincipal, ...

    def __init__(self, platform: Platform) -> None:
        self.p = platform
        self.store = platform.principals

    # -- plumbing ---------------------------------------------------------------------------
    def _audit(
        self,
        principal: Principal,
        action: str,
        name: str,
        outcome: str = "ALLOWED",
        detail: str | None = None,
    ) -> None:
        event = AuditEvent(
            principal.name, action + self.audit_name, self.kind, name, outcome, detail
        )
        self.p.audit.record(event)

    def _require_admin(self, principal: Principal, action: str, name: str) -> None:
        if not principal.is_admin:
            self._audit(principal, action, name, "DENIED", "not a workspace admin")
            raise PermissionDenied(
                f"Only workspace admins can {action.replace('_', ' ')} {self.label}s; "
                f"{principal.name!r} is not a member of the {ADMINS_GROUP!r} group."
            )

    def _resource(self, row: PrincipalRow) -> dict[str, Any]:
        groups = self.store.direct_groups(row.id)
        if row.kind == "group":
            return scim.group_resource(row, self.store.members(row.id), groups)
        if row.kind == "service_principal":
            return scim.sp_resource(row, groups)
        return scim.user_resource(row, groups)

    def _new_name(self, name: str | None) -> str:
        if not name:
            raise InvalidParameterValue(f"A {self.label} needs a name.")
        return name

    # -- operations -------------------------------------------------------------------------
    def create(
        self,
        principal: Principal,
        name: str | None = None,
        *,
        display_name: str | None = None,
        active: bool | None = None,
        external_id: str | None = None,
        groups: list[int] | None = None,
        members: list[int] | None = None,
    ) -> dict[str, Any]:
        name = self._new_name((name or "").strip() or None)
        self._require_admin(principal, "create", name)
        if name.lower() in RESERVED_NAMES:
            raise InvalidParameterValue(f"{name!r} is reserved for the group of all users.")
        row = self.store.create(
            self.kind, name, display_name=display_name or "", external_id=external_id
        )
        if active is False:
            row = self.store.update(row.id, active=False)
        for group_id in groups or []:
            self.store.add_members(group_id, [row.id])
        if members and self.kind == "group":
            self.store.add_members(row.id, members)
        self._audit(principal, "create", name)
        return self._resource(row)

    def get(self, principal: Principal, ident: int | str) -> dict[str, Any]:
        """Any authenticated principal may read the directory (grants need the names)."""
        return self._resource(self.store.get(ident, self.kind))

    def list(self, principal: Principal, *, filter: str | None = None) -> list[dict[str, Any]]:
        keep = scim.parse_filter(filter)
        return [self._resource(r) for r in self.store.list(self.kind) if keep(r)]

    def update(
        self,
        principal: Principal,
        ident: int | str,
        *,
        display_name: str | None = None,
        active: bool | None = None,
        external_id: str | None = None,
        members: list[int] | None = None,
        add_members: list[int] | None = None,
        remove_members: list[int] | None = None,
        add_to_groups: list[int] | None = None,
        remove_from_groups: list[int] | None = None,
    ) -> dict[str, Any]:
        """Change fields; ``members`` replaces a group's members, ``add_``/``remove_`` edit them."""
        row = self.store.get(ident, self.kind)
        self._require_admin(principal, "update", row.name)
        if active is False and row.id == principal.id:
            raise InvalidParameterValue("You cannot deactivate yourself.")
        membership = (members, add_members, remove_members)
        if self.kind != "group" and any(m is not None for m in membership):
            raise InvalidParameterValue(f"Only groups have members, not {self.label}s.")
        row = self.store.update(
            row.id, self.kind, display_name=display_name, active=active, external_id=external_id
        )
        if members is not None:
            self.store.set_members(row.id, members)
        if add_members:
            self.store.add_members(row.id, add_members)
        if remove_members:
            self.store.remove_members(row.id, remove_members)
        for group_id in add_to_groups or []:
            self.store.add_members(group_id, [row.id])
        for group_id in remove_from_groups or []:
            self.store.remove_members(group_id, [row.id])
        self._audit(principal, "update", row.name)
        return self._resource(row)

    def patch(
        self, principal: Principal, ident: int | str, operations: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Apply SCIM PatchOp ``Operations`` (add, remove, replace) through :meth:`update`."""
        if not isinstance(operations, list) or not operations:
            raise InvalidParameterValue("Operations must be a non-empty list of SCIM patch ops.")
        result = self._resource(self.store.get(ident, self.kind))
        for op in operations:
            result = self.update(principal, ident, **self._patch_fields(op))
        return result

    def _patch_fields(self, op: dict[str, Any]) -> dict[str, Any]:
        kind = str(op.get("op", "")).lower()
        if kind not in ("add", "remove", "replace"):
            raise InvalidParameterValue("Patch op must be one of: add, remove, replace.")
        path, value = str(op.get("path") or ""), op.get("value")
        if not path:
            if not isinstance(value, dict):
                raise InvalidParameterValue("A patch op without a path needs an object value.")
            fields: dict[str, Any] = {}
            for key, val in value.items():
                fields.update(self._patch_fields({"op": kind, "path": key, "value": val}))
            return fields
        return self._patch_path(kind, path, value)

    def _patch_path(self, kind: str, path: str, value: Any) -> dict[str, Any]:
        lower = path.lower()
        if lower == "displayname":
            return {"display_name": str(value or "")}
        if lower == "externalid":
            return {"external_id": str(value or "")}
        if lower == "active":
            return {"active": _as_bool(value)}
        if lower.startswith("members"):
            ids = scim.member_ids(value) + scim.member_ids(_filter_value(path))
            key = {"add": "add_members", "remove": "remove_members", "replace": "members"}[kind]
            return {key: ids}
        if lower.startswith("groups"):
            ids = scim.member_ids(value) + scim.member_ids(_filter_value(path))
            return {"remove_from_groups" if kind == "remove" else "add_to_groups": ids}
        if lower.split(".")[0].split("[")[0] in IGNORED_PATHS:
            return {}
        raise InvalidParameterValue(
            f"Cannot patch {path!r}; patchable: displayName, active, externalId, members, groups."
        )

    def delete(self, principal: Principal, ident: int | str) -> None:
        row = self.store.get(ident, self.kind)
        self._require_admin(principal, "delete", row.name)
        if row.id == principal.id:
            raise InvalidParameterValue("You cannot delete yourself.")
        if row.name == ADMINS_GROUP:
            raise InvalidParameterValue(f"The {ADMINS_GROUP!r} group cannot be deleted.")
        self.store.delete(row.id, self.kind)
        self._audit(principal, "delete", row.name)


def _filter_value(path: str) -> list[dict[str, str]]:
    """The id in a path like ``members[value eq "12"]``, as a SCIM complex value."""
    if "[" not in path:
        return []
    inner = path[path.index("[") + 1 : path.rindex("]")]
    return [{"value": inner.split('"')[1]}] if '"' in inner else []


class UserService(_PrincipalService):
    kind = "user"
    label = "user"
    audit_name = "User"

    def me(self, principal: Principal) -> dict[str, Any]:
        """The acting principal as a SCIM user (service principals too, as Databricks does)."""
        row = self.store.get(principal.id)
        return scim.user_resource(row, self.store.direct_groups(row.id))


class ServicePrincipalService(_PrincipalService):
    kind = "service_principal"
    label = "service principal"
    audit_name = "ServicePrincipal"

    def _new_name(self, name: str | None) -> str:
        """The applicationId: given, or a new UUID as Databricks assigns."""
        return name or str(uuid.uuid4())


class GroupService(_PrincipalService):
    kind = "group"
    label = "group"
    audit_name = "Group"
