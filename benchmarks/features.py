"""Feature serving: LakeAI in-process and over HTTP next to Feast's feature server, in one run.

    .venv/bin/python benchmarks/features.py --quick    # 100,000 customers
    .venv/bin/python benchmarks/features.py            # 1,000,000 customers (the issue's size)
    .venv/bin/python benchmarks/features.py --quick --write   # also append to docs/benchmarks.md

Seeded data: ``customers`` (N rows, primary key ``customer_id``: lifetime_value, orders_count,
last_order_ts) and ``regions`` (1,000 rows, primary key ``region_id``: tax_rate), both served
through online tables (customers CONTINUOUS, regions TRIGGERED). The spec has 2 lookups, 1 SQL
function ``minutes_since(last_order_ts)`` and 1 Python function ``with_tax(amount, tax_rate)``;
a request row is ``{customer_id, region_id, amount}``.

Measured: single-key and 100-key batch p50/p99, in-process (``features.serving.evaluate``, what
the endpoint runs) and over HTTP (``POST /serving-endpoints/{name}/invocations`` with
``dataframe_records`` against a ``lakeai serve`` subprocess, httpx keep-alive), closed-loop
throughput at concurrency 1 and 8, and CONTINUOUS freshness (a 1-row merge into the source until
the endpoint returns its new value).

Feast runs side by side on the same data and features: the same rows written as Parquet (file
offline store), SQLite online store, two feature views plus a Python-mode on-demand feature view
for the two functions, ``feast apply`` + ``materialize``; then its SDK ``get_online_features``
in-process and ``feast serve`` (one worker) over REST with the same load generator. Feast pins
pandas 2 and tenacity 8 (the project has pandas 3), so it lives in its own virtualenv:
``python -m venv /work/feastvenv && /work/feastvenv/bin/pip install feast httpx``; point at it
with ``--feast-python`` (default: ``$FEAST_PYTHON`` or ``/work/feastvenv/bin/python``). Without
it the Feast rows are skipped and the issue's measured anchors are printed instead.
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
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

from _load import closed_loop  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
SPEC, ENDPOINT = "main.bench.spec", "features"
REGIONS, BATCH = 1_000, 100
FEAST_ANCHOR = {"p50": 5.0, "p99": 9.5, "rps": 240.0}  # the issue: Feast 0.67, SQLite, REST
EPOCH = 1_760_000_000  # last_order_ts spread over the 30 days before this


# -- data -----------------------------------------------------------------------------------
def make_data(n: int, seed: int) -> dict[str, Any]:
    """The two tables as pyarrow tables (the same rows for LakeAI and for Feast)."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    ts = (EPOCH - rng.integers(0, 30 * 86400, n)) * 1_000_000
    customers = pa.table(
        {
            "customer_id": pa.array(np.arange(n), pa.int64()),
            "region_id": pa.array(rng.integers(0, REGIONS, n), pa.int64()),
            "lifetime_value": pa.array(np.round(rng.gamma(2.0, 150.0, n), 2)),
            "orders_count": pa.array(rng.integers(1, 200, n), pa.int64()),
            "last_order_ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        }
    )
    regions = pa.table(
        {
            "region_id": pa.array(np.arange(REGIONS), pa.int64()),
            "tax_rate": pa.array(np.round(rng.uniform(0.0, 0.25, REGIONS), 3)),
        }
    )
    return {"customers": customers, "regions": regions}


def requests(data: dict[str, Any], count: int, seed: int) -> list[dict[str, Any]]:
    """Request rows for random existing customers, with their region and an amount."""
    import numpy as np

    rng = np.random.default_rng(seed)
    customers = data["customers"]
    picks = rng.integers(0, customers.num_rows, count)
    regions = customers.column("region_id").to_numpy()[picks]
    amounts = np.round(rng.uniform(1, 500, count), 2)
    return [
        {"customer_id": int(c), "region_id": int(r), "amount": float(a)}
        for c, r, a in zip(picks, regions, amounts, strict=True)
    ]


# -- measuring --------------------------------------------------------------------------------
def summary(latencies: list[float], wall: float, requests_done: int, keys: int) -> dict:
    latencies = sorted(latencies)
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)],
        "rps": requests_done / wall,
        "lookups": requests_done * keys / wall,
    }


