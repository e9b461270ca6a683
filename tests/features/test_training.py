"""Training sets: point-in-time joins (no leakage), defaults, functions and grants."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lakeai.errors import InvalidParameterValue, PermissionDenied

EVENTS = [
    {"user_id": 1, "ts": 3, "spend": 30.0},
    {"user_id": 1, "ts": 7, "spend": 70.0},
    {"user_id": 2, "ts": 1, "spend": 10.0},
]
B = [{"name": "x", "type_text": "DOUBLE"}, {"name": "y", "type_text": "DOUBLE"}]


@pytest.fixture
def fs(ws):
    ws.schemas.create("main", "fs")
    ws.tables.create("main.fs.spend", data=EVENTS, primary_key=["user_id", "ts"])
    ws.tables.create("main.fs.users", data=[{"user_id": 1, "age": 30}], primary_key="user_id")
    ws.functions.create("main.fs.add", params=B, returns="DOUBLE", body="x + y")
    return ws


def spend(**extra):
    return {
        "table_name": "main.fs.spend",
        "lookup_key": ["user_id"],
        "timestamp_lookup_key": "ts",
        **extra,
    }


def test_as_of_join_never_leaks_a_later_value(fs):
    labels = [
        {"user_id": 1, "t": 5, "label": 1},
        {"user_id": 1, "t": 2, "label": 0},
        {"user_id": 1, "t": 9, "label": 1},
        {"user_id": 2, "t": 5, "label": 0},
        {"user_id": 3, "t": 5, "label": 0},
    ]
    got = fs.feature_specs.create_training_set(labels, [spend()], timestamp_column="t")
    assert got.column_names == ["user_id", "t", "label", "spend"]
    assert got.column("spend").to_pylist() == [30.0, None, 70.0, 10.0, None]


def test_without_a_label_time_the_latest_row_and_defaults(fs):
    labels = pa.table({"user_id": [1, 2, 9]})
    got = fs.feature_specs.create_training_set(
        labels,
        [
            spend(default_values={"spend": -1.0}, rename_outputs={"spend": "s"}),
            {"table_name": "main.fs.users", "lookup_key": "user_id", "default_values": {"age": 0}},
        ],
    )
    assert got.to_pylist() == [
        {"user_id": 1, "s": 70.0, "age": 30},
        {"user_id": 2, "s": 10.0, "age": 0},
        {"user_id": 9, "s": -1.0, "age": 0},
    ]


def test_functions_run_in_order_and_match_the_spec(fs):
    features = [
        spend(default_values={"spend": 0.0}),
        {
            "udf_name": "main.fs.add",
            "input_bindings": {"x": "spend", "y": "bonus"},
            "output_name": "a",
        },
        {"udf_name": "main.fs.add", "input_bindings": {"x": "a", "y": "a"}, "output_name": "b"},
    ]
    labels = [{"user_id": 1, "t": 5, "bonus": 1.0}, {"user_id": 5, "t": 5, "bonus": 2.0}]
    got = fs.feature_specs.create_training_set(
        labels, features, timestamp_column="t", exclude_columns=["bonus"]
    )
    assert got.to_pylist() == [
        {"user_id": 1, "t": 5, "spend": 30.0, "a": 31.0, "b": 62.0},
        {"user_id": 5, "t": 5, "spend": 0.0, "a": 2.0, "b": 4.0},
    ]
    fs.feature_specs.create("main.fs.spec", features=features, exclude_columns=["a"])
    by_spec = fs.feature_specs.create_training_set(labels, "main.fs.spec", timestamp_column="t")
    assert by_spec.column_names == ["user_id", "t", "bonus", "spend", "b"]
    assert by_spec.column("b").to_pylist() == [62.0, 4.0]


def test_pandas_labels(fs):
    pd = pytest.importorskip("pandas")
    got = fs.feature_specs.create_training_set(
        pd.DataFrame({"user_id": [2], "t": [9]}), [spend()], timestamp_column="t"
    )
    assert got.column("spend").to_pylist() == [10.0]


def test_bad_input(fs):
    with pytest.raises(InvalidParameterValue, match="timestamp_column"):
        fs.feature_specs.create_training_set([{"user_id": 1}], [spend()], timestamp_column="t")
    with pytest.raises(InvalidParameterValue, match="lookup key user_id"):
        fs.feature_specs.create_training_set([{"t": 1}], [spend()], timestamp_column="t")
    with pytest.raises(InvalidParameterValue, match="labels must be"):
        fs.feature_specs.create_training_set("nope", [spend()])


def test_select_and_execute_are_required(fs):
    fs.platform.principals.create("user", "bob")
    fs.grants.update("catalog", "main", [{"principal": "bob", "add": ["USE_CATALOG"]}])
    fs.grants.update("schema", "main.fs", [{"principal": "bob", "add": ["USE_SCHEMA"]}])
    bob = fs.as_principal("bob")
    labels = [{"user_id": 1, "t": 5, "bonus": 1.0}]
    with pytest.raises(PermissionDenied, match="SELECT"):
        bob.feature_specs.create_training_set(labels, [spend()], timestamp_column="t")
    fs.grants.update("table", "main.fs.spend", [{"principal": "bob", "add": ["SELECT"]}])
    got = bob.feature_specs.create_training_set(labels, [spend()], timestamp_column="t")
    assert got.column("spend").to_pylist() == [30.0]
    fn = {"udf_name": "main.fs.add", "input_bindings": {"x": "spend", "y": "bonus"}}
    with pytest.raises(PermissionDenied, match="EXECUTE"):
        bob.feature_specs.create_training_set(labels, [spend(), fn], timestamp_column="t")
