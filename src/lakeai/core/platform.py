"""The platform context: settings, metastore, principals, grants, audit and storage paths.

Every service is built over one ``Platform``; the server, the CLI and ``lakeai.Workspace``
each make one per workspace.
"""

from __future__ import annotations

from pathlib import Path

from lakeai.catalog.grants import GrantService
from lakeai.catalog.securables import SecurableStore
from lakeai.core.audit import AuditLog
from lakeai.core.config import Settings, resolve_settings
from lakeai.core.metastore import Metastore
from lakeai.core.principals import PrincipalStore


class Platform:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or resolve_settings()
        self.root: Path = self.settings.workspace_path
        self.root.mkdir(parents=True, exist_ok=True)
        url = self.settings.metastore_url or f"sqlite:///{self.root / 'metastore.db'}"
        self.metastore = Metastore(url)
        self.principals = PrincipalStore(self.metastore)
        self.audit = AuditLog(self.root / "warehouse" / "system" / "access" / "audit")
        self.grants = GrantService(self.metastore, self.audit)
        self.securables = SecurableStore(self.metastore, on_change=self.grants.invalidate)
        self.principals.listeners.append(self.grants.invalidate)

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def volumes_root(self) -> Path:
        return self.root / "volumes"

    def close(self) -> None:
        self.metastore.close()