def timed_calls(call: Callable[[Any], Any], payloads: list[Any], concurrency: int, keys: int):
    """Closed loop in this process: ``concurrency`` threads take the payloads in turn."""
    latencies: list[float] = []
    cursor = iter(range(len(payloads)))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            start = time.perf_counter()
            call(payloads[i])
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summary(latencies, time.perf_counter() - began, len(payloads), keys)


async def http_load(
    url: str, headers: dict[str, str], bodies: list[Any], concurrency: int, keys: int
) -> dict:
    """Closed loop over HTTP: ``concurrency`` keep-alive connections send the bodies in turn."""
    latencies, wall = await closed_loop(url, headers, bodies, concurrency)
    return summary(latencies, wall, len(bodies), keys)


def http_suite(url: str, headers: dict[str, str], single: list[bytes], batch: list[bytes]) -> dict:
    """Warm-up, then single key at concurrency 1 and 8, then 100-key batches at 1 and 8.

    A cell whose server fails (a dropped connection, a 5xx) records the error instead."""
    headers = {**headers, "Content-Type": "application/json"}
    asyncio.run(http_load(url, headers, single[:200], 4, 1))
    cells = {"single": (single, 1, 1), "single_c8": (single, 8, 1),
             "batch": (batch, 1, BATCH), "batch_c8": (batch, 8, BATCH)}  # fmt: skip
    out: dict[str, Any] = {}
    for cell, (bodies, concurrency, keys) in cells.items():
        try:
            out[cell] = asyncio.run(http_load(url, headers, bodies, concurrency, keys))
        except Exception as exc:
            out[cell] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
            time.sleep(2)  # let a restarted worker come back
    return out


def local_suite(call: Callable[[list[dict]], Any], single: list, batch: list) -> dict:
    for p in single[:200]:
        call(p)  # warm-up
    return {
        "single": timed_calls(call, single, 1, 1),
        "single_c8": timed_calls(call, single, 8, 1),
        "batch": timed_calls(call, batch, 1, BATCH),
        "batch_c8": timed_calls(call, batch, 8, BATCH),
    }


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def process(
    args: list[str], ready: Callable[[], bool], cwd: Path = ROOT, quiet: bool = False
) -> Iterator[int]:
    """Start a server process, wait until ``ready()``, yield its pid, stop it."""
    err = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 180
    try:
        while not ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args[:4]} did not start")
            time.sleep(0.2)
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _answers(url: str) -> bool:
    import httpx

    try:
        httpx.get(url, timeout=1)
        return True
    except httpx.TransportError:
        return False


