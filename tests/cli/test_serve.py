"""``lakeai serve`` really starts: a subprocess on a free port, its printed token works."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(proc: subprocess.Popen, url: str) -> None:
    for _ in range(300):  # bounded: ~30 s at most
        if proc.poll() is not None:
            raise AssertionError(f"lakeai serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/2.0/lakeai/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.1)  # a short wait on the process itself, not a sleep
    raise AssertionError("lakeai serve did not become healthy")


def test_serve_prints_a_working_admin_token(tmp_path: Path) -> None:
    port, workspace = _free_port(), tmp_path / "ws"
    cmd = [sys.executable, "-c", "from lakeai.cli.main import main; main()"]
    args = ["serve", "--workspace", str(workspace), "--port", str(port), "--log-level", "warning"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEAI_")}
    out = tmp_path / "out.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen([*cmd, *args], stdout=sink, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_healthy(proc, f"http://127.0.0.1:{port}")
            printed = out.read_text()
            token = next(w for w in printed.split() if w.startswith("dapi"))
            assert str(workspace / ".admin_token") in printed
            assert (workspace / ".admin_token").stat().st_mode & 0o777 == 0o600
            me = httpx.get(
                f"http://127.0.0.1:{port}/api/2.1/unity-catalog/catalogs",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert me.status_code == 200
        finally:
            proc.terminate()
            proc.wait(timeout=10)
