"""The remote SDK against the session's live server, next to the same workspace in-process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest


@pytest.fixture
def remote(live_server) -> Iterator:
    import lakeai

    with lakeai.connect(live_server.url, live_server.token) as ws:
        yield ws


@pytest.fixture
def local(live_server) -> Iterator:
    """The live server's own workspace opened in-process, to compare answers with."""
    from lakeai import Workspace

    ws = Workspace(live_server.workspace)
    yield ws
    ws.close()


@pytest.fixture
def uid() -> str:
    """A suffix that keeps names apart on the shared session server."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def schema(remote, uid: str) -> str:
    """A fresh catalog.schema, created remotely, for one test."""
    remote.catalogs.create(f"c{uid}")
    remote.schemas.create(f"c{uid}", "s")
    return f"c{uid}.s"
