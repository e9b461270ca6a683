"""Crash durability of inference tables: ``kill -9`` loses no row and a replay doubles none."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest

from tests.serving.test_inference_tables import PAYLOAD, RAG, builtin


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``lakeai serve`` as a subprocess on a workspace folder."""

    def __init__(self, tmp_path: Path, workspace: Path, **env: str) -> None:
        self.port, self.workspace = _free_port(), workspace
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-c", "from lakeai.cli.main import main; main()", "serve"]
        args = ["--workspace", str(workspace), "--port", str(self.port), "--log-level", "warning"]
        clean = {k: v for k, v in os.environ.items() if not k.startswith("LAKEAI_")}
        self.log = (tmp_path / f"serve-{self.port}.txt").open("w")
        self.proc = subprocess.Popen(
            [*cmd, *args], stdout=self.log, stderr=subprocess.STDOUT, env={**clean, **env}
        )
        self._wait_healthy()
        self.token = (workspace / ".admin_token").read_text().strip()
        self.client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"lakeai serve exited with {self.proc.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/api/2.0/lakeai/health", timeout=1).status_code == 200:
                    return
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=0.1)  # a short wait on the process, not a sleep
        raise AssertionError("lakeai serve did not become healthy")

    def ask(self, endpoint: str = "bot") -> str:
        messages = [{"role": "system", "content": RAG}, {"role": "user", "content": "refunds?"}]
        response = self.client.post(
            f"/serving-endpoints/{endpoint}/invocations", json={"messages": messages}
        )
        assert response.status_code == 200, response.text
        return response.headers["x-request-id"]

    def stop(self, sig: int) -> None:
        self.client.close()
        self.proc.send_signal(sig)
        self.proc.wait(timeout=60)
        self.log.close()


def _create(server: Server) -> None:
    body = {
        "name": "bot",
        "config": {"served_entities": [builtin()]},
        "ai_gateway": {"inference_table_config": {"catalog_name": "main", "enabled": True}},
    }
    response = server.client.post("/api/2.0/serving-endpoints", json=body)
    assert response.status_code == 200, response.text


def _table_ids(workspace: Path) -> list[str]:
    from lakeai import Workspace

    with Workspace(workspace) as ws:  # in-process: reads, starts no writer, replays nothing
        if not ws.tables.exists(PAYLOAD):
            return []
        return [r["databricks_request_id"] for r in ws.tables.read(PAYLOAD).to_pylist()]


def _poll_ids(server: Server, count: int) -> list[str]:
    """The table's ids once it holds ``count`` rows (the replay runs at start)."""
    deadline, ids = time.monotonic() + 60, []
    while time.monotonic() < deadline:
        response = server.client.post(
            "/api/2.0/sql/statements",
            json={
                "statement": f"SELECT databricks_request_id FROM {PAYLOAD}",
                "wait_timeout": "30s",
            },
        )
        body = response.json()
        if response.status_code == 200 and body.get("status", {}).get("state") == "SUCCEEDED":
            ids = [row[0] for row in body.get("result", {}).get("data_array") or []]
            if len(ids) >= count:
                return ids
        time.sleep(0.05)  # polling the server, bounded by the deadline
    return ids


@pytest.mark.serial
def test_kill_9_loses_nothing_and_replay_doubles_nothing(tmp_path):
    workspace = tmp_path / "ws"
    # Commits never happen on their own: every row is only in the WAL when the process dies.
    first = Server(tmp_path, workspace, LAKEAI_INFERENCE_TABLES_FLUSH_SECONDS="3600")
    _create(first)
    sent = [first.ask() for _ in range(30)]
    first.stop(signal.SIGKILL)
    assert _table_ids(workspace) == []  # nothing committed before the crash

    second = Server(tmp_path, workspace, LAKEAI_INFERENCE_TABLES_FLUSH_SECONDS="0.05")
    ids = _poll_ids(second, len(sent))
    assert sorted(ids) == sorted(sent)
    more = [second.ask() for _ in range(10)]
    ids = _poll_ids(second, len(sent) + len(more))
    second.stop(signal.SIGKILL)  # a crash after commits: their WAL may still be on disk

    third = Server(tmp_path, workspace, LAKEAI_INFERENCE_TABLES_FLUSH_SECONDS="0.05")
    ids = _poll_ids(third, len(sent) + len(more))
    third.stop(signal.SIGTERM)
    final = _table_ids(workspace)
    assert sorted(final) == sorted(sent + more), "lost or doubled rows"
    assert not any((workspace / "inference_tables" / "wal").iterdir())


