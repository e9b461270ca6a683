"""The official clients against a real LakeAI server: databricks-vectorsearch and databricks-sdk."""

from __future__ import annotations

import uuid

import pytest

ROWS = [
    {"id": 1, "text": "Returns are accepted within 30 days of delivery.", "category": "returns"},
    {
        "id": 2,
        "text": "Orders can be cancelled within 30 minutes of purchase.",
        "category": "orders",
    },
    {"id": 3, "text": "Shipping is free for orders over 50 dollars.", "category": "shipping"},
]


@pytest.fixture
def source(live_server):
    from lakeai import Workspace

    schema = f"vs_{uuid.uuid4().hex[:8]}"
    with Workspace(live_server.workspace) as ws:
        ws.schemas.create("main", schema)
        ws.tables.create(f"main.{schema}.docs", data=ROWS, primary_key="id")
    return f"main.{schema}"


@pytest.fixture
def vsc(live_server):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from databricks.vector_search.client import VectorSearchClient

        return VectorSearchClient(
            workspace_url=live_server.url,
            personal_access_token=live_server.token,
            disable_notice=True,
        )


def test_vectorsearch_client_delta_sync(vsc, source):
    endpoint = f"ep-{uuid.uuid4().hex[:6]}"
    vsc.create_endpoint(name=endpoint, endpoint_type="STANDARD")
    assert vsc.get_endpoint(endpoint)["endpoint_status"]["state"] == "ONLINE"
    index = vsc.create_delta_sync_index(
        endpoint_name=endpoint,
        index_name=f"{source}.idx",
        source_table_name=f"{source}.docs",
        pipeline_type="TRIGGERED",
        primary_key="id",
        embedding_source_column="text",
        embedding_model_endpoint_name="lakeai-embed",
    )
    assert index.describe()["status"]["ready"] is True
    found = index.similarity_search(
        query_text="cancel an order", columns=["id", "text"], num_results=1
    )
    assert found["result"]["data_array"][0][0] == 2
    filtered = index.similarity_search(
        query_text="policy",
        columns=["id", "category"],
        filters={"category": "shipping"},
        num_results=3,
    )
    assert [r[0] for r in filtered["result"]["data_array"]] == [3]
    index.sync()
    assert (
        vsc.get_index(endpoint_name=endpoint, index_name=f"{source}.idx").describe()["name"]
        == f"{source}.idx"
    )
    assert f"{source}.idx" in [
        i["name"] for i in vsc.list_indexes(endpoint).get("vector_indexes", [])
    ]
    vsc.delete_index(endpoint_name=endpoint, index_name=f"{source}.idx")


def test_vectorsearch_client_direct_access(vsc, source):
    endpoint = f"ep-{uuid.uuid4().hex[:6]}"
    vsc.create_endpoint(name=endpoint)
    index = vsc.create_direct_access_index(
        endpoint_name=endpoint,
        index_name=f"{source}.direct",
        primary_key="id",
        embedding_dimension=2,
        embedding_vector_column="vec",
        schema={"id": "integer", "tag": "string", "vec": "array<float>"},
    )
    index.upsert(
        [{"id": 1, "tag": "x", "vec": [1.0, 0.0]}, {"id": 2, "tag": "y", "vec": [0.0, 1.0]}]
    )
    found = index.similarity_search(query_vector=[0.0, 1.0], columns=["id", "tag"], num_results=1)
    assert found["result"]["data_array"][0][:2] == [2, "y"]
    index.delete(primary_keys=["2"])
    rest = index.similarity_search(query_vector=[0.0, 1.0], columns=["id"], num_results=5)
    assert [r[0] for r in rest["result"]["data_array"]] == [1]


def test_sdk_vector_search(dbx, source):
    from databricks.sdk.service.vectorsearch import (
        DeltaSyncVectorIndexSpecRequest,
        EmbeddingSourceColumn,
        EndpointType,
        PipelineType,
        VectorIndexType,
    )

    endpoint = f"ep-{uuid.uuid4().hex[:6]}"
    dbx.vector_search_endpoints.create_endpoint(
        name=endpoint, endpoint_type=EndpointType.STANDARD
    ).result()
    dbx.vector_search_indexes.create_index(
        name=f"{source}.sdk_idx",
        endpoint_name=endpoint,
        primary_key="id",
        index_type=VectorIndexType.DELTA_SYNC,
        delta_sync_index_spec=DeltaSyncVectorIndexSpecRequest(
            source_table=f"{source}.docs",
            pipeline_type=PipelineType.TRIGGERED,
            embedding_source_columns=[
                EmbeddingSourceColumn(name="text", embedding_model_endpoint_name="lakeai-embed")
            ],
        ),
    )
    got = dbx.vector_search_indexes.get_index(f"{source}.sdk_idx")
    assert got.status.ready and got.status.indexed_row_count == 3
    result = dbx.vector_search_indexes.query_index(
        f"{source}.sdk_idx", columns=["id"], query_text="free shipping", num_results=1
    )
    assert result.result.data_array[0][0] in (3, "3")
    assert [i.name for i in dbx.vector_search_indexes.list_indexes(endpoint_name=endpoint)] == [
        f"{source}.sdk_idx"
    ]
    dbx.vector_search_indexes.delete_index(f"{source}.sdk_idx")
    dbx.vector_search_endpoints.delete_endpoint(endpoint)
