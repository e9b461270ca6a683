"""Inference tables: what the capture hook costs a request, and what the writer sustains.

    .venv/bin/python benchmarks/inference_tables.py --quick   # ~20 s
    .venv/bin/python benchmarks/inference_tables.py           # 60 s sustained at 2,000 calls/s

A workspace gets one chat endpoint with ``inference_table_config`` on. The hook
(``InferenceTableService.capture``) is called directly with a typical chat request/response
(~0.6 KB each, with a key to redact), so the numbers are the writer's, not the HTTP stack's:

1. per-call cost: N calls back to back, the writer's thread running (mean and p99, us);
2. sustained: calls paced at ``--rate`` per second for ``--seconds`` while the background thread
   commits (default flush every 1 s), then ``close()``; rows committed per second over the run,
   commits made, mean commit time, and rows lost = calls - rows in the table (must be 0);
3. saturation: calls as fast as one thread can make them, same accounting.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

RAG = "Returns are accepted within 30 days of delivery. Refunds take five business days. " * 4
REQUEST = {
    "messages": [
        {"role": "system", "content": RAG},
        {"role": "user", "content": "How long do refunds take? my key is sk-abcdefghijklmnop1234"},
    ],
    "max_tokens": 200,
}
RESPONSE = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "extractive-chat",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Refunds take five business days. " * 6},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
}


def _workspace(root: Path) -> Any:
    from lakeai import Workspace

    ws = Workspace(root)
    entity = {
        "name": "a",
        "external_model": {
            "provider": "lakeai",
            "name": "extractive-chat",
            "task": "llm/v1/chat",
            "lakeai_config": {},
        },
    }
    ws.serving_endpoints.create(
        "bench",
        config={"served_entities": [entity]},
        ai_gateway={"inference_table_config": {"catalog_name": "main", "enabled": True}},
    )
    ws.services.inference_tables.start()
    return ws


def _calls(n: int, prefix: str) -> list[Any]:
    from lakeai.serving.invoke import CapturedCall

    return [
        CapturedCall("bench", "a", f"{prefix}-{i}", "admin", REQUEST, RESPONSE, 200, 5)
        for i in range(n)
    ]


def _summary(times_us: list[float]) -> dict[str, float]:
    times_us.sort()
    return {
        "mean_us": statistics.fmean(times_us),
        "p50_us": times_us[len(times_us) // 2],
        "p99_us": times_us[int(len(times_us) * 0.99)],
    }


def per_call(ws: Any, n: int) -> dict[str, float]:
    """The hook alone: the writer's thread holds its commits until the end."""
    writer = ws.services.inference_tables.writer
    hook, writer.flush_seconds = ws.services.inference_tables.capture, 3600.0
    times = []
    for call in _calls(n, "lat"):
        started = time.perf_counter_ns()
        hook(call)
        times.append((time.perf_counter_ns() - started) / 1000)
    writer.flush_seconds = 1.0
    writer.flush()
    with writer._wake:
        writer._wake.notify()  # the thread goes back to its 1 s interval
    return {**_summary(times), "calls": n}


def run(ws: Any, rate: float | None, seconds: float, prefix: str) -> dict[str, Any]:
    """Call the hook (paced at ``rate``/s, or flat out) for ``seconds``; then count rows."""
    service = ws.services.inference_tables
    hook, stats = service.capture, service.writer.stats
    before_rows, before_commits = stats.committed, stats.commits
    calls, started, times = 0, time.perf_counter(), []
    batch = _calls(1000, prefix)
    while (now := time.perf_counter()) - started < seconds:
        if rate is not None and calls >= rate * (now - started):
            time.sleep(0.0005)
            continue
        hook(batch[calls % 1000])
        times.append((time.perf_counter() - now) * 1e6)
        calls += 1
    hook_seconds = time.perf_counter() - started
    service.writer.flush()  # what the thread has not committed yet, as close() would
    total = time.perf_counter() - started
    committed = stats.committed - before_rows
    return {
        "calls": calls,
        "calls_per_s": calls / hook_seconds,
        "rows_per_s": committed / total,
        "commits": stats.commits - before_commits,
        "lost": calls - committed - stats.dropped_full,
        "dropped": stats.dropped_full,
        **_summary(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    seconds = 8.0 if args.quick else args.seconds
    with tempfile.TemporaryDirectory() as tmp:
        ws = _workspace(Path(tmp) / "ws")
        latency = per_call(ws, 2000 if args.quick else 20000)
        ws.services.inference_tables.writer.flush()
        paced = run(ws, args.rate, seconds, "paced")
        flat = run(ws, None, seconds / 2, "flat")
        stats = ws.services.inference_tables.writer.stats
        commit_ms = statistics.fmean(stats.commit_seconds) * 1000
        ws.services.inference_tables.close()
        table = ws.tables.read("main.default.bench_payload", columns=["databricks_request_id"])
        expected = 2000 if args.quick else 20000
        expected += paced["calls"] + flat["calls"]
        ws.close()
    print(f"mean commit: {commit_ms:.1f} ms; rows in table {table.num_rows} of {expected} calls")
    print()
    print(
        "| run | calls | hook calls/s | rows committed/s | commits | rows lost "
        "| hook mean / p50 / p99 (us) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    print(
        f"| hook alone, writer idle | {latency['calls']:,} | | | | "
        f"| {latency['mean_us']:.0f} / {latency['p50_us']:.0f} / {latency['p99_us']:.0f} |"
    )
    for name, r in ((f"paced at {args.rate:.0f}/s", paced), ("flat out, one thread", flat)):
        print(
            f"| {name} | {r['calls']:,} | {r['calls_per_s']:,.0f} | {r['rows_per_s']:,.0f} "
            f"| {r['commits']} | {r['lost'] + r['dropped']} "
            f"| {r['mean_us']:.0f} / {r['p50_us']:.0f} / {r['p99_us']:.0f} |"
        )
    if table.num_rows != expected:
        raise SystemExit(f"LOST ROWS: {expected - table.num_rows}")


if __name__ == "__main__":
    main()
