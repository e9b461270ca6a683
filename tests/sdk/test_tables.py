"""Tables over REST: metadata, Arrow IPC writes and reads, history and the change feed."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lakeai.catalog.models import TableInfo
from lakeai.errors import InvalidParameterValue, ResourceDoesNotExist


def _orders(ids: list[int], amount: float = 1.0) -> pa.Table:
    n = len(ids)
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "amount": pa.array([amount] * n, pa.float64()),
            "note": pa.array(["x"] * n, pa.string()),
        }
    )


def test_create_with_data_then_read(remote, local, schema: str) -> None:
    name = f"{schema}.orders"
    info = remote.tables.create(name, data=_orders([1, 2, 3]), primary_key="id", comment="c")
    assert isinstance(info, TableInfo)
    assert info.primary_key == ["id"]
    assert remote.tables.get(name) == local.tables.get(name)
    assert remote.tables.exists(name) and not remote.tables.exists(f"{schema}.nope")
    assert remote.tables.read(name).equals(local.tables.read(name))
    assert remote.tables.read(name, columns=["id"], limit=2).num_rows == 2
    assert remote.tables.read(name, columns=["note"], limit=1).equals(
        local.tables.read(name, columns=["note"], limit=1)
    )
    assert [t.full_name for t in remote.tables.list(*schema.split("."))] == [name]
    assert remote.tables.update(name, comment="new").comment == "new"


def test_writes_match_in_process(remote, local, schema: str) -> None:
    name = f"{schema}.t"
    remote.tables.create(name, schema=_orders([]).schema, primary_key=["id"])
    assert remote.tables.append(name, _orders([1, 2]))["num_rows"] == 2
    merged = remote.tables.merge(name, [{"id": 2, "amount": 5.0, "note": "y"}, {"id": 3}])
    assert merged["num_updated"] == 1 and merged["num_inserted"] == 1
    assert remote.tables.delete_rows(name, "id = 1")["num_deleted"] == 1
    got = remote.tables.read(name).sort_by("id")
    assert got.to_pylist() == [
        {"id": 2, "amount": 5.0, "note": "y"},
        {"id": 3, "amount": None, "note": None},
    ]
    assert got.equals(local.tables.read(name).sort_by("id"))
    assert remote.tables.read(name, version=1).num_rows == 2
    assert remote.tables.history(name) == local.tables.history(name)
    assert remote.tables.version(name) == local.tables.version(name)
    assert remote.tables.changes(name, start_version=1).equals(
        local.tables.changes(name, start_version=1)
    )
    remote.tables.overwrite(name, _orders([9]))
    assert remote.tables.read(name).column("id").to_pylist() == [9]


def test_create_from_columns_and_a_rejected_load(remote, schema: str) -> None:
    name = f"{schema}.cols"
    columns = [
        {"name": "id", "type_text": "bigint"},
        {"name": "tags", "type_text": "array<string>"},
    ]
    info = remote.tables.create(name, schema=columns, primary_key="id")
    assert [c.type_text for c in info.columns] == ["bigint", "array<string>"]
    with pytest.raises(InvalidParameterValue):
        remote.tables.append(name, [{"id": None, "tags": ["a"]}])
    assert remote.tables.read(name).num_rows == 0


def test_create_whose_data_is_rejected_leaves_no_table(remote, schema: str) -> None:
    name = f"{schema}.bad"
    with pytest.raises(InvalidParameterValue):
        remote.tables.create(
            name, schema=_orders([]).schema, data=[{"id": "not a number"}], primary_key="id"
        )
    assert not remote.tables.exists(name)
    with pytest.raises(ResourceDoesNotExist):
        remote.tables.get(name)


def test_merge_on_keys_update_rows_partitions_and_register(
    remote, local, schema: str, tmp_path
) -> None:
    name = f"{schema}.parted"
    remote.tables.create(name, data=_orders([1, 2]), partition_by=["note"])
    assert local.platform.securables.find(name).spec["partition_by"] == ["note"]
    remote.tables.merge(name, _orders([2, 3], amount=5.0), keys=["id"])
    assert sorted(remote.tables.read(name).column("id").to_pylist()) == [1, 2, 3]
    with pytest.raises(InvalidParameterValue, match="not columns"):
        remote.tables.merge(name, _orders([4]), keys=["nope"])
    result = remote.tables.update_rows(name, {"amount": "amount * 2"}, "id = 3")
    assert result["num_updated"] == 1
    amounts = dict(
        zip(*remote.tables.read(name, columns=["id", "amount"]).to_pydict().values(), strict=True)
    )
    assert amounts == {1: 1.0, 2: 5.0, 3: 10.0}
    location = str(tmp_path / "external_orders")
    local.tables.create(f"{schema}.ext_src", data=_orders([7]), storage_location=location)
    info = remote.tables.register(f"{schema}.registered", location)
    assert info.table_type == "EXTERNAL"
    assert remote.tables.read(f"{schema}.registered").column("id").to_pylist() == [7]