# -- LakeAI -----------------------------------------------------------------------------------
def lakeai_build(ws, data: dict[str, Any]) -> float:
    """Tables, online tables (waited ACTIVE and fully copied), functions and the spec."""
    customers = data["customers"]
    ws.schemas.create("main", "bench")
    chunk = max(1, customers.num_rows // 10)  # ten files, so a 1-row merge rewrites one tenth
    ws.tables.create("main.bench.customers", data=customers.slice(0, chunk),
                     primary_key="customer_id")  # fmt: skip
    for start in range(chunk, customers.num_rows, chunk):
        ws.tables.append("main.bench.customers", customers.slice(start, chunk))
    ws.tables.create("main.bench.regions", data=data["regions"], primary_key="region_id")
    began = time.perf_counter()
    ws.online_tables.create("main.bench.customers_ot", source_table_full_name="main.bench.customers",
                            primary_key_columns=["customer_id"], run_continuously=True)  # fmt: skip
    ws.online_tables.create("main.bench.regions_ot", source_table_full_name="main.bench.regions",
                            primary_key_columns=["region_id"], run_triggered=True)  # fmt: skip
    for name, rows in (("customers_ot", customers.num_rows), ("regions_ot", REGIONS)):
        while True:
            got = ws.online_tables.get(f"main.bench.{name}")
            if got["unity_catalog_provisioning_state"] == "FAILED":
                raise RuntimeError(f"{name}: {got['status']}")
            if ws.services.online_tables._open(ws.services.online_tables._row(
                    f"main.bench.{name}")).count() >= rows:  # fmt: skip
                break
            time.sleep(0.1)
    sync = time.perf_counter() - began
    ws.functions.create("main.bench.minutes_since", params=[{"name": "ts", "type_text": "TIMESTAMP"}],
                        returns="DOUBLE",
                        body="(unix_timestamp(current_timestamp()) - unix_timestamp(ts)) / 60.0")  # fmt: skip
    ws.functions.create(
        "main.bench.with_tax",
        params=[{"name": "amount", "type_text": "DOUBLE"}, {"name": "rate", "type_text": "DOUBLE"}],
        returns="DOUBLE", language="PYTHON", body="return round(amount * (1.0 + rate), 2)",
    )  # fmt: skip
    ws.feature_specs.create(SPEC, features=[
        {"table_name": "main.bench.customers_ot", "lookup_key": ["customer_id"],
         "feature_names": ["lifetime_value", "orders_count", "last_order_ts"]},
        {"table_name": "main.bench.regions_ot", "lookup_key": ["region_id"]},
        {"udf_name": "main.bench.minutes_since", "input_bindings": {"ts": "last_order_ts"},
         "output_name": "minutes_since_last_order"},
        {"udf_name": "main.bench.with_tax", "input_bindings": {"amount": "amount", "rate": "tax_rate"},
         "output_name": "amount_with_tax"},
    ])  # fmt: skip
    return sync


def lakeai_local(ws, single: list, batch: list) -> dict:
    from lakeai.features.serving import evaluate

    def call(rows: list[dict]) -> Any:
        return evaluate(ws.services, ws.principal, SPEC, rows)

    return local_suite(call, single, batch)


def lakeai_http(folder: Path, single: list, batch: list, data: dict, seed: int) -> dict:
    import httpx

    port = _port()
    base = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "lakeai.cli.main", "--workspace", str(folder), "serve",
            "--port", str(port), "--log-level", "warning"]  # fmt: skip
    with process(args, lambda: _answers(base + "/health")):
        token = (folder / ".admin_token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        entity = {"entity_name": SPEC, "workload_size": "Small", "scale_to_zero_enabled": True}
        body = {"name": ENDPOINT, "config": {"served_entities": [entity]}}
        httpx.post(f"{base}/api/2.0/serving-endpoints", json=body, headers=headers,
                   timeout=60).raise_for_status()  # fmt: skip
        url = f"{base}/serving-endpoints/{ENDPOINT}/invocations"
        encode = lambda rows: json.dumps({"dataframe_records": rows}).encode()  # noqa: E731
        result = http_suite(url, headers, [encode(r) for r in single], [encode(r) for r in batch])
        result["freshness"] = freshness(folder, url, headers, data, seed)
    return result


def freshness(folder: Path, url: str, headers: dict, data: dict, seed: int) -> list[dict]:
    """Merge one changed row into the source (another process, like any writer) and poll the
    endpoint until it answers the new value: commit -> visible, three times."""
    import httpx
    import pyarrow as pa

    from lakeai import Workspace

    customers = data["customers"]
    out = []
    with Workspace(folder) as ws, httpx.Client(headers=headers, timeout=30) as client:
        for attempt in range(3):
            key = (seed * 7919 + attempt * 104729) % customers.num_rows
            row = customers.slice(key, 1)
            value = 100_000.0 + attempt + seed
            row = row.set_column(2, "lifetime_value", pa.array([value]))
            region = row.column("region_id")[0].as_py()
            body = {"dataframe_records": [{"customer_id": key, "region_id": region, "amount": 1.0}]}
            start = time.perf_counter()
            ws.tables.merge("main.bench.customers", row)
            committed = time.perf_counter()
            polls = 0
            while True:
                polls += 1
                got = client.post(url, json=body).json()["outputs"][0]
                if got["lifetime_value"] == value:
                    break
                if time.perf_counter() - committed > 30:
                    raise RuntimeError("the change never became visible")
            out.append({"commit_ms": (committed - start) * 1000,
                        "visible_ms": (time.perf_counter() - committed) * 1000, "polls": polls})  # fmt: skip
    return out


# -- Feast ------------------------------------------------------------------------------------
FEAST_REPO = """
from datetime import datetime, timedelta, timezone

from feast import Entity, FeatureService, FeatureView, Field, FileSource, RequestSource
from feast.on_demand_feature_view import on_demand_feature_view
from feast.types import Float64, Int64, UnixTimestamp

customer = Entity(name="customer", join_keys=["customer_id"])
region = Entity(name="region", join_keys=["region_id"])
customers_fv = FeatureView(
    name="customers", entities=[customer], ttl=timedelta(days=3650),
    schema=[Field(name="lifetime_value", dtype=Float64), Field(name="orders_count", dtype=Int64),
            Field(name="last_order_ts", dtype=UnixTimestamp)],
    source=FileSource(path="{customers}", timestamp_field="event_timestamp"),
)
regions_fv = FeatureView(
    name="regions", entities=[region], ttl=timedelta(days=3650),
    schema=[Field(name="tax_rate", dtype=Float64)],
    source=FileSource(path="{regions}", timestamp_field="event_timestamp"),
)
request = RequestSource(name="request", schema=[Field(name="amount", dtype=Float64)])


@on_demand_feature_view(
    sources=[customers_fv, regions_fv, request],
    schema=[Field(name="minutes_since_last_order", dtype=Float64),
            Field(name="amount_with_tax", dtype=Float64)],
    mode="python",
)
def derived(inputs: dict) -> dict:
    # Feast re-runs the function's source alone: imports and helpers must live inside it
    from datetime import datetime, timezone

    def epoch(ts):
        if isinstance(ts, datetime):
            return (ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)).timestamp()
        return float(ts)

    now = datetime.now(timezone.utc).timestamp()
    return {{
        "minutes_since_last_order": [(now - epoch(t)) / 60.0 for t in inputs["last_order_ts"]],
        "amount_with_tax": [round(a * (1.0 + r), 2)
                            for a, r in zip(inputs["amount"], inputs["tax_rate"])],
    }}


features = FeatureService(name="bench", features=[customers_fv, regions_fv, derived])
"""
FEAST_YAML = """project: bench
registry: {repo}/registry.db
provider: local
online_store:
  type: sqlite
  path: {repo}/online.db
offline_store:
  type: file
entity_key_serialization_version: 3
"""


def feast_python(arg: str | None) -> str | None:
    for candidate in (arg, os.environ.get("FEAST_PYTHON"), "/work/feastvenv/bin/python"):
        if candidate and Path(candidate).exists():
            ok = subprocess.run([candidate, "-c", "import feast"], capture_output=True)
            if ok.returncode == 0:
                return candidate
    return None


def feast_files(repo: Path, data: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    repo.mkdir(parents=True)
    import numpy as np

    for name in ("customers", "regions"):
        table = data[name]
        stamps = np.full(table.num_rows, EPOCH * 1_000_000)
        column = pa.array(stamps, pa.timestamp("us", tz="UTC"))
        pq.write_table(table.append_column("event_timestamp", column), repo / f"{name}.parquet")
    (repo / "repo.py").write_text(FEAST_REPO.format(customers=repo / "customers.parquet",
                                                    regions=repo / "regions.parquet"))  # fmt: skip
    (repo / "feature_store.yaml").write_text(FEAST_YAML.format(repo=repo))


def feast_child(kind: str, repo: Path, payloads: Path | None) -> None:
    """Runs under Feast's interpreter: ``setup`` (apply + materialize) or ``local`` (SDK)."""
    from datetime import datetime, timedelta

    from feast import FeatureStore

    if kind == "setup":
        began = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "feast"), "-c", str(repo), "apply"],
                       check=True, capture_output=True)  # fmt: skip
        applied = time.perf_counter()
        store = FeatureStore(repo_path=str(repo))
        end = datetime.now(UTC) + timedelta(minutes=1)
        store.materialize(end - timedelta(days=3650), end)
        done = time.perf_counter()
        print(json.dumps({"apply_s": applied - began, "materialize_s": done - applied}))
        return
    store = FeatureStore(repo_path=str(repo))
    service = store.get_feature_service("bench")
    bundle = json.loads(Path(payloads or "").read_text())

    def call(rows: dict) -> Any:
        return store.get_online_features(features=service, entity_rows=rows).to_dict()

    check = call(bundle["single"][0])
    result = local_suite(call, bundle["single"], bundle["batch"])
    print(json.dumps({"result": result, "check": {k: v[0] for k, v in check.items()}},
                     default=str))  # fmt: skip


