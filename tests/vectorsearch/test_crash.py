"""A real ``lakeai serve`` SIGKILLed mid-sync, over and over: the index still equals the table.

Each round writes a random batch to the source table (merge and delete, in-process on the same
folder), asks the server to sync in a background thread and kills the server: either after a
random delay (seeded) or, via ``IndexStore.crash_point``, exactly before or after the store's
commit. A fresh server then syncs again, and the index, scanned through REST, must hold exactly
the table's rows, and a vector query must find a row's own vector first.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import numpy as np

from lakeai import Workspace

DIM, TABLE, INDEX = 16, "main.crash.items", "main.crash.items_idx"
# None: SIGKILL after a random delay; a name: the store kills the server at that step.
STEPS = (None, "before_commit", None, "after_commit", None)
VS = "/api/2.0/vector-search/indexes"


def _rows(rng: np.random.Generator, ids: np.ndarray) -> list[dict]:
    vecs = rng.normal(size=(len(ids), DIM)).astype(np.float32)
    tags = rng.integers(0, 1000, size=len(ids))
    return [
        {"id": int(i), "tag": int(t), "vec": v.tolist()}
        for i, t, v in zip(ids, tags, vecs, strict=True)
    ]


class Server:
    """One ``lakeai serve`` subprocess on a free port; ``crash_at`` arms a store crash point."""

    def __init__(self, workspace: Path, crash_at: str | None = None) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEAI_")}
        if crash_at:
            env["LAKEAI_VS_CRASH_AT"] = crash_at
        cmd = [sys.executable, "-c", "from lakeai.cli.main import main; main()", "serve"]
        args = ["--workspace", str(workspace), "--port", str(port), "--log-level", "warning"]
        self.proc = subprocess.Popen(
            [*cmd, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        token = (workspace / ".admin_token").read_text().strip()
        self.http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        for _ in range(600):  # bounded: ~60 s at most
            assert self.proc.poll() is None, f"lakeai serve exited with {self.proc.returncode}"
            with contextlib.suppress(httpx.TransportError):
                if self.http.get("/api/2.0/lakeai/health", timeout=1).status_code == 200:
                    return
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=0.1)  # a wait on the process itself, not a sleep
        raise AssertionError("lakeai serve did not become healthy")

    def kill(self, worker: threading.Thread | None = None) -> None:
        """SIGKILL (if still alive); the client closes only after ``worker`` is done with it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        if worker is not None:
            worker.join(timeout=60)
        self.http.close()

    def sync(self) -> dict:
        answer = self.http.post(f"{VS}/{INDEX}/sync")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def scan_all(self) -> dict[int, dict]:
        found: dict[int, dict] = {}
        body: dict = {"num_results": 1000}
        while True:
            page = self.http.post(f"{VS}/{INDEX}/scan", json=body).json()
            for row in page.get("data", []):
                fields = {f["key"]: f["value"] for f in row["fields"]}
                vec = [v["number_value"] for v in fields["vec"]["list_value"]["values"]]
                key = int(fields["id"]["number_value"])
                found[key] = {"tag": int(fields["tag"]["number_value"]), "vec": vec}
            if not page.get("data"):
                return found
            body["last_primary_key"] = page["last_primary_key"]


def _table(workspace: Path) -> dict[int, dict]:
    with Workspace(workspace) as ws:
        rows = ws.tables.read(TABLE).to_pylist()
    return {r["id"]: {"tag": r["tag"], "vec": r["vec"]} for r in rows}


def _write_batch(workspace: Path, rng: np.random.Generator, next_id: int) -> int:
    with Workspace(workspace) as ws:
        known = np.asarray(
            sorted(r["id"] for r in ws.tables.read(TABLE, columns=["id"]).to_pylist())
        )
        updated = rng.choice(known, size=min(len(known), 300), replace=False)
        fresh = np.arange(next_id, next_id + int(rng.integers(500, 1500)))
        ws.tables.merge(TABLE, _rows(rng, np.concatenate([updated, fresh])))
        doomed = rng.choice(known, size=min(len(known), 200), replace=False)
        ws.tables.delete_rows(TABLE, f"id IN ({', '.join(str(int(d)) for d in doomed)})")
    return int(fresh[-1]) + 1


def _assert_index_equals_table(server: Server, workspace: Path, rng: np.random.Generator) -> None:
    table, index = _table(workspace), server.scan_all()
    assert index.keys() == table.keys()
    for key, row in table.items():
        assert index[key]["tag"] == row["tag"], key
        np.testing.assert_allclose(index[key]["vec"], row["vec"], rtol=1e-6, err_msg=str(key))
    probe = int(rng.choice(sorted(table)))
    body = {"query_vector": table[probe]["vec"], "columns": ["id"], "num_results": 1}
    top = server.http.post(f"{VS}/{INDEX}/query", json=body).json()
    assert top["result"]["data_array"][0][0] == probe


def _setup(workspace: Path, rng: np.random.Generator) -> None:
    with Workspace(workspace) as ws:
        ws.schemas.create("main", "crash")
        ws.tables.create(TABLE, data=_rows(rng, np.arange(2000)), primary_key="id")
        ws.vector_search_endpoints.create("vs")
        spec = {
            "source_table": TABLE,
            "pipeline_type": "TRIGGERED",
            "embedding_vector_columns": [{"name": "vec", "embedding_dimension": DIM}],
        }
        ws.vector_search.create_index(
            INDEX,
            endpoint_name="vs",
            primary_key="id",
            index_type="DELTA_SYNC",
            delta_sync_index_spec=spec,
        )


def test_sigkill_during_sync_loses_and_doubles_nothing(tmp_path: Path) -> None:
    workspace, rng, pick = tmp_path / "ws", np.random.default_rng(20), random.Random(20)
    _setup(workspace, rng)
    next_id = 2000
    for step in STEPS:
        server = Server(workspace, crash_at=step)
        next_id = _write_batch(workspace, rng, next_id)
        worker = threading.Thread(target=_sync_quietly, args=(server,), daemon=True)
        worker.start()
        if step is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.proc.wait(timeout=pick.uniform(0.0, 0.4))
        else:
            server.proc.wait(timeout=30)  # the store kills the server itself at ``step``
        server.kill(worker)
        again = Server(workspace)
        again.sync()
        _assert_index_equals_table(again, workspace, rng)
        again.kill()


def _sync_quietly(server: Server) -> None:
    """A sync request whose connection dies with the server: that is the point."""
    with contextlib.suppress(httpx.TransportError):
        server.http.post(f"{VS}/{INDEX}/sync")
