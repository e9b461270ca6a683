"""LakeAI: an open, self-hosted Lakehouse AI platform.

``lakeai.Workspace(path)`` opens a workspace in-process; ``lakeai.connect(url, token)`` talks
to a server with the same methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Workspace", "__version__", "connect", "errors"]

if TYPE_CHECKING:
    from lakeai.workspace import Workspace


def __getattr__(name: str) -> Any:
    if name == "Workspace":
        from lakeai.workspace import Workspace

        return Workspace
    if name == "errors":
        import lakeai.errors as errors

        return errors
    raise AttributeError(name)


def connect(url: str, token: str) -> Any:
    """A remote workspace: the same methods as ``Workspace``, over REST."""
    from lakeai.sdk.client import RemoteWorkspace

    return RemoteWorkspace(url, token)