def feast_run(python: str, folder: Path, data: dict, single: list, batch: list) -> dict:
    repo = folder / "feast_repo"
    feast_files(repo, data)
    me = str(Path(__file__).resolve())
    setup = subprocess.run([python, me, "--child", "setup", "--repo", str(repo)], check=True,
                           capture_output=True, text=True, cwd=repo)  # fmt: skip
    result: dict[str, Any] = json.loads(setup.stdout.strip().splitlines()[-1])
    bundle = repo / "payloads.json"
    bundle.write_text(json.dumps({"single": single, "batch": batch}))
    local = subprocess.run([python, me, "--child", "local", "--repo", str(repo),
                            "--payloads", str(bundle)], check=True, stdout=subprocess.PIPE,
                           text=True, cwd=repo)  # fmt: skip
    answer = json.loads(local.stdout.strip().splitlines()[-1])
    result["local"], result["check"] = answer["result"], answer["check"]
    port = _port()
    base = f"http://127.0.0.1:{port}"
    cli = str(Path(python).parent / "feast")
    args = [cli, "-c", str(repo), "serve", "-h", "127.0.0.1", "-p", str(port), "--no-access-log"]
    with process(
        args,
        lambda: _answers(base + "/health"),
        cwd=repo,
        quiet=os.environ.get("FEAST_LOGS") is None,
    ):
        encode = lambda rows: json.dumps(  # noqa: E731
            {"feature_service": "bench", "entities": {k: [r[k] for r in rows] for k in rows[0]}}
        ).encode()
        result["http"] = http_suite(base + "/get-online-features", {},
                                    [encode(r) for r in single], [encode(r) for r in batch])  # fmt: skip
    return result


