"""Vector search through the service: delta-sync and direct-access indexes, governance, errors."""

from __future__ import annotations

import pytest

from lakeai.errors import (
    InvalidParameterValue,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
)

DOCS = [
    {
        "id": 1,
        "text": "Returns are accepted within 30 days of delivery.",
        "category": "returns",
        "price": 10.0,
    },
    {
        "id": 2,
        "text": "Orders can be cancelled within 30 minutes of purchase.",
        "category": "orders",
        "price": 20.0,
    },
    {
        "id": 3,
        "text": "Shipping is free for orders over 50 dollars.",
        "category": "shipping",
        "price": 30.0,
    },
    {
        "id": 4,
        "text": "Refunds reach your card within five business days.",
        "category": "returns",
        "price": 40.0,
    },
    {
        "id": 5,
        "text": "Gift cards cannot be returned or exchanged.",
        "category": "returns",
        "price": 50.0,
    },
]


@pytest.fixture
def docs(ws):
    ws.schemas.create("main", "support")
    ws.tables.create("main.support.docs", data=DOCS, primary_key="id")
    ws.vector_search_endpoints.create("vs")
    return ws


def create_sync_index(ws, name="main.support.docs_idx", **spec):
    body = {
        "source_table": "main.support.docs",
        "pipeline_type": "TRIGGERED",
        "embedding_source_columns": [
            {"name": "text", "embedding_model_endpoint_name": "lakeai-embed"}
        ],
        **spec,
    }
    return ws.vector_search.create_index(
        name,
        endpoint_name="vs",
        primary_key="id",
        index_type="DELTA_SYNC",
        delta_sync_index_spec=body,
    )


def ids(result) -> list[int]:
    return [row[0] for row in result["result"]["data_array"]]


def test_delta_sync_index_answers_by_meaning_and_stays_in_sync(docs):
    index = create_sync_index(docs)
    assert index["status"]["detailed_state"] == "ONLINE_NO_PENDING_UPDATE"
    assert index["status"]["indexed_row_count"] == 5
    result = docs.vector_search.query_index(
        "main.support.docs_idx",
        columns=["id", "text"],
        query_text="how do I get my money back",
        num_results=2,
    )
    assert result["manifest"]["columns"][-1] == {"name": "score"}
    assert 4 in ids(result) or 1 in ids(result)
    docs.tables.merge(
        "main.support.docs",
        [
            {
                "id": 6,
                "text": "Pets are not allowed in the store.",
                "category": "store",
                "price": 1.0,
            }
        ],
    )
    docs.tables.delete_rows("main.support.docs", "id = 3")
    behind = docs.vector_search.get_index("main.support.docs_idx")["status"]
    assert behind["detailed_state"] == "ONLINE_TRIGGERED_UPDATE" and behind["lag_versions"] == 2
    synced = docs.vector_search.sync_index("main.support.docs_idx")
    assert (synced["upserted_rows"], synced["deleted_rows"]) == (1, 1)
    top = docs.vector_search.query_index(
        "main.support.docs_idx", columns=["id"], query_text="can I bring my dog", num_results=1
    )
    assert ids(top) == [6]
    everything = docs.vector_search.query_index(
        "main.support.docs_idx", columns=["id"], query_text="shipping", num_results=10
    )
    assert 3 not in ids(everything)


def test_filters_and_hybrid(docs):
    create_sync_index(docs, columns_to_sync=["id", "text", "category", "price"])
    name = "main.support.docs_idx"
    only_returns = docs.vector_search.query_index(
        name,
        columns=["id", "category"],
        query_text="policy",
        num_results=5,
        filters_json='{"category": "returns", "price <": 45}',
    )
    assert sorted(ids(only_returns)) == [1, 4]
    with pytest.raises(InvalidParameterValue, match="category"):
        docs.vector_search.query_index(
            name, columns=["id"], query_text="x", filters_json='{"colour": "red"}'
        )
    hybrid = docs.vector_search.query_index(
        name, columns=["id"], query_text="gift cards", num_results=2, query_type="hybrid"
    )
    assert ids(hybrid)[0] == 5


def test_create_errors(docs, ws):
    ws.tables.create("main.support.nokey", data=[{"k": 1, "text": "x"}])
    with pytest.raises(InvalidParameterValue, match="Primary key 'id' is not a column"):
        ws.vector_search.create_index(
            "main.support.bad",
            endpoint_name="vs",
            primary_key="id",
            index_type="DELTA_SYNC",
            delta_sync_index_spec={
                "source_table": "main.support.nokey",
                "embedding_source_columns": [
                    {"name": "text", "embedding_model_endpoint_name": "lakeai-embed"}
                ],
            },
        )
    with pytest.raises(InvalidParameterValue, match="llm/v1/embeddings"):
        create_sync_index(
            docs,
            embedding_source_columns=[
                {"name": "text", "embedding_model_endpoint_name": "lakeai-chat"}
            ],
        )
    with pytest.raises(InvalidParameterValue, match="string column"):
        create_sync_index(
            docs,
            embedding_source_columns=[
                {"name": "price", "embedding_model_endpoint_name": "lakeai-embed"}
            ],
        )
    with pytest.raises(ResourceDoesNotExist):
        ws.vector_search.create_index(
            "main.support.x",
            endpoint_name="nope",
            primary_key="id",
            index_type="DELTA_SYNC",
            delta_sync_index_spec={"source_table": "main.support.docs"},
        )
    with pytest.raises(InvalidParameterValue, match="index_type"):
        ws.vector_search.create_index(
            "main.support.x", endpoint_name="vs", primary_key="id", index_type="MAGIC"
        )
    create_sync_index(docs)
    with pytest.raises(ResourceAlreadyExists):
        create_sync_index(docs)
    assert ws.platform.securables.find("main.support.bad") is None


