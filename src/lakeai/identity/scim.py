"""SCIM 2.0 JSON shapes as Databricks' workspace SCIM API sends them, and its small filter language.

Kept apart from the service so the same shapes serve the REST routes and ``lakeai.Workspace``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from lakeai.core.models import PrincipalRow
from lakeai.errors import InvalidParameterValue

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
SP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

KIND_PATHS = {"user": "Users", "service_principal": "ServicePrincipals", "group": "Groups"}

# SCIM attribute name (lower case) -> how to read it from a row, for filters.
FILTER_ATTRIBUTES: dict[str, Callable[[PrincipalRow], str]] = {
    "id": lambda r: str(r.id),
    "username": lambda r: r.name,
    "applicationid": lambda r: r.name,
    "displayname": lambda r: r.display_name,
    "externalid": lambda r: r.external_id or "",
    "emails.value": lambda r: r.name,
}
_FILTER = re.compile(r'^\s*([\w.]+)\s+(eq|ne|co|sw|ew)\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
_OPS: dict[str, Callable[[str, str], bool]] = {
    "eq": lambda a, b: a.lower() == b.lower(),
    "ne": lambda a, b: a.lower() != b.lower(),
    "co": lambda a, b: b.lower() in a.lower(),
    "sw": lambda a, b: a.lower().startswith(b.lower()),
    "ew": lambda a, b: a.lower().endswith(b.lower()),
}


def parse_filter(text: str | None) -> Callable[[PrincipalRow], bool]:
    """A predicate for a simple SCIM filter such as ``userName eq "ann@x.com"``."""
    if not text:
        return lambda _row: True
    match = _FILTER.match(text)
    if not match:
        raise InvalidParameterValue(
            f"Unsupported filter {text!r}: use one expression like 'userName eq \"name\"' "
            "(operators eq, ne, co, sw, ew)."
        )
    attr, op, value = match.group(1).lower(), match.group(2).lower(), match.group(3)
    getter = FILTER_ATTRIBUTES.get(attr)
    if getter is None:
        raise InvalidParameterValue(
            f"Cannot filter on {match.group(1)!r}; use one of: id, userName, applicationId, "
            "displayName, externalId."
        )
    value = value.replace('\\"', '"')
    return lambda row: _OPS[op](getter(row), value)


def ref(row: PrincipalRow) -> dict[str, Any]:
    """A SCIM complex value pointing at another principal (a member or a group)."""
    return {
        "display": row.display_name,
        "value": str(row.id),
        "$ref": f"{KIND_PATHS[row.kind]}/{row.id}",
    }


def _common(row: PrincipalRow) -> dict[str, Any]:
    body: dict[str, Any] = {"id": str(row.id), "displayName": row.display_name}
    if row.external_id:
        body["externalId"] = row.external_id
    return body


def user_resource(row: PrincipalRow, groups: Iterable[PrincipalRow]) -> dict[str, Any]:
    body = _common(row)
    body.update(
        userName=row.name,
        active=row.active,
        emails=[{"value": row.name, "type": "work", "primary": True}] if "@" in row.name else [],
        groups=[ref(g) for g in groups],
        schemas=[USER_SCHEMA],
    )
    if row.is_admin:
        body["entitlements"] = [{"value": "workspace-admin"}]
    return body


def sp_resource(row: PrincipalRow, groups: Iterable[PrincipalRow]) -> dict[str, Any]:
    body = _common(row)
    body.update(
        applicationId=row.name,
        active=row.active,
        groups=[ref(g) for g in groups],
        schemas=[SP_SCHEMA],
    )
    return body


def group_resource(
    row: PrincipalRow, members: Iterable[PrincipalRow], groups: Iterable[PrincipalRow]
) -> dict[str, Any]:
    body = _common(row)
    body.update(
        members=[ref(m) for m in members],
        groups=[ref(g) for g in groups],
        meta={"resourceType": "WorkspaceGroup"},
        schemas=[GROUP_SCHEMA],
    )
    return body


def list_response(
    resources: list[dict[str, Any]], start_index: int | None, count: int | None
) -> dict[str, Any]:
    """One SCIM page; ``startIndex`` is 1-based and an empty page ends the SDK's iteration."""
    start = max(int(start_index or 1), 1)
    if count is not None and count < 0:
        raise InvalidParameterValue("count must be 0 or more.")
    page = resources[start - 1 :]
    if count is not None:
        page = page[:count]
    return {
        "Resources": page,
        "totalResults": len(resources),
        "startIndex": start,
        "itemsPerPage": len(page),
        "schemas": [LIST_SCHEMA],
    }


def member_ids(values: Any) -> list[int]:
    """Principal ids from SCIM complex values ``[{"value": "12"}, ...]``."""
    if values is None:
        return []
    if isinstance(values, dict):
        values = [values]
    if not isinstance(values, list):
        raise InvalidParameterValue("members must be a list of objects like {'value': '<id>'}.")
    ids = []
    for item in values:
        raw = item.get("value") if isinstance(item, dict) else item
        if not str(raw or "").isdigit():
            raise InvalidParameterValue(f"Member value {raw!r} is not a principal id.")
        ids.append(int(raw))
    return ids
