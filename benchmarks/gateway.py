"""Gateway overhead: a chat call direct to an instant upstream, through LakeAI, through MLflow.

    .venv/bin/python benchmarks/gateway.py --quick    # a couple of minutes
    .venv/bin/python benchmarks/gateway.py            # the full run (100,000-request soak)

Three servers run as their own processes: a fake OpenAI upstream that answers a fixed chat
completion at once (a bare ASGI app under uvicorn), ``lakeai serve`` with one chat endpoint
(provider ``openai-compatible``) pointing at it, and MLflow's AI Gateway app (provider
``openai`` with ``openai_api_base``) pointing at it too, both under uvicorn with access logs
off. One closed-loop load generator (httpx.AsyncClient) drives each in turn: concurrency 1 for
latency, 16 for throughput. Then LakeAI alone takes a soak while its RSS is read after 1,000
requests and at the end, to show the request path does not leak.
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
ANSWER = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "fake-model",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
).encode()
MESSAGES = {"messages": [{"role": "user", "content": "hi"}]}


async def fake_upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The instant upstream: any POST gets the fixed chat completion."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(ANSWER)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": ANSWER})


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def process(args: list[str], ready_url: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """Start a server process, wait until ``ready_url`` answers, yield its pid, stop it."""
    proc = subprocess.Popen(args, env={**os.environ, **(env or {})}, cwd=ROOT)
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(ready_url, timeout=1)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args[:4]} did not start") from None
            time.sleep(0.2)
    try:
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def load(url: str, headers: dict[str, str], n: int, concurrency: int) -> dict[str, float]:
    """Closed loop: ``concurrency`` workers send ``n`` requests in all, one after another each."""
    latencies: list[float] = []
    remaining = n
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                start = time.perf_counter()
                response = await client.post(url, json=MESSAGES)
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - began
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "rps": n / wall,
    }


def measure(url: str, headers: dict[str, str], n_latency: int, n_throughput: int) -> dict:
    asyncio.run(load(url, headers, 200, 4))  # warm-up: connections, caches, imports
    single = asyncio.run(load(url, headers, n_latency, 1))
    many = asyncio.run(load(url, headers, n_throughput, 16))
    return {"p50": single["p50"], "p99": single["p99"], "rps": many["rps"], "p99_16": many["p99"]}


def _lakeai_endpoint(base: str, token: str, upstream: str) -> None:
    entity = {
        "name": "fake",
        "external_model": {
            "provider": "openai-compatible",
            "name": "fake-model",
            "task": "llm/v1/chat",
            "openai_compatible_config": {"api_base": upstream + "/v1"},
        },
    }
    body = {"name": "bench", "config": {"served_entities": [entity]}}
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.post(f"{base}/api/2.0/serving-endpoints", json=body, headers=headers)
    response.raise_for_status()


def _mlflow_config(folder: Path, upstream: str) -> Path:
    path = folder / "mlflow-gateway.yaml"
    path.write_text(
        "endpoints:\n  - name: bench\n    endpoint_type: llm/v1/chat\n    model:\n"
        "      provider: openai\n      name: fake-model\n      config:\n"
        f"        openai_api_key: sk-bench\n        openai_api_base: {upstream}/v1\n"
    )
    return path


def _serve_app(kind: str, port: int, config: str | None) -> None:
    """Child-process entry: the fake upstream or MLflow's gateway app, under uvicorn."""
    import uvicorn

    if kind == "fake":
        app: Any = fake_upstream
    else:
        from mlflow.gateway.app import create_app_from_path

        app = create_app_from_path(config or "")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def run(quick: bool) -> dict[str, Any]:
    n_latency, n_throughput = (1000, 3000) if quick else (3000, 10000)
    soak = 10_000 if quick else 100_000
    py, me = sys.executable, str(Path(__file__).resolve())
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fake_port, lake_port, mlflow_port = _port(), _port(), _port()
        fake = f"http://127.0.0.1:{fake_port}"
        with process([py, me, "--child", "fake", "--port", str(fake_port)], fake + "/"):
            results["direct"] = measure(fake + "/v1/chat/completions", {}, n_latency, n_throughput)
            lake = f"http://127.0.0.1:{lake_port}"
            args = [py, "-m", "lakeai.cli.main", "--workspace", str(folder / "ws"), "serve"]
            args += ["--port", str(lake_port), "--log-level", "warning"]
            with process(args, lake + "/health") as pid:
                token = (folder / "ws" / ".admin_token").read_text().strip()
                _lakeai_endpoint(lake, token, fake)
                url, headers = (
                    lake + "/serving-endpoints/bench/invocations",
                    {"Authorization": f"Bearer {token}"},
                )
                asyncio.run(load(url, headers, 1000, 16))
                results["rss_1k"] = rss_mib(pid)
                results["lakeai"] = measure(url, headers, n_latency, n_throughput)
                done = 1000 + 200 + n_latency + n_throughput
                asyncio.run(load(url, headers, soak - done, 16))
                results["rss_soak"], results["soak"] = rss_mib(pid), soak
            config = str(_mlflow_config(folder, fake))
            child = [py, me, "--child", "mlflow", "--port", str(mlflow_port), "--config", config]
            env = {"MLFLOW_GATEWAY_API_BASE_ALLOW_PRIVATE_IPS": "true"}
            mlflow = f"http://127.0.0.1:{mlflow_port}"
            with process(child, mlflow + "/health", env):
                url = mlflow + "/endpoints/bench/invocations"
                results["mlflow"] = measure(url, {}, n_latency, n_throughput)
    results["n"] = (n_latency, n_throughput)
    return results


