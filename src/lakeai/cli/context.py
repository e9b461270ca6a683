"""Which workspace a command acts on: in-process (``--workspace``) or a server (``--host``).

The root callback stores a ``Target``; commands call ``workspace(ctx)`` to open it lazily, so
``lakeai --help`` and ``lakeai serve`` never touch a metastore or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import typer

from lakeai.errors import NotImplementedFeature, Unauthenticated

DEFAULT_WORKSPACE = "./lakeai-workspace"


@dataclass
class Target:
    workspace: str | None = None
    host: str | None = None
    token: str | None = None
    json: bool = False
    _opened: Any = field(default=None, repr=False)

    @property
    def remote(self) -> bool:
        return bool(self.host)

    def open(self) -> Any:
        if self._opened is None:
            self._opened = self._connect() if self.remote else self._local()
        return self._opened

    def _connect(self) -> Any:
        import lakeai

        if not self.token:
            raise Unauthenticated(
                f"No token for {self.host}: pass --token or set LAKEAI_TOKEN "
                "(the admin's is in <workspace>/.admin_token)."
            )
        return lakeai.connect(str(self.host), self.token)

    def _local(self) -> Any:
        from lakeai.workspace import Workspace

        return Workspace(self.workspace or DEFAULT_WORKSPACE, token=self.token or None)

    def close(self) -> None:
        if self._opened is not None:
            self._opened.close()
            self._opened = None


def target(ctx: typer.Context) -> Target:
    root = ctx.find_root()
    if not isinstance(root.obj, Target):
        root.obj = Target()
    return root.obj


def workspace(ctx: typer.Context) -> Any:
    """The opened workspace (``lakeai.Workspace`` or ``RemoteWorkspace``) of this invocation."""
    return target(ctx).open()


def service(ctx: typer.Context, name: str) -> Any:
    """A service of the workspace, or a clear error where this build does not have it yet."""
    ws = workspace(ctx)
    try:
        return getattr(ws, name)
    except AttributeError:
        raise NotImplementedFeature(
            f"This workspace has no {name.replace('_', ' ')} service yet; "
            "use a server (--host) that offers it."
        ) from None
