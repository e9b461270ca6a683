"""Evaluating feature specs in batches, and feature serving endpoints through the SDK."""

from __future__ import annotations

import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.features.serving import evaluate

USERS = [{"user_id": i, "age": 20 + i, "score": i / 10} for i in range(1, 4)]
B = [{"name": "x", "type_text": "BIGINT"}, {"name": "y", "type_text": "BIGINT"}]


@pytest.fixture
def fs(ws):
    ws.schemas.create("main", "fs")
    ws.tables.create("main.fs.users", data=USERS, primary_key="user_id")
    ws.tables.create("main.fs.city", data=[{"city": "a", "pop": 7}], primary_key="city")
    ws.online_tables.create(
        "main.fs.city_ot",
        source_table_full_name="main.fs.city",
        primary_key_columns=["city"],
        run_triggered=True,
    )
    ws.functions.create("main.fs.add", params=B, returns="BIGINT", body="x + y")
    ws.feature_specs.create(
        "main.fs.spec",
        features=[
            {
                "table_name": "main.fs.users",
                "lookup_key": ["user_id"],
                "rename_outputs": {"score": "user_score"},
                "default_values": {"age": -1},
            },
            {"table_name": "main.fs.city_ot", "lookup_key": ["city"]},
            {
                "udf_name": "main.fs.add",
                "input_bindings": {"x": "age", "y": "bonus"},
                "output_name": "s",
            },
            {
                "udf_name": "main.fs.add",
                "input_bindings": {"x": "s", "y": "pop"},
                "output_name": "t",
            },
        ],
        exclude_columns=["city"],
    )
    return ws


def run(ws, rows):
    return evaluate(ws.services, ws.principal, "main.fs.spec", rows)


def test_batch_lookups_renames_defaults_functions_in_order(fs):
    out = run(
        fs,
        [
            {"user_id": 2, "city": "a", "bonus": 1},
            {"user_id": 99, "city": "zz", "bonus": 0},
        ],
    )
    assert out[0] == {"user_id": 2, "age": 22, "user_score": 0.2, "pop": 7, "s": 23, "t": 30}
    assert out[1] == {"user_id": 99, "age": -1, "user_score": None, "pop": None, "s": -1, "t": None}


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ({"city": "a", "bonus": 1}, "lookup key user_id is missing"),
        ({"user_id": "2", "city": "a", "bonus": 1}, "lookup key user_id must be"),
        ({"user_id": 2, "city": "a"}, "request field bonus"),
    ],
)
def test_bad_rows_are_400_naming_the_key(fs, row, match):
    with pytest.raises(InvalidParameterValue, match=match):
        run(fs, [row])


def test_sdk_feature_serving_endpoint(dbx, live_server):
    from databricks.sdk.service.serving import (
        DataframeSplitInput,
        EndpointCoreConfigInput,
        ServedEntityInput,
    )

    from lakeai import Workspace

    ws = Workspace(live_server.workspace)
    try:
        ws.schemas.create("main", "fsdk")
        ws.tables.create("main.fsdk.users", data=USERS, primary_key="user_id")
        ws.feature_specs.create(
            "main.fsdk.spec",
            features=[{"table_name": "main.fsdk.users", "lookup_key": ["user_id"]}],
        )
    finally:
        ws.close()
    assert dbx.functions.get("main.fsdk.spec").full_name == "main.fsdk.spec"
    entity = ServedEntityInput(
        entity_name="main.fsdk.spec", workload_size="Small", scale_to_zero_enabled=True
    )
    dbx.serving_endpoints.create(
        "fs-ep", config=EndpointCoreConfigInput(name="x", served_entities=[entity])
    )
    got = dbx.serving_endpoints.query("fs-ep", dataframe_records=[{"user_id": 1}, {"user_id": 9}])
    assert got.outputs == [
        {"user_id": 1, "age": 21, "score": 0.1},
        {"user_id": 9, "age": None, "score": None},
    ]
    split = dbx.serving_endpoints.query(
        "fs-ep", dataframe_split=DataframeSplitInput(columns=["user_id"], data=[[3]])
    )
    assert split.outputs == [{"user_id": 3, "age": 23, "score": 0.3}]
    from databricks.sdk.errors import BadRequest, NotFound

    with pytest.raises(BadRequest, match="user_id"):
        dbx.serving_endpoints.query("fs-ep", dataframe_records=[{"user_id": "x"}])
    with pytest.raises(NotFound, match=r"main\.fsdk\.nope"):
        entity = ServedEntityInput(entity_name="main.fsdk.nope", workload_size="Small")
        dbx.serving_endpoints.create(
            "fs-ep2", config=EndpointCoreConfigInput(name="x", served_entities=[entity])
        )


def test_a_failing_python_function_fails_only_that_request(api):
    """Through a feature serving endpoint: a raise is a 400 with its message, nothing more."""
    api.post("/api/2.1/unity-catalog/schemas", json={"name": "fx", "catalog_name": "main"})
    services, admin = api.app.state.services, api.app.state.bootstrap.admin
    services.tables.create(
        admin, "main.fx.users", data=[{"user_id": 1, "age": 5}], primary_key="user_id"
    )
    body = "if x == 13:\n    raise ValueError('unlucky age')\nreturn x * 2"
    services.functions.create(
        admin,
        "main.fx.double",
        params=[{"name": "x", "type_text": "BIGINT"}],
        returns="BIGINT",
        language="PYTHON",
        body=body,
    )
    services.feature_specs.create(
        admin,
        "main.fx.spec",
        features=[
            {"table_name": "main.fx.users", "lookup_key": ["user_id"]},
            {"udf_name": "main.fx.double", "input_bindings": {"x": "n"}, "output_name": "twice"},
        ],
    )
    config = {"served_entities": [{"entity_name": "main.fx.spec", "workload_size": "Small"}]}
    assert (
        api.post("/api/2.0/serving-endpoints", json={"name": "fx", "config": config}).status_code
        == 200
    )

    def query(n: int):
        return api.post(
            "/serving-endpoints/fx/invocations",
            json={"dataframe_records": [{"user_id": 1, "n": n}]},
        )

    assert query(4).json()["outputs"][0]["twice"] == 8
    raised = query(13)
    assert raised.status_code == 400 and "unlucky age" in raised.json()["message"]
    assert "Traceback" not in raised.text
    assert query(4).status_code == 200


def test_a_composite_key_in_another_order_than_the_online_tables(ws):
    ws.schemas.create("main", "ck")
    rows = [{"a": 1, "b": "x", "v": 10}, {"a": 1, "b": "y", "v": 20}, {"a": 2, "b": "x", "v": 30}]
    ws.tables.create("main.ck.t", data=rows, primary_key=["a", "b"])
    ws.online_tables.create(
        "main.ck.t_ot", source_table_full_name="main.ck.t", primary_key_columns=["a", "b"],
        run_triggered=True,
    )  # fmt: skip
    for table in ("main.ck.t", "main.ck.t_ot"):
        name = f"main.ck.spec_{table.rsplit('.', 1)[1]}"
        ws.feature_specs.create(name, features=[{"table_name": table, "lookup_key": ["b", "a"]}])
        out = evaluate(
            ws.services,
            ws.principal,
            name,
            [{"a": 1, "b": "y"}, {"b": "x", "a": 2}, {"a": 3, "b": "x"}],
        )
        assert [o["v"] for o in out] == [20, 30, None], table
