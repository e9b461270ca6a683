"""First start of a workspace: the admin, ``main.default`` and the read-only ``system`` catalog.

Idempotent: every later start finds what is there and changes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lakeai.catalog.names import FullName
from lakeai.core.audit import AUDIT_TABLE
from lakeai.core.platform import Platform
from lakeai.core.principals import ADMINS_GROUP, Principal
from lakeai.errors import ResourceDoesNotExist
from lakeai.gateway.usage import USAGE_TABLE, ensure_usage_table, usage_location

ADMIN_NAME = "admin"
ADMIN_TOKEN_FILE = ".admin_token"


@dataclass(frozen=True)
class BootstrapResult:
    admin: Principal
    new_admin_token: str | None  # set only on the start that created it, to print once
    token_file: Path | None


def _ensure_admin(p: Platform) -> tuple[Principal, str | None, Path | None]:
    try:
        return p.principals.principal(ADMIN_NAME), None, None
    except ResourceDoesNotExist:
        pass
    row = p.principals.create("user", ADMIN_NAME, display_name="Workspace admin", is_admin=True)
    p.principals.create("group", ADMINS_GROUP, display_name="Workspace admins")
    p.principals.set_members(ADMINS_GROUP, [row.id])
    given = p.settings.admin_token or None
    token, _ = p.principals.create_token(row.id, comment="admin token (bootstrap)", value=given)
    token_file = None
    if not given:
        token_file = p.root / ADMIN_TOKEN_FILE
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token + "\n")
    return p.principals.principal(row.id), (None if given else token), token_file


def _ensure_securable(
    p: Platform, stype: str, name: str, owner: str, spec: dict, comment: str
) -> None:
    full = FullName(tuple(name.split(".")))
    if p.securables.find(full) is None:
        p.securables.insert(stype, full, owner=owner, comment=comment, spec=spec)


def bootstrap(p: Platform) -> BootstrapResult:
    admin, token, token_file = _ensure_admin(p)
    wh = p.warehouse
    _ensure_securable(
        p, "catalog", "main", admin.name, {"storage_root": str(wh / "main")}, "Default catalog"
    )
    _ensure_securable(
        p,
        "schema",
        "main.default",
        admin.name,
        {"storage_root": str(wh / "main/default")},
        "Default schema",
    )
    _ensure_securable(
        p,
        "catalog",
        "system",
        admin.name,
        {"storage_root": str(wh / "system")},
        "Platform tables (read-only)",
    )
    _ensure_securable(
        p,
        "schema",
        "system.access",
        admin.name,
        {"storage_root": str(wh / "system/access")},
        "Audit log",
    )
    p.audit.ensure_table()
    spec = {"storage_location": str(p.audit.location), "table_type": "MANAGED", "primary_key": []}
    _ensure_securable(
        p, "table", AUDIT_TABLE, admin.name, spec, "Every state-changing or denied call"
    )
    _ensure_usage(p, admin.name)
    _ensure_default_endpoints(p, admin.name)
    return BootstrapResult(admin=admin, new_admin_token=token, token_file=token_file)


def _ensure_usage(p: Platform, owner: str) -> None:
    """``system.serving.endpoint_usage``: one row per gateway call (tokens, latency, status)."""
    root = p.warehouse / "system/serving"
    _ensure_securable(
        p, "schema", "system.serving", owner, {"storage_root": str(root)}, "Serving usage"
    )
    location = usage_location(p.root)
    ensure_usage_table(location)
    spec = {"storage_location": str(location), "table_type": "MANAGED", "primary_key": []}
    _ensure_securable(p, "table", USAGE_TABLE, owner, spec, "One row per serving endpoint call")


# The two endpoints a new workspace serves offline from its first start; users repoint them.
DEFAULT_ENDPOINTS = {
    "lakeai-embed": ("minilm-embed", "llm/v1/embeddings"),
    "lakeai-chat": ("extractive-chat", "llm/v1/chat"),
}


def _ensure_default_endpoints(p: Platform, owner: str) -> None:
    from sqlalchemy import select

    from lakeai.core.clock import new_id, now_ms
    from lakeai.core.models import GrantRow, ServingEndpointRow
    from lakeai.core.principals import ALL_USERS_GROUP

    with p.metastore.session() as s:
        if s.scalar(select(ServingEndpointRow.name).limit(1)) is not None:
            return  # a workspace that already has endpoints keeps its own choices
        for name, (model, task) in DEFAULT_ENDPOINTS.items():
            entity = {
                "name": model,
                "external_model": {
                    "provider": "lakeai",
                    "name": model,
                    "task": task,
                    "lakeai_config": {},
                },
            }
            config = {
                "served_entities": [entity],
                "traffic_config": {
                    "routes": [{"served_entity_name": model, "traffic_percentage": 100}]
                },
            }
            now = now_ms()
            s.add(
                ServingEndpointRow(
                    name=name,
                    id=new_id().replace("-", ""),
                    task=task,
                    owner=owner,
                    creator=owner,
                    description=f"Built-in lakeai/{model}, offline",
                    config=config,
                    ai_gateway={"usage_tracking_config": {"enabled": True}},
                    tags=[],
                    config_version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            s.add(
                GrantRow(
                    securable_type="serving_endpoint",
                    full_name=name,
                    principal=ALL_USERS_GROUP,
                    privilege="QUERY",
                )
            )