@pytest.mark.serial
def test_sigterm_flushes_before_exit(tmp_path):
    workspace = tmp_path / "ws"
    server = Server(tmp_path, workspace, LAKEAI_INFERENCE_TABLES_FLUSH_SECONDS="3600")
    _create(server)
    sent = [server.ask() for _ in range(12)]
    server.stop(signal.SIGTERM)
    assert sorted(_table_ids(workspace)) == sorted(sent)


# -- the writer alone: a commit that landed but whose WAL was not yet removed ---------------
def _writer(root: Path, tables: dict[str, Any]):
    from deltalake import DeltaTable, write_deltalake

    from lakeai.serving.capture_writer import CaptureWriter

    schema = pa.schema([pa.field("id", pa.int64())])

    def resolve(table: str, owner: str, kind: str) -> Any:
        location = str(root / table)
        if table not in tables:
            write_deltalake(location, schema.empty_table(), mode="append")
            tables[table] = True
        return DeltaTable(location)

    def to_arrow(kind: str, rows: list[dict[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=schema)

    return CaptureWriter(
        root / "wal", resolve, to_arrow, flush_seconds=3600, flush_rows=10**6, max_pending=10**6
    )


def _ids(root: Path, table: str) -> list[int]:
    from deltalake import DeltaTable

    return sorted(r["id"] for r in DeltaTable(str(root / table)).to_pyarrow_table().to_pylist())


def _crash(writer: Any) -> None:
    """What kill -9 leaves: the WAL folder as is, its lock released."""
    os.close(writer.wal._fd)
    os.close(writer.wal._lock_fd)
    writer.wal = None
    with writer._wake:
        writer._closed = True
        writer._wake.notify_all()


def test_replay_after_a_commit_whose_wal_survived_adds_each_row_once(tmp_path, monkeypatch):
    from lakeai.serving.capture_wal import CaptureWal

    tables: dict[str, Any] = {}
    writer = _writer(tmp_path, tables)
    writer.open()
    for i in range(10):
        writer.record({"t": "a", "o": "x", "k": "k", "r": {"id": i}})
        writer.record({"t": "b", "o": "x", "k": "k", "r": {"id": 100 + i}})
    monkeypatch.setattr(CaptureWal, "drop", staticmethod(lambda paths: None))
    assert writer.flush() == 20  # committed, but the segments stay (a crash right after)
    for i in range(10, 15):
        writer.record({"t": "a", "o": "x", "k": "k", "r": {"id": i}})  # only in the WAL
    _crash(writer)
    monkeypatch.undo()

    again = _writer(tmp_path, tables)
    again.open()
    assert again.stats.replayed == 5
    assert _ids(tmp_path, "a") == list(range(15))
    assert _ids(tmp_path, "b") == [100 + i for i in range(10)]
    again.close()
    assert not any((tmp_path / "wal").iterdir())


def test_a_torn_last_line_is_skipped_and_a_live_writers_wal_is_left_alone(tmp_path):
    tables: dict[str, Any] = {}
    live = _writer(tmp_path, tables)
    live.open()
    live.record({"t": "a", "o": "x", "k": "k", "r": {"id": 1}})
    dead = _writer(tmp_path, tables)
    dead.open()
    dead.record({"t": "a", "o": "x", "k": "k", "r": {"id": 2}})
    os.write(dead.wal._fd, b'{"t":"a","o":"x","k":"k","r":{"id":3')  # torn mid-write
    _crash(dead)

    third = _writer(tmp_path, tables)
    third.open()
    assert _ids(tmp_path, "a") == [2]  # the dead one's whole record; the live one's untouched
    live.close()
    third.close()
    assert _ids(tmp_path, "a") == [1, 2]


def test_a_commit_that_landed_but_reported_failure_is_not_repeated(tmp_path, monkeypatch):
    import deltalake

    from lakeai.errors import TemporarilyUnavailable

    real, failures = deltalake.write_deltalake, [1]

    def lands_then_fails(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        if failures:
            failures.pop()
            raise OSError("connection reset after the commit")

    writer = _writer(tmp_path, {})
    writer.open()
    for i in range(5):
        writer.record({"t": "a", "o": "x", "k": "k", "r": {"id": i}})
    monkeypatch.setattr(deltalake, "write_deltalake", lands_then_fails)
    with pytest.raises(TemporarilyUnavailable):
        writer.flush()
    writer.record({"t": "a", "o": "x", "k": "k", "r": {"id": 5}})
    assert writer.flush() == 1  # the 5 already committed are recognised by their txn version
    assert _ids(tmp_path, "a") == list(range(6))
    writer.close()
