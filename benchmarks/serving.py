"""Model serving: a trivial pyfunc through LakeAI next to ``mlflow models serve``, in one run.

    .venv/bin/python benchmarks/serving.py --quick     # 300 requests per cell
    .venv/bin/python benchmarks/serving.py             # 2,000 requests per cell
    .venv/bin/python benchmarks/serving.py --workers 2 # model worker processes on both sides

One model (an MLflow "model from code" returning one number per input row) is logged once
through LakeAI's model registry. LakeAI serves it from a ``lakeai serve`` subprocess (endpoint
``bench-model``, the version in its own worker process(es)); MLflow serves the very same model
directory with ``mlflow models serve --env-manager local`` (its uvicorn scoring server). Both get
``POST .../invocations {"dataframe_records": [{"x": 1.0}]}`` over httpx keep-alive connections,
closed loop at concurrency 1 and 8, after a warm-up.

Hook: ``LAKEAI_VARIANTS`` maps a row label to extra endpoint create fields; an inference-table
cell is one more entry (an ``ai_gateway.inference_table_config``), measured the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _load import closed_loop  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
MODEL = "main.default.bench_model"
BODY = json.dumps({"dataframe_records": [{"x": 1.0}]}).encode()
SOURCE = """
import mlflow
from mlflow.pyfunc import PythonModel


class Trivial(PythonModel):
    def predict(self, context, model_input, params=None):
        return [1.0] * len(model_input)


mlflow.models.set_model(Trivial())
"""

# Row label -> extra fields of the endpoint create body (the lead's inference-table cell goes
# here, e.g. {"ai_gateway": {"inference_table_config": {"catalog_name": "main",
# "schema_name": "default", "enabled": True}}}).
CAPTURE = {"catalog_name": "main", "schema_name": "default", "table_name_prefix": "bench"}
LAKEAI_VARIANTS: dict[str, dict[str, Any]] = {
    "LakeAI (lakeai serve)": {},
    "LakeAI + inference table": {
        "ai_gateway": {"inference_table_config": {**CAPTURE, "enabled": True}}
    },
}
WARMUP = 100


def summary(latencies: list[float], wall: float) -> dict[str, float]:
    latencies = sorted(latencies)
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)],
        "rps": len(latencies) / wall,
    }


async def load(url: str, headers: dict[str, str], count: int, concurrency: int) -> dict:
    """Closed loop: ``concurrency`` keep-alive connections send ``count`` requests in turn."""
    headers = {**headers, "Content-Type": "application/json"}
    latencies, wall = await closed_loop(url, headers, [BODY] * count, concurrency)
    return summary(latencies, wall)


def suite(url: str, headers: dict[str, str], count: int) -> dict[str, Any]:
    asyncio.run(load(url, headers, WARMUP, 4))
    return {f"c{c}": asyncio.run(load(url, headers, count, c)) for c in (1, 8)}


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1).status_code < 500
    except httpx.TransportError:
        return False


@contextmanager
def process(args: list[str], ready: Callable[[], bool], env: dict | None = None) -> Iterator[None]:
    """Start a server process, wait until ``ready()``, stop it afterwards."""
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    deadline = time.monotonic() + 180
    try:
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args[:4]} did not start")
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def log_model(folder: Path) -> str:
    """Log the model through LakeAI's registry; the version's local directory."""
    import warnings

    from lakeai import Workspace

    source = folder / "trivial_model.py"
    source.write_text(SOURCE)
    ws = Workspace(folder / "ws")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            version = ws.services.models.log_pyfunc(ws.principal, MODEL, str(source))
        return ws.services.models.resolve(ws.principal, MODEL, str(version)).local_path
    finally:
        ws.close()


def lakeai(folder: Path, count: int, workers: int, extra: dict[str, Any]) -> dict[str, Any]:
    import httpx

    port = _port()
    base = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "lakeai.cli.main", "--workspace", str(folder / "ws"), "serve",
            "--port", str(port), "--log-level", "warning"]  # fmt: skip
    with process(args, lambda: _answers(base + "/health")):
        token = (folder / "ws" / ".admin_token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        entity = {"entity_name": MODEL, "entity_version": "1", "workers": workers}
        body = {"name": "bench-model", "config": {"served_entities": [entity]}, **extra}
        created = httpx.post(f"{base}/api/2.0/serving-endpoints", json=body, headers=headers,
                             timeout=300)  # fmt: skip
        created.raise_for_status()
        result = suite(f"{base}/serving-endpoints/bench-model/invocations", headers, count)
        httpx.delete(f"{base}/api/2.0/serving-endpoints/bench-model", headers=headers)
    if extra.get("ai_gateway"):  # the server flushed on its graceful stop: count what landed
        result["logged"] = logged_rows(folder / "ws")
        result["sent"] = WARMUP + 2 * count
    return result


def logged_rows(workspace: Path) -> int:
    """Rows in the inference table, read after the server stopped (then dropped for a rerun)."""
    from lakeai import Workspace

    ws = Workspace(workspace)
    try:
        name = "main.default.bench_payload"
        rows = ws.tables.read(name).num_rows
        ws.tables.delete(name)
        return rows
    finally:
        ws.close()


def mlflow_serve(model_dir: str, count: int, workers: int) -> dict[str, Any]:
    port = _port()
    mlflow = str(Path(sys.executable).parent / "mlflow")
    args = [mlflow, "models", "serve", "-m", model_dir, "--env-manager", "local",
            "--host", "127.0.0.1", "-p", str(port), "-w", str(workers)]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEAI_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # its uvicorn
    with process(args, lambda: _answers(f"http://127.0.0.1:{port}/ping"), env=env):
        return suite(f"http://127.0.0.1:{port}/invocations", {}, count)


def report(results: dict[str, dict[str, Any]], workers: int, count: int) -> str:
    lines = [
        f"{count} requests per cell, {workers} model worker process(es) on each side:",
        "",
        "| server | p50 ms c1 | p99 ms c1 | req/s c1 | p50 ms c8 | p99 ms c8 | req/s c8 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for label, cells in results.items():
        c1, c8 = cells["c1"], cells["c8"]
        lines.append(
            f"| {label} | {c1['p50']:.2f} | {c1['p99']:.2f} | {c1['rps']:,.0f} "
            f"| {c8['p50']:.2f} | {c8['p99']:.2f} | {c8['rps']:,.0f} |"
        )
        if "logged" in cells:
            lost = cells["sent"] - cells["logged"]
            notes.append(
                f"{label}: {cells['sent']:,} requests, {cells['logged']:,} rows, {lost} lost"
            )
    return "\n".join([*lines, "", *notes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 requests per cell")
    parser.add_argument("--workers", type=int, default=1, help="model worker processes")
    args = parser.parse_args()
    count = 300 if args.quick else 2000
    with tempfile.TemporaryDirectory(prefix="lakeai-bench-serving-") as tmp:
        folder = Path(tmp)
        model_dir = log_model(folder)
        results: dict[str, dict[str, Any]] = {}
        for label, extra in LAKEAI_VARIANTS.items():
            results[label] = lakeai(folder, count, args.workers, extra)
        results[f"MLflow {_mlflow_version()} (mlflow models serve)"] = mlflow_serve(
            model_dir, count, args.workers
        )
    print(report(results, args.workers, count))


def _mlflow_version() -> str:
    from importlib.metadata import version

    return version("mlflow")


if __name__ == "__main__":
    main()
