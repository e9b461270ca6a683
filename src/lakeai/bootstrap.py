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
    return BootstrapResult(admin=admin, new_admin_token=token, token_file=token_file)
