"""``ws.sql()`` remotely: strings from the statement API come back as the same typed Arrow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from lakeai.errors import LakeAIError, PermissionDenied, ResourceDoesNotExist
from lakeai.sdk.sql import statement_error, to_arrow


def test_to_arrow_casts_every_kind_of_cell() -> None:
    columns = [
        {"name": n, "type_text": t, "position": i}
        for i, (n, t) in enumerate(
            [
                ("i", "bigint"),
                ("ts", "timestamp"),
                ("b", "boolean"),
                ("a", "array<int>"),
                ("d", "decimal(10,2)"),
                ("day", "date"),
                ("ntz", "timestamp_ntz"),
                ("s", "string"),
            ]
        )
    ]
    rows = [
        [
            "1",
            "2024-01-02T03:04:05.5Z",
            "true",
            "[1,2]",
            "3.50",
            "2024-01-02",
            "2024-01-02 03:04:05",
            "x",
        ],
        [None] * 8,
    ]
    table = to_arrow(columns, rows)
    assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    first = table.to_pylist()[0]
    assert first["i"] == 1 and first["b"] is True and first["a"] == [1, 2]
    assert first["d"] == Decimal("3.50") and first["day"] == dt.date(2024, 1, 2)
    assert first["ntz"] == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert table.to_pylist()[1] == dict.fromkeys(table.column_names)


def test_remote_sql_equals_in_process(remote, local, schema: str) -> None:
    name = f"{schema}.typed"
    data = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "price": [1.5, None],
            "ok": [True, False],
            "day": pa.array([dt.date(2024, 1, 1), dt.date(2024, 2, 1)]),
            "label": ["a", None],
        }
    )
    remote.tables.create(name, data=data)
    statement = f"SELECT id, price, ok, day, label FROM {name} ORDER BY id"
    got = remote.sql(statement)
    assert got.equals(local.sql(statement))
    assert got.to_pylist()[0] == {
        "id": 1,
        "price": 1.5,
        "ok": True,
        "day": dt.date(2024, 1, 1),
        "label": "a",
    }


def test_remote_sql_errors_map_back(remote, local, schema: str) -> None:
    statement = f"SELECT * FROM {schema}.does_not_exist"
    with pytest.raises(ResourceDoesNotExist) as in_process:
        local.sql(statement)
    with pytest.raises(ResourceDoesNotExist) as over_http:
        remote.sql(statement)
    assert over_http.value.message == in_process.value.message


def test_statement_error_codes() -> None:
    assert isinstance(statement_error("NOT_FOUND", "gone"), ResourceDoesNotExist)
    err = statement_error("BAD_REQUEST", "[PERMISSION_DENIED] no")
    assert isinstance(err, PermissionDenied) and err.message == "no"
    assert type(statement_error("WHATEVER", "x")) is LakeAIError