# -- the run and the report -------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.rows or (100_000 if args.quick else 1_000_000)
    data = make_data(n, args.seed)
    single = [[r] for r in requests(data, args.requests, args.seed + 1)]
    flat = requests(data, args.batches * BATCH, args.seed + 2)
    batch = [flat[i : i + BATCH] for i in range(0, len(flat), BATCH)]
    results: dict[str, Any] = {"n": n, "requests": args.requests, "batches": args.batches}
    from lakeai import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        with Workspace(folder) as ws:
            results["sync_s"] = lakeai_build(ws, data)
            from lakeai.features.serving import evaluate

            results["sample"] = evaluate(ws.services, ws.principal, SPEC, single[0])[0]
            results["local"] = lakeai_local(ws, single, batch)
        save(results)
        results["http"] = lakeai_http(folder, single, batch, data, args.seed)
        save(results)
        python = None if args.no_feast else feast_python(args.feast_python)
        if python:
            results["feast_python"] = python
            results["feast"] = feast_run(python, Path(tmp), data, single, batch)
            save(results)
    return results


def save(results: dict[str, Any]) -> None:
    """Partial results as JSON, so a late failure does not lose the earlier measurements."""
    path = Path(tempfile.gettempdir()) / "features-bench.json"
    path.write_text(json.dumps(results, default=str, indent=1))


