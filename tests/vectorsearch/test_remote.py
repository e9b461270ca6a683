"""``lakeai.connect(...).vector_search`` answers what the server's own service answers.

The in-process side is the live server's ``VectorSearchService`` bound to the same admin, so
both sides read the same stores; vectors live in the table, so no model runs.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest

import lakeai
from lakeai.errors import InvalidParameterValue, ResourceConflict, ResourceDoesNotExist
from lakeai.workspace import BoundService

DIM = 8


def _rows(n: int = 40) -> list[dict]:
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(n, DIM)).astype(np.float32)
    colours = ("red", "green", "blue")
    return [
        {"id": i, "colour": colours[i % 3], "price": float(i), "vec": vecs[i].tolist()}
        for i in range(n)
    ]


@pytest.fixture
def sides(live_server):
    """(in-process, remote, schema): both act as the admin on the live server's services."""
    services = live_server.app.state.services
    admin = live_server.app.state.bootstrap.admin

    class Local:
        vector_search = BoundService(services.vector_search, admin)
        vector_search_endpoints = BoundService(services.vector_search.endpoints, admin)
        tables = BoundService(services.tables, admin)
        schemas = BoundService(services.schemas, admin)

    schema = f"vr_{uuid.uuid4().hex[:8]}"
    Local.schemas.create("main", schema)
    Local.tables.create(f"main.{schema}.items", data=_rows(), primary_key="id")
    with lakeai.connect(live_server.url, live_server.token) as remote:
        yield Local, remote, f"main.{schema}"


def _create(ws, schema: str, endpoint: str, pipeline: str = "TRIGGERED") -> dict:
    spec = {
        "source_table": f"{schema}.items",
        "pipeline_type": pipeline,
        "embedding_vector_columns": [{"name": "vec", "embedding_dimension": DIM}],
    }
    return ws.vector_search.create_index(
        f"{schema}.idx",
        endpoint_name=endpoint,
        primary_key="id",
        index_type="DELTA_SYNC",
        delta_sync_index_spec=spec,
    )


def _without_url(index: dict) -> dict:
    index.get("status", {}).pop("index_url", None)
    return index


def test_endpoints_same_both_ways(sides) -> None:
    local, remote, _ = sides
    name = f"ep-{uuid.uuid4().hex[:6]}"
    created = remote.vector_search_endpoints.create(name)
    assert created == local.vector_search_endpoints.get(name)
    assert remote.vector_search_endpoints.get(name) == local.vector_search_endpoints.get(name)
    assert name in [e["name"] for e in remote.vector_search_endpoints.list()]
    remote.vector_search_endpoints.delete(name)
    with pytest.raises(ResourceDoesNotExist):
        remote.vector_search_endpoints.get(name)


def test_delta_sync_index_same_both_ways(sides) -> None:
    local, remote, schema = sides
    endpoint = f"ep-{uuid.uuid4().hex[:6]}"
    remote.vector_search_endpoints.create(endpoint)
    created = _create(remote, schema, endpoint)
    assert created["status"]["indexed_row_count"] == 40
    name = f"{schema}.idx"
    assert _without_url(remote.vector_search.get_index(name)) == local.vector_search.get_index(name)
    assert remote.vector_search.list_indexes(endpoint) == local.vector_search.list_indexes(endpoint)
    probe = _rows()[5]["vec"]
    args = {"columns": ["id", "colour"], "query_vector": probe, "num_results": 5}
    there = remote.vector_search.query_index(name, **args)
    assert there == local.vector_search.query_index(name, **args)
    assert there["result"]["data_array"][0][0] == 5
    filtered = {**args, "filters_json": {"colour": "red", "price <": 20}}
    answer = remote.vector_search.query_index(name, **filtered)
    assert answer == local.vector_search.query_index(name, **filtered)
    assert {r[1] for r in answer["result"]["data_array"]} == {"red"}
    scan = remote.vector_search.scan_index(name, num_results=7, last_primary_key="3")
    assert scan == local.vector_search.scan_index(name, num_results=7, last_primary_key="3")
    local.tables.delete_rows(f"{schema}.items", "id < 10")
    synced = remote.vector_search.sync_index(name)
    assert synced["deleted_rows"] == 10
    assert remote.vector_search.get_index(name)["status"]["indexed_row_count"] == 30
    with pytest.raises(ResourceConflict):
        remote.vector_search_endpoints.delete(endpoint)
    remote.vector_search.delete_index(name)
    with pytest.raises(ResourceDoesNotExist):
        remote.vector_search.get_index(name)


def test_paging_and_direct_access(sides) -> None:
    local, remote, schema = sides
    endpoint = f"ep-{uuid.uuid4().hex[:6]}"
    local.vector_search_endpoints.create(endpoint)
    name = f"{schema}.direct"
    spec = {
        "schema_json": '{"id": "long", "vec": "array<float>"}',
        "embedding_vector_columns": [{"name": "vec", "embedding_dimension": DIM}],
    }
    remote.vector_search.create_index(
        name,
        endpoint_name=endpoint,
        primary_key="id",
        index_type="DIRECT_ACCESS",
        direct_access_index_spec=spec,
    )
    rows = [{"id": r["id"], "vec": np.asarray(r["vec"])} for r in _rows(20)]
    upserted = remote.vector_search.upsert_data(name, rows)
    assert upserted["result"]["success_row_count"] == 20
    assert remote.vector_search.delete_data(name, [0, 1])["result"]["success_row_count"] == 2
    args = {"columns": ["id"], "query_vector": rows[3]["vec"].tolist(), "num_results": 10}
    pages = [r[0] for r in local.vector_search.query_index(name, **args)["result"]["data_array"]]
    first = remote.vector_search.query_index(name, **{**args, "num_results": 1_500})
    assert [r[0] for r in first["result"]["data_array"]][:10] == pages
    assert first["result"]["row_count"] == 18 and not first.get("next_page_token")
    with pytest.raises(InvalidParameterValue, match="dimensions"):
        remote.vector_search.query_index(name, query_vector=[1.0, 2.0])
    with pytest.raises(InvalidParameterValue, match="direct-access"):
        remote.vector_search.sync_index(name)
    with pytest.raises(InvalidParameterValue, match="page_token"):
        remote.vector_search.query_next_page(name, "bm9wZQ==")
    remote.vector_search.delete_index(name)
