"""``load(ws)``: build the support-bot workspace through the public APIs a user would call.

Idempotent: what exists is kept (tables, index, endpoints, model versions) and brought up to
date (new or changed policy documents are ingested and synced; C123's last order is moved to
12 minutes before this load, so the demo's "cancel within 30 minutes" case holds every time).
Each step reports ``progress(step, None)`` when it starts and ``progress(step, detail)`` when it
is done.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from lakeai.errors import NotImplementedFeature, ResourceDoesNotExist
from lakeai.examples.support_bot import data
from lakeai.examples.support_bot.bot import FEATURE_ENDPOINT, INDEX, LLM_ENDPOINT
from lakeai.examples.support_bot.register import register_chain
from lakeai.examples.support_bot.serving import serve_chain, support_llm_config

CUSTOMERS = "main.shop.customers"
ORDERS = "main.shop.orders"
LAST_ORDERS = "main.shop.last_orders"
LAST_ORDERS_ONLINE = "main.shop.last_orders_online"
MINUTES_SINCE = "main.shop.minutes_since"
FEATURE_SPEC = "main.shop.customer_features"
DOCS_VOLUME = "main.support.policy_docs"
CHUNKS = "main.support.policy_chunks"
VS_ENDPOINT = "support-vs"

Progress = Callable[[str, str | None], None]


@dataclass
class LoadResult:
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # (step, detail, seconds)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_dict(self) -> dict[str, Any]:
        return {
            "steps": [{"step": s, "detail": d, "seconds": round(t, 2)} for s, d, t in self.steps],
            "loaded_at": self.now.isoformat(),
        }


def docs_folder() -> Path:
    return Path(str(resources.files("lakeai.examples.support_bot") / "docs"))


def service(ws: Any, name: str) -> Any:
    """A service of ``ws``, or an error saying where the example can be loaded instead."""
    found = getattr(ws, name, None)
    if found is None:
        raise NotImplementedFeature(
            f"This client has no {name.replace('_', ' ')} service yet; load the example "
            "in-process with --workspace PATH (the server can serve that folder)."
        )
    return found


def _exists(get: Callable[[], Any]) -> bool:
    try:
        get()
    except ResourceDoesNotExist:
        return False
    return True


# -- steps ------------------------------------------------------------------------------------
def step_schemas(ws: Any, result: LoadResult) -> str:
    made = [s for s in ("shop", "support") if not _exists(lambda s=s: ws.schemas.get(f"main.{s}"))]
    for name in made:
        ws.schemas.create("main", name, comment="support-bot example")
    return f"created {', '.join('main.' + n for n in made)}" if made else "main.shop, main.support"


def step_tables(ws: Any, result: LoadResult) -> str:
    if _exists(lambda: ws.tables.get(ORDERS)):
        recent = pa.Table.from_pylist(data.c123_orders(result.now), schema=data.ORDER_SCHEMA)
        ws.tables.merge(ORDERS, recent)
        ws.tables.merge(LAST_ORDERS, data.last_orders(recent))
        return f"kept; {data.DEMO_CUSTOMER}'s last order moved to 12 minutes ago"
    customers, orders = data.generate(result.now)
    ws.tables.create(CUSTOMERS, data=customers, primary_key="customer_id", comment="Shop customers")
    ws.tables.create(ORDERS, data=orders, primary_key="order_id", comment="Shop orders")
    ws.tables.create(
        LAST_ORDERS,
        data=data.last_orders(orders),
        primary_key="customer_id",
        comment="Each customer's latest order (derived from main.shop.orders)",
    )
    return f"{customers.num_rows} customers, {orders.num_rows} orders"


def step_features(ws: Any, result: LoadResult) -> str:
    online = service(ws, "online_tables")
    if _exists(lambda: online.get(LAST_ORDERS_ONLINE)):
        online.sync(LAST_ORDERS_ONLINE)
    else:
        online.create(
            LAST_ORDERS_ONLINE,
            source_table_full_name=LAST_ORDERS,
            primary_key_columns=["customer_id"],
            run_triggered=True,
        )
    functions = service(ws, "functions")
    if not _exists(lambda: functions.get(MINUTES_SINCE)):
        functions.create(
            MINUTES_SINCE,
            params=[{"name": "ts", "type_text": "timestamp"}],
            returns="double",
            body="(unix_timestamp(now()) - unix_timestamp(ts)) / 60",
            comment="Minutes since ts, computed at request time",
        )
    specs = service(ws, "feature_specs")
    if not _exists(lambda: specs.get(FEATURE_SPEC)):
        specs.create(FEATURE_SPEC, features=FEATURES, comment="The customer's last order")
    if not _exists(lambda: ws.serving_endpoints.get(FEATURE_ENDPOINT)):
        entity = {"name": "customer-features", "entity_name": FEATURE_SPEC}
        ws.serving_endpoints.create(FEATURE_ENDPOINT, config={"served_entities": [entity]})
    return f"{LAST_ORDERS_ONLINE}, {MINUTES_SINCE}, {FEATURE_SPEC} served by {FEATURE_ENDPOINT}"


FEATURES = [
    {
        "table_name": LAST_ORDERS_ONLINE,
        "lookup_key": ["customer_id"],
        "feature_names": ["order_id", "status", "items", "amount", "placed_at"],
        "rename_outputs": {
            "order_id": "last_order_id",
            "status": "last_order_status",
            "items": "last_order_items",
            "amount": "last_order_amount",
            "placed_at": "last_order_placed_at",
        },
    },
    {
        "udf_name": MINUTES_SINCE,
        "input_bindings": {"ts": "last_order_placed_at"},
        "output_name": "minutes_since_last_order",
    },
]


def step_documents(ws: Any, result: LoadResult) -> str:
    from lakeai.vectorsearch.ingest import ingest

    catalog, schema, name = DOCS_VOLUME.split(".")
    if not _exists(lambda: ws.volumes.get(DOCS_VOLUME)):
        ws.volumes.create(catalog, schema, name, comment="Return-policy documents")
    folder = Path(str(ws.volumes.get(DOCS_VOLUME).storage_location).removeprefix("file://"))
    if not folder.is_dir():
        raise NotImplementedFeature(
            f"Volume {DOCS_VOLUME}'s folder {folder} is not on this machine; load the example "
            "where the server's workspace folder is reachable."
        )
    for doc in sorted(docs_folder().iterdir()):
        target = folder / doc.name
        if doc.is_file() and (not target.exists() or target.read_bytes() != doc.read_bytes()):
            shutil.copyfile(doc, target)
    outcome = ingest(ws, DOCS_VOLUME, CHUNKS)
    return f"{len(outcome.files)} documents, {outcome.chunks_written} chunk(s) written to {CHUNKS}"


def step_index(ws: Any, result: LoadResult) -> str:
    if not _exists(lambda: ws.vector_search_endpoints.get(VS_ENDPOINT)):
        ws.vector_search_endpoints.create(VS_ENDPOINT)
    if _exists(lambda: ws.vector_search.get_index(INDEX)):
        ws.vector_search.sync_index(INDEX)
    else:
        ws.vector_search.create_index(
            INDEX,
            endpoint_name=VS_ENDPOINT,
            primary_key="chunk_id",
            index_type="DELTA_SYNC",
            delta_sync_index_spec={
                "source_table": CHUNKS,
                "pipeline_type": "TRIGGERED",
                "embedding_source_columns": [
                    {"name": "text", "embedding_model_endpoint_name": "lakeai-embed"}
                ],
            },
        )
    rows = ws.vector_search.get_index(INDEX)["status"].get("indexed_row_count")
    return f"{INDEX} ({rows} chunks, embedded by lakeai-embed)"


def step_llm(ws: Any, result: LoadResult) -> str:
    if _exists(lambda: ws.serving_endpoints.get(LLM_ENDPOINT)):
        return f"{LLM_ENDPOINT} kept"
    config, what = support_llm_config(ws)
    ws.serving_endpoints.create(LLM_ENDPOINT, config=config)
    return f"{LLM_ENDPOINT} serves {what}"


def step_chain(ws: Any, result: LoadResult) -> str:
    versions = register_chain(ws)
    detail = serve_chain(ws)
    return f"main.support.bot v{', v'.join(map(str, versions))}; {detail}"


STEPS: list[tuple[str, Callable[[Any, LoadResult], str]]] = [
    ("schemas", step_schemas),
    ("tables", step_tables),
    ("features", step_features),
    ("documents", step_documents),
    ("vector index", step_index),
    ("chat endpoint", step_llm),
    ("chain", step_chain),
]


def load(ws: Any, *, progress: Progress | None = None) -> LoadResult:
    """Build (or bring up to date) the support-bot example in ``ws``."""
    result = LoadResult()
    for name, run in STEPS:
        if progress is not None:
            progress(name, None)
        started = time.perf_counter()
        detail = run(ws, result)
        result.steps.append((name, detail, time.perf_counter() - started))
        if progress is not None:
            progress(name, detail)
    return result