def test_direct_access_index(docs):
    spec = {
        "embedding_vector_columns": [{"name": "vec", "embedding_dimension": 3}],
        "schema_json": '{"id": "integer", "tag": "string", "vec": "array<float>"}',
    }
    index = docs.vector_search.create_index(
        "main.support.direct",
        endpoint_name="vs",
        primary_key="id",
        index_type="DIRECT_ACCESS",
        direct_access_index_spec=spec,
    )
    assert index["status"]["detailed_state"] == "ONLINE_DIRECT_ACCESS"
    rows = [
        {"id": 1, "tag": "a", "vec": [1, 0, 0]},
        {"id": 2, "tag": "b", "vec": [0, 1, 0]},
        {"id": 3, "tag": "c", "vec": [0, 0, 1]},
    ]
    assert (
        docs.vector_search.upsert_data("main.support.direct", rows)["result"]["success_row_count"]
        == 3
    )
    near = docs.vector_search.query_index(
        "main.support.direct", columns=["id", "tag"], query_vector=[0.1, 0.9, 0], num_results=1
    )
    assert near["result"]["data_array"][0][:2] == [2, "b"]
    docs.vector_search.delete_data("main.support.direct", ["2"])
    assert sorted(
        ids(
            docs.vector_search.query_index(
                "main.support.direct", columns=["id"], query_vector=[0, 1, 0], num_results=3
            )
        )
    ) == [1, 3]
    with pytest.raises(InvalidParameterValue, match="3-dimensional"):
        docs.vector_search.query_index("main.support.direct", columns=["id"], query_vector=[1, 0])
    with pytest.raises(InvalidParameterValue, match="Unknown columns"):
        docs.vector_search.upsert_data(
            "main.support.direct", [{"id": 9, "nope": 1, "vec": [1, 1, 1]}]
        )
    scan = docs.vector_search.scan_index("main.support.direct", num_results=10)
    assert [f["fields"][0]["value"] for f in scan["data"]] == [
        {"number_value": 1},
        {"number_value": 3},
    ]


def test_grants(docs, ws):
    create_sync_index(docs)
    ws.platform.principals.create("user", "vic")
    vic = ws.as_principal("vic")
    with pytest.raises(PermissionDenied):
        vic.vector_search.query_index("main.support.docs_idx", columns=["id"], query_text="returns")
    ws.grants.update(
        "catalog", "main", [{"principal": "vic", "add": ["USE_CATALOG", "USE_SCHEMA"]}]
    )
    ws.grants.update(
        "vector_index", "main.support.docs_idx", [{"principal": "vic", "add": ["SELECT"]}]
    )
    assert (
        vic.vector_search.query_index(
            "main.support.docs_idx", columns=["id"], query_text="returns", num_results=1
        )["result"]["row_count"]
        == 1
    )
    with pytest.raises(PermissionDenied, match="MANAGE"):
        vic.vector_search.delete_index("main.support.docs_idx")
    with pytest.raises(PermissionDenied):
        vic.vector_search.create_index(
            "main.support.vic_idx",
            endpoint_name="vs",
            primary_key="id",
            index_type="DELTA_SYNC",
            delta_sync_index_spec={"source_table": "main.support.docs"},
        )


def test_similarity_metrics(docs):
    spec = {
        "embedding_vector_columns": [{"name": "vec", "embedding_dimension": 2}],
        "schema_json": '{"id": "long", "vec": "array<float>"}',
    }
    rows = [{"id": 1, "vec": [1.0, 0.0]}, {"id": 2, "vec": [10.0, 0.0]}]
    for metric, nearest in (("l2", 1), ("inner_product", 2), ("cosine", None)):
        name = f"main.support.m_{metric}"
        index = docs.vector_search.create_index(
            name,
            endpoint_name="vs",
            primary_key="id",
            index_type="DIRECT_ACCESS",
            direct_access_index_spec=spec,
            similarity_metric=metric,
        )
        assert index["similarity_metric"] == metric
        docs.vector_search.upsert_data(name, rows)
        top = docs.vector_search.query_index(
            name, columns=["id"], query_vector=[1.0, 0.0], num_results=1
        )
        if nearest is not None:
            assert ids(top) == [nearest]
    with pytest.raises(InvalidParameterValue, match="similarity_metric"):
        docs.vector_search.create_index(
            "main.support.m_bad",
            endpoint_name="vs",
            primary_key="id",
            index_type="DIRECT_ACCESS",
            direct_access_index_spec=spec,
            similarity_metric="hamming",
        )
