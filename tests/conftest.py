"""Shared fixtures: an in-process workspace, an in-process app client, and a real server.

Hermetic: LAKEAI_* and proxy variables are cleared for every test.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Two pytest-xdist workers share 2 cores: one BLAS thread each keeps numpy-heavy tests (the
# built-in embedding model) from stalling one another. Set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import httpx
import pytest

for _var in list(os.environ):
    if _var.startswith("LAKEAI_") and _var != "LAKEAI_TEST_POSTGRES_URL":
        del os.environ[_var]
    if _var.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        del os.environ[_var]
for _var in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE"):
    os.environ.pop(_var, None)


@pytest.fixture
def ws(tmp_path: Path):
    """A fresh workspace in-process, acting as its admin."""
    from lakeai import Workspace

    workspace = Workspace(tmp_path / "ws")
    yield workspace
    workspace.close()


@dataclass
class Api:
    """An in-process HTTP client over a fresh app, with the admin's token."""

    client: httpx.Client
    token: str
    app: object

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, token: str | None = None, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token}", **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def get(self, path: str, **kw) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> httpx.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw) -> httpx.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw) -> httpx.Response:
        return self.request("DELETE", path, **kw)

    def put(self, path: str, **kw) -> httpx.Response:
        return self.request("PUT", path, **kw)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    from lakeai.server.app import create_app

    app = create_app(tmp_path / "ws")
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, app.state.bootstrap.new_admin_token, app)
    app.state.services.platform.close()


@dataclass
class LiveServer:
    url: str
    token: str
    workspace: Path
    app: object


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real uvicorn server on a free loopback port, for the official clients."""
    import uvicorn

    from lakeai.server.app import create_app

    workspace = tmp_path_factory.mktemp("live") / "ws"
    app = create_app(workspace)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    yield LiveServer(
        f"http://127.0.0.1:{port}", app.state.bootstrap.new_admin_token, workspace, app
    )
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def dbx(live_server: LiveServer):
    """The official databricks-sdk WorkspaceClient pointed at the live server as admin."""
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient(host=live_server.url, token=live_server.token, auth_type="pat")
