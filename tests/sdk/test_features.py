"""Online tables and feature specs through ``lakeai.connect``, against the live server."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lakeai.cli.online_tables import wait_active
from lakeai.errors import InvalidParameterValue, ResourceDoesNotExist

CUSTOMERS = [{"customer_id": 1, "age": 30}, {"customer_id": 2, "age": 40}]


@pytest.fixture
def customers(remote, schema: str) -> str:
    name = f"{schema}.customers"
    remote.tables.create(name, data=CUSTOMERS, primary_key="customer_id")
    return name


def test_online_table_lifecycle(remote, local, schema: str, customers: str) -> None:
    name = f"{schema}.customers_online"
    created = remote.online_tables.create(
        name,
        source_table_full_name=customers,
        primary_key_columns=["customer_id"],
        run_triggered=True,
    )
    assert created["name"] == name and "run_triggered" in created["spec"]
    remote.tables.append(customers, [{"customer_id": 3, "age": 50}])
    synced = remote.online_tables.sync(name)
    assert synced["upserted_rows"] == 1
    table = wait_active(remote.online_tables, name, timeout=30)
    assert table["status"]["indexed_row_count"] == 3
    rows = remote.online_tables.lookup(name, [{"customer_id": 3}, {"customer_id": 99}])
    assert rows[0]["age"] == 50 and rows[1] is None
    assert rows == local.online_tables.lookup(name, [{"customer_id": 3}, {"customer_id": 99}])
    assert [t["name"] for t in remote.online_tables.list(*schema.split("."))] == [name]
    remote.online_tables.delete(name)
    with pytest.raises(ResourceDoesNotExist):
        remote.online_tables.get(name)


def test_online_table_errors(remote, schema: str, customers: str) -> None:
    with pytest.raises(ResourceDoesNotExist):
        remote.online_tables.get(f"{schema}.nope")
    with pytest.raises(ResourceDoesNotExist):
        remote.online_tables.lookup(f"{schema}.nope", [{"customer_id": 1}])
    with pytest.raises(ResourceDoesNotExist):
        remote.online_tables.create(
            f"{schema}.ot",
            source_table_full_name=f"{schema}.missing",
            primary_key_columns=["id"],
            run_triggered=True,
        )
    with pytest.raises(InvalidParameterValue):
        remote.online_tables.create(
            f"{schema}.ot",
            source_table_full_name=customers,
            primary_key_columns=["no_such_column"],
            run_triggered=True,
        )


def _spec(remote, schema: str, customers: str) -> str:
    remote.functions.create(
        f"{schema}.add_one", params=[{"name": "x", "type_text": "int"}], returns="int", body="x + 1"
    )
    features = [
        {"table_name": customers, "lookup_key": ["customer_id"], "feature_names": ["age"]},
        {
            "udf_name": f"{schema}.add_one",
            "input_bindings": {"x": "age"},
            "output_name": "age_plus_one",
        },
    ]
    name = f"{schema}.customer_spec"
    info = remote.feature_specs.create(name, features=features, comment="for the bot")
    assert info["name"] == name and info["owner"]
    return name


def test_feature_spec_evaluate_serve_and_train(remote, local, schema, customers, uid) -> None:
    name = _spec(remote, schema, customers)
    got = remote.feature_specs.get(name)
    assert got == local.feature_specs.get(name)
    assert got["spec"]["functions"][0]["output_name"] == "age_plus_one"
    assert [s["name"] for s in remote.feature_specs.list(*schema.split("."))] == [name]
    want = [{"customer_id": 1, "age": 30, "age_plus_one": 31}]
    assert remote.feature_specs.evaluate(name, [{"customer_id": 1}]) == want
    endpoint = f"fs-{uid}"
    remote.serving_endpoints.create(endpoint, config={"served_entities": [{"entity_name": name}]})
    try:
        served = remote.serving_endpoints.query(
            endpoint, {"dataframe_records": [{"customer_id": 1}]}
        )
        assert served["outputs"] == want
    finally:
        remote.serving_endpoints.delete(endpoint)
    labels = pa.table({"customer_id": pa.array([2, 1], pa.int64()), "label": [0, 1]})
    training = remote.feature_specs.create_training_set(labels, name)
    assert training.equals(local.feature_specs.create_training_set(labels, name))
    assert training.column("age_plus_one").to_pylist() == [41, 31]
    assert remote.feature_specs.check_parity(name, sample=5)["ok"] is True
    remote.feature_specs.delete(name)
    with pytest.raises(ResourceDoesNotExist):
        remote.feature_specs.get(name)


def test_feature_spec_errors(remote, schema: str, customers: str) -> None:
    with pytest.raises(ResourceDoesNotExist):
        remote.feature_specs.get(f"{schema}.nope")
    with pytest.raises(ResourceDoesNotExist):
        remote.feature_specs.evaluate(f"{schema}.nope", [{"customer_id": 1}])
    with pytest.raises(ResourceDoesNotExist):
        remote.feature_specs.create(
            f"{schema}.s", features=[{"table_name": f"{schema}.missing", "lookup_key": ["id"]}]
        )
    name = _spec(remote, schema, customers)
    with pytest.raises(InvalidParameterValue, match="lookup key"):
        remote.feature_specs.evaluate(name, [{"other": 1}])
    with pytest.raises(InvalidParameterValue, match="not a feature spec"):
        remote.feature_specs.evaluate(f"{schema}.add_one", [{"customer_id": 1}])
    with pytest.raises(InvalidParameterValue, match="Unknown options"):
        remote.feature_specs.create_training_set([{"customer_id": 1}], name, bogus=1)