def report(results: dict[str, Any], command: str) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))
    columns = ("engine", "path", "1-key p50 ms", "1-key p99 ms", "1-key req/s c1", "1-key req/s c8",
               "100-key p50 ms", "100-key p99 ms", "lookups/s c1", "lookups/s c8")  # fmt: skip
    table = Table(title=f"Feature serving, {results['n']:,} customers, 2 lookups + 2 functions")
    for col in columns:
        table.add_column(col, justify="left" if col in ("engine", "path") else "right")
    md = ["| " + " | ".join(columns) + " |", "|---|---|" + "---:|" * (len(columns) - 2)]
    rows: list[tuple[str, str, dict | None]] = [
        ("LakeAI", "in-process (evaluate)", results["local"]),
        ("LakeAI", "HTTP (lakeai serve)", results["http"]),
    ]
    feast = results.get("feast")
    if feast:
        rows += [("Feast 0.67", "in-process SDK", feast["local"]),
                 ("Feast 0.67", "HTTP (feast serve, 1 worker)", feast["http"])]  # fmt: skip
    else:
        rows.append(("Feast 0.67", "not installed here; the issue's anchor (REST)", None))
    for engine, path, r in rows:
        if r is None:
            a = FEAST_ANCHOR
            cells = [engine, path, f"{a['p50']:.1f}", f"{a['p99']:.1f}", "", f"~{a['rps']:.0f}",
                     "", "", "", ""]  # fmt: skip
        else:

            def f(cell: str, key: str, fmt: str, r: dict = r) -> str:
                got = r[cell]
                return "failed" if "error" in got else format(got[key], fmt)

            cells = [engine, path, f("single", "p50", ".2f"), f("single", "p99", ".2f"),
                     f("single", "rps", ",.0f"), f("single_c8", "rps", ",.0f"),
                     f("batch", "p50", ".2f"), f("batch", "p99", ".2f"),
                     f("batch", "lookups", ",.0f"), f("batch_c8", "lookups", ",.0f")]  # fmt: skip
        table.add_row(*cells)
        md.append("| " + " | ".join(cells) + " |")
    console.print(table)
    fresh = results["http"]["freshness"]
    visible = [f["visible_ms"] for f in fresh]
    lines = [
        f"LakeAI first sync of both online tables: {results['sync_s']:.1f} s.",
        "CONTINUOUS freshness, 1-row merge -> new value answered by the endpoint: "
        + ", ".join(f"{f['visible_ms']:.0f} ms" for f in fresh)
        + " (the merges themselves: "
        + ", ".join(f"{f['commit_ms']:.0f} ms" for f in fresh) + ").",
    ]  # fmt: skip
    if feast:
        lines.append(f"Feast apply {feast['apply_s']:.1f} s, materialize "
                     f"{feast['materialize_s']:.1f} s (SQLite online store).")  # fmt: skip
    http = results["http"]
    fh = feast["http"] if feast else {}
    feast_rps = (
        max(fh[c]["rps"] for c in ("single", "single_c8") if "rps" in fh.get(c, {}))
        if any("rps" in fh.get(c, {}) for c in ("single", "single_c8"))
        else FEAST_ANCHOR["rps"]
    )
    feast_lookups = max((fh[c]["lookups"] for c in ("batch", "batch_c8") if "lookups" in fh.get(c, {})),
                        default=None)  # fmt: skip
    errors = {c: v["error"] for c, v in fh.items() if "error" in v}
    ratio = max(http["single"]["rps"], http["single_c8"]["rps"]) / feast_rps
    goals = {
        "HTTP p50 < 2 ms, single key": http["single"]["p50"] < 2.0,
        "HTTP p99 < 5 ms, single key": http["single"]["p99"] < 5.0,
        f">= 5x Feast's single-key req/s over HTTP, best of c1/c8 each (got {ratio:.1f}x)": ratio
        >= 5,
        "1-row change visible within 1 s": max(visible) < 1000,
    }
    if feast_lookups:
        lb = max(http["batch"]["lookups"], http["batch_c8"]["lookups"]) / feast_lookups
        goals[f">= 5x Feast's 100-key batch lookups/s over HTTP, best of c1/c8 (got {lb:.1f}x)"] = (
            lb >= 5
        )
    if errors:
        lines.append("Feast server failures: " + "; ".join(f"{c}: {e}" for c, e in errors.items()))
    for line in lines:
        console.print(line)
    for goal, met in goals.items():
        console.print(f"{'[green]met' if met else '[red]NOT met'}[/] {goal}")
    console.print(f"sample output: {results['sample']}")
    if feast:
        console.print(f"Feast sample: {feast['check']}")
    import textwrap

    wrap = lambda text: textwrap.fill(text, 99, break_on_hyphens=False)  # noqa: E731
    return "\n".join([
        "## Feature serving", "",
        wrap("Machine: 2 CPU cores (virtualised), 24 GiB memory, no GPU; the load generator, the "
        "servers and Feast share it. "
        f"Command: `{command}` ({results['n']:,}-row `customers` feature table in ten Parquet "
        f"files + a 1,000-row `regions` table, both as online tables (SQLite); a spec with 2 "
        "lookups, the SQL function `minutes_since(last_order_ts)` and the Python function "
        f"`with_tax(amount, tax_rate)`; {results['requests']:,} single-key requests and "
        f"{results['batches']:,} 100-key batches per cell after 200 warm-up requests; closed loop "
        "at concurrency 1 and 8; HTTP through httpx keep-alive)."), "",
        wrap("Feast: " + ("0.67 in its own virtualenv (it pins pandas 2; the project has pandas 3), "
                     "the same rows as Parquet (file offline store), SQLite online store, two "
                     "feature views + a Python-mode on-demand feature view computing the same two "
                     "functions, `feast serve` with one worker."
                     if feast else "not installed; the row is the issue's measured anchor.")),
        "", *md, "", *[wrap(line) for line in lines], "",
        *[f"- {'met' if met else '**not met**'}: {goal}" for goal, met in goals.items()], "",
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 customers")
    parser.add_argument("--rows", type=int, help="override the number of customers")
    parser.add_argument("--requests", type=int, default=2000, help="single-key requests per cell")
    parser.add_argument("--batches", type=int, default=200, help="100-key batches per cell")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--feast-python", help="an interpreter with feast installed")
    parser.add_argument("--no-feast", action="store_true")
    parser.add_argument("--write", action="store_true", help="append to docs/benchmarks.md")
    parser.add_argument("--child", choices=("setup", "local"), help=argparse.SUPPRESS)
    parser.add_argument("--repo", help=argparse.SUPPRESS)
    parser.add_argument("--payloads", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        feast_child(args.child, Path(args.repo), Path(args.payloads) if args.payloads else None)
        return
    command = ".venv/bin/python benchmarks/features.py" + (" --quick" if args.quick else "")
    results = run(args)
    section = report(results, command)
    if args.write:
        with (ROOT / "docs" / "benchmarks.md").open("a") as out:
            out.write("\n" + section)


if __name__ == "__main__":
    main()