def report(results: dict[str, Any], quick: bool) -> str:
    """Print a rich table and return the same numbers as a Markdown section."""
    from rich.console import Console
    from rich.table import Table

    direct = results["direct"]
    names = {
        "direct": "direct to upstream",
        "lakeai": "through LakeAI",
        "mlflow": "through MLflow gateway",
    }
    table = Table(title="Gateway overhead (chat, instant upstream)")
    for col in ("path", "p50 ms", "p99 ms", "added p50 ms", "added p99 ms", "req/s (16 conc.)"):
        table.add_column(col, justify="right")
    md = [
        "| path | p50 ms | p99 ms | added p50 ms | added p99 ms | req/s (16 concurrent) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label in names.items():
        r = results[key]
        cells = [
            label,
            f"{r['p50']:.2f}",
            f"{r['p99']:.2f}",
            f"{r['p50'] - direct['p50']:.2f}",
            f"{r['p99'] - direct['p99']:.2f}",
            f"{r['rps']:.0f}",
        ]
        table.add_row(*cells)
        md.append("| " + " | ".join(cells) + " |")
    Console().print(table)
    memory = (
        f"LakeAI server RSS: {results['rss_1k']:.0f} MiB after 1,000 requests, "
        f"{results['rss_soak']:.0f} MiB after {results['soak']:,} requests."
    )
    Console().print(memory)
    n_lat, n_thr = results["n"]
    command = ".venv/bin/python benchmarks/gateway.py" + (" --quick" if quick else "")
    return "\n".join(
        [
            "## Gateway",
            "",
            "Machine: 2 cores, 24 GiB, no GPU; load generator, upstream and gateway share it.",
            f"Command: `{command}` ({n_lat:,} sequential requests for latency, {n_thr:,} at "
            "concurrency 16 for throughput, after 200 warm-up requests; a fake OpenAI upstream that "
            "answers at once; each gateway one uvicorn process, access log off).",
            "",
            *md,
            "",
            memory,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests, 10,000-request soak")
    parser.add_argument(
        "--write", action="store_true", help="append the section to docs/benchmarks.md"
    )
    parser.add_argument("--child", choices=("fake", "mlflow"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _serve_app(args.child, args.port, args.config)
        return
    section = report(run(args.quick), args.quick)
    if args.write:
        with (ROOT / "docs" / "benchmarks.md").open("a") as out:
            out.write("\n" + section)


if __name__ == "__main__":
    main()
