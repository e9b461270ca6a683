"""Delta tables through the service layer: every write one commit, rejected writes change nothing."""

from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa
import pytest

from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from lakeai.tables import delta

ORDERS = [{"id": 1, "item": "lamp", "qty": 2}, {"id": 2, "item": "desk", "qty": 1}]


@pytest.fixture
def orders(ws):
    ws.tables.create("main.default.orders", data=ORDERS, primary_key="id", comment="orders")
    return ws


def rows(ws, name="main.default.orders", **kw):
    return sorted(ws.tables.read(name, **kw).to_pylist(), key=lambda r: r["id"])


def test_create_from_schema_columns_and_pk(ws):
    info = ws.tables.create(
        "main.default.t",
        schema=[{"name": "id", "type_text": "bigint"}, {"name": "v", "type_text": "array<float>"}],
        primary_key=["id"],
    )
    assert [c.type_text for c in info.columns] == ["bigint", "array<float>"]
    assert info.primary_key == ["id"]
    assert info.columns[0].nullable is False
    assert (
        delta.open_table(info.storage_location)
        .metadata()
        .configuration["delta.enableChangeDataFeed"]
        == "true"
    )


def test_create_from_pandas_parquet_csv_json(ws, tmp_path):
    ws.tables.create("main.default.p", data=pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    csv = tmp_path / "d.csv"
    csv.write_text("a,b\n1,x\n2,y\n")
    ws.tables.create("main.default.c", data=csv)
    jsonl = tmp_path / "d.json"
    jsonl.write_text('{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n')
    ws.tables.create("main.default.j", data=jsonl)
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"a": [1, 2], "b": ["x", "y"]}), tmp_path / "d.parquet")
    ws.tables.create("main.default.q", data=tmp_path / "d.parquet")
    for name in ("p", "c", "j", "q"):
        assert ws.tables.read(f"main.default.{name}").num_rows == 2


def test_append_overwrite_merge_delete(orders):
    orders.tables.append("main.default.orders", [{"id": 3, "item": "chair", "qty": 4}])
    assert [r["id"] for r in rows(orders)] == [1, 2, 3]
    result = orders.tables.merge(
        "main.default.orders",
        [{"id": 2, "item": "desk", "qty": 5}, {"id": 4, "item": "rug", "qty": 1}],
    )
    assert (result["num_updated"], result["num_inserted"]) == (1, 1)
    assert {r["id"]: r["qty"] for r in rows(orders)} == {1: 2, 2: 5, 3: 4, 4: 1}
    orders.tables.delete_rows("main.default.orders", "qty > 3")
    assert [r["id"] for r in rows(orders)] == [1, 4]
    orders.tables.overwrite("main.default.orders", ORDERS)
    assert rows(orders) == ORDERS


def test_merge_is_idempotent(orders):
    batch = [{"id": 2, "item": "desk", "qty": 7}, {"id": 9, "item": "bed", "qty": 1}]
    orders.tables.merge("main.default.orders", batch)
    once = rows(orders)
    orders.tables.merge("main.default.orders", batch)
    assert rows(orders) == once


def test_schema_mismatch_names_the_column_and_writes_nothing(orders):
    before = orders.tables.version("main.default.orders")
    with pytest.raises(InvalidParameterValue, match=r"Column qty has type string.*expects bigint"):
        orders.tables.append("main.default.orders", [{"id": 5, "item": "x", "qty": "many"}])
    with pytest.raises(InvalidParameterValue, match="colour"):
        orders.tables.merge(
            "main.default.orders", [{"id": 5, "item": "x", "qty": 1, "colour": "red"}]
        )
    with pytest.raises(InvalidParameterValue, match="NOT NULL"):
        orders.tables.append("main.default.orders", [{"id": None, "item": "x", "qty": 1}])
    with pytest.raises(InvalidParameterValue, match="duplicate keys"):
        orders.tables.merge("main.default.orders", [{"id": 7, "item": "a", "qty": 1}] * 2)
    assert orders.tables.version("main.default.orders") == before
    assert rows(orders) == ORDERS


def test_safe_casts_are_applied(orders):
    orders.tables.append(
        "main.default.orders",
        pa.table({"id": pa.array([5], pa.int32()), "item": ["x"], "qty": pa.array([1], pa.int8())}),
    )
    assert rows(orders)[-1] == {"id": 5, "item": "x", "qty": 1}


def test_time_travel_projection_limit(orders):
    v0 = orders.tables.version("main.default.orders")
    stamp = datetime.now(UTC)
    orders.tables.append("main.default.orders", [{"id": 3, "item": "chair", "qty": 4}])
    assert rows(orders, version=v0) == ORDERS
    assert rows(orders, timestamp=stamp) == ORDERS
    assert orders.tables.read("main.default.orders", columns=["item"]).column_names == ["item"]
    assert orders.tables.read("main.default.orders", limit=1).num_rows == 1
    with pytest.raises(InvalidParameterValue):
        orders.tables.read("main.default.orders", columns=["nope"])
    with pytest.raises(InvalidParameterValue):
        orders.tables.read("main.default.orders", version=99)


def test_history_and_change_feed(orders):
    orders.tables.merge("main.default.orders", [{"id": 1, "item": "lamp", "qty": 9}])
    orders.tables.delete_rows("main.default.orders", "id = 2")
    ops = [h["operation"] for h in orders.tables.history("main.default.orders")]
    assert ops[:2] == ["DELETE", "MERGE"]
    feed = orders.tables.changes("main.default.orders", start_version=2).to_pylist()
    kinds = sorted((r["_change_type"], r["id"]) for r in feed)
    assert kinds == [("delete", 2), ("update_postimage", 1), ("update_preimage", 1)]


def test_external_table_keeps_files_on_drop(ws, tmp_path):
    location = str(tmp_path / "ext")
    info = ws.tables.create("main.default.ext", data=[{"a": 1}], storage_location=location)
    assert info.table_type == "EXTERNAL"
    ws.tables.delete("main.default.ext")
    assert delta.is_delta_table(location)
    again = ws.tables.register("main.default.ext2", location)
    assert again.table_type == "EXTERNAL"
    assert ws.tables.read("main.default.ext2").num_rows == 1
    with pytest.raises(InvalidParameterValue, match="inside the workspace"):
        ws.tables.create(
            "main.default.bad", data=[{"a": 1}], storage_location=str(ws.platform.root / "x")
        )
    with pytest.raises(InvalidParameterValue):
        ws.tables.create("main.default.bad", data=[{"a": 1}], storage_location="ftp://x/y")


def test_managed_drop_removes_files(orders):
    location = orders.tables.get("main.default.orders").storage_location
    orders.tables.delete("main.default.orders")
    assert not delta.is_delta_table(location)
    with pytest.raises(ResourceDoesNotExist):
        orders.tables.read("main.default.orders")


def test_create_errors(ws):
    ws.tables.create("main.default.x", data=[{"a": 1}])
    with pytest.raises(ResourceAlreadyExists):
        ws.tables.create("main.default.x", data=[{"a": 1}])
    with pytest.raises(InvalidParameterValue, match="Primary key"):
        ws.tables.create("main.default.y", data=[{"a": 1}], primary_key="b")
    with pytest.raises(InvalidParameterValue, match="schema"):
        ws.tables.create("main.default.z")
    with pytest.raises(ResourceDoesNotExist):
        ws.tables.create("main.nope.z", data=[{"a": 1}])
    with pytest.raises(InvalidParameterValue, match="Unknown column type"):
        ws.tables.create("main.default.w", schema=[{"name": "a", "type_text": "notatype"}])
    assert ws.platform.securables.find("main.default.y") is None
