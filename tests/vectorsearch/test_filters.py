"""Databricks filters_json compiled to SQL: every operator against SQLite, and each error."""

from __future__ import annotations

import json
import sqlite3

import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.vectorsearch.filters import compile_filters

COLUMNS = {
    "id": "int",
    "make": "str",
    "price": "float",
    "ok": "bool",
    "tags": "json",
    "day": "temporal",
}
ROWS = [
    (1, "Toyota", 20000.0, 1, '["red", "big"]', "2024-01-01"),
    (2, "Honda", 35000.0, 0, '["blue"]', "2024-02-01"),
    (3, "Ford", 50000.0, 1, "[]", "2024-03-01"),
    (4, "Toyota Yaris", 15000.0, 0, '["red"]', "2024-04-01"),
    (5, None, 60000.0, 1, None, None),
]


def sql(name: str) -> str:
    return f'"{name}"'


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        'CREATE TABLE t ("id" INTEGER, "make" TEXT, "price" REAL, "ok" INTEGER, "tags" TEXT, "day" TEXT)'
    )
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", ROWS)
    return conn


def ids(db, filters) -> list[int]:
    where, params = compile_filters(filters, COLUMNS, sql)
    return [r[0] for r in db.execute(f"SELECT id FROM t WHERE {where} ORDER BY id", params)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (None, [1, 2, 3, 4, 5]),
        ({}, [1, 2, 3, 4, 5]),
        ({"make": "Toyota"}, [1]),
        ({"make": ["Toyota", "Honda"]}, [1, 2]),
        ({"make NOT": "Ford"}, [1, 2, 4]),
        ({"id NOT": [3, 5]}, [1, 2, 4]),
        ({"price <": 20000}, [4]),
        ({"price <=": 20000}, [1, 4]),
        ({"price >": 50000}, [5]),
        ({"price >=": 50000}, [3, 5]),
        ({"price >=": 15000, "price <=": 35000}, [1, 2, 4]),
        ({"make LIKE": "toyota"}, [1, 4]),
        ({"make LIKE": "%"}, []),  # LIKE wildcards in the value are literal
        ({"make OR price": ["Ford", 60000]}, [3, 5]),
        ({"ok": True}, [1, 3, 5]),
        ({"tags": "red"}, [1, 4]),
        ({"tags": ["blue", "big"]}, [1, 2]),
        ({"day >=": "2024-02-15"}, [3, 4]),
        ({"id": []}, []),
        ('{"id <": 3}', [1, 2]),
        ([{"make LIKE": "Toyota"}, {"price <": 18000}], [4]),
    ],
)
def test_operators(db, filters, expected):
    assert ids(db, filters) == expected


def test_values_are_parameters_never_sql(db):
    where, params = compile_filters({"make": "x' OR 1=1 --"}, COLUMNS, sql)
    assert "OR 1=1" not in where and params == ["x' OR 1=1 --"]
    assert ids(db, {"make": "x' OR 1=1 --"}) == []


def test_unknown_column_lists_the_synced_columns():
    with pytest.raises(InvalidParameterValue, match=r"'colour'.*day, id, make, ok, price, tags"):
        compile_filters({"colour": "red"}, COLUMNS, sql)
    with pytest.raises(InvalidParameterValue, match="'colour'"):
        compile_filters({"colour <": 3}, COLUMNS, sql)
    with pytest.raises(InvalidParameterValue, match="'nope'"):
        compile_filters({"make OR nope": ["a", "b"]}, COLUMNS, sql)


def test_bad_operator_lists_the_valid_ones():
    with pytest.raises(InvalidParameterValue, match=r"'!='.*NOT.*<=.*LIKE.*OR"):
        compile_filters({"price !=": 3}, COLUMNS, sql)


@pytest.mark.parametrize(
    "filters",
    [
        {"price <": "cheap"},
        {"id": "one"},
        {"make": 3},
        {"ok": 1},
        {"price": True},
        {"make LIKE": 3},
    ],
)
def test_wrong_value_type_names_the_column(filters):
    column = next(iter(filters)).split()[0]
    with pytest.raises(InvalidParameterValue, match=repr(column)):
        compile_filters(filters, COLUMNS, sql)


def test_malformed_filters_json():
    with pytest.raises(InvalidParameterValue, match="not valid JSON"):
        compile_filters("{price <", COLUMNS, sql)
    with pytest.raises(InvalidParameterValue, match="JSON object"):
        compile_filters(json.dumps([1, 2]), COLUMNS, sql)
    with pytest.raises(InvalidParameterValue, match="one value per column"):
        compile_filters({"make OR price": ["a"]}, COLUMNS, sql)
