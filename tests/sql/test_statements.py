"""DDL and DML: each statement one governed Delta commit, answering Databricks' counts."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from tests.sql.conftest import rows


def _version(ws, name: str) -> int:
    return ws.tables.version(name)


def test_create_and_drop_catalog_schema_table(ws):
    assert ws.sql("CREATE CATALOG IF NOT EXISTS sales").num_columns == 0
    ws.sql("CREATE CATALOG IF NOT EXISTS sales")
    with pytest.raises(ResourceAlreadyExists):
        ws.sql("CREATE CATALOG sales")
    ws.sql("CREATE SCHEMA sales.eu COMMENT 'Europe'")
    ws.sql("CREATE SCHEMA IF NOT EXISTS sales.eu")
    ws.sql(
        "CREATE TABLE sales.eu.deals (id BIGINT PRIMARY KEY, price DECIMAL(10,2) NOT NULL, "
        "tags ARRAY<STRING>, at TIMESTAMP COMMENT 'when') COMMENT 'deals' PARTITIONED BY (id)"
    )
    info = ws.tables.get("sales.eu.deals")
    assert info.primary_key == ["id"]
    assert info.comment == "deals"
    assert [c.type_text for c in info.columns] == [
        "bigint",
        "decimal(10,2)",
        "array<string>",
        "timestamp",
    ]
    assert [c.nullable for c in info.columns] == [False, False, True, True]
    assert info.columns[3].comment == "when"
    ws.sql("CREATE TABLE IF NOT EXISTS sales.eu.deals (x INT)")
    ws.sql("DROP TABLE sales.eu.deals")
    ws.sql("DROP TABLE IF EXISTS sales.eu.deals")
    with pytest.raises(ResourceDoesNotExist):
        ws.sql("DROP TABLE sales.eu.deals")
    ws.sql("DROP SCHEMA sales.eu")
    ws.sql("DROP SCHEMA IF EXISTS sales.eu")
    ws.sql("DROP CATALOG sales")
    ws.sql("DROP CATALOG IF EXISTS sales")
    assert [c.name for c in ws.catalogs.list()] == ["main", "system"]


def test_drop_schema_cascade(shop):
    shop.sql("DROP SCHEMA crm.core CASCADE")
    assert not shop.tables.exists("crm.core.regions")


def test_create_table_as_select(shop):
    result = shop.sql(
        "CREATE TABLE shop.big_orders AS SELECT id, amount FROM shop.orders WHERE amount > 6"
    )
    assert rows(result) == [(2, 2)]
    assert rows(shop.sql("SELECT id FROM shop.big_orders ORDER BY id")) == [(2,), (3,)]
    shop.sql("CREATE TABLE IF NOT EXISTS shop.big_orders AS SELECT 1 AS id")
    assert rows(shop.sql("SELECT count(*) FROM shop.big_orders")) == [(2,)]


def test_insert_values_columns_and_select_each_one_commit(shop):
    before = _version(shop, "main.shop.orders")
    result = shop.sql("INSERT INTO shop.orders (id, amount) VALUES (5, 2.5), (6, 3)")
    assert rows(result) == [(2, 2)]
    assert result.column_names == ["num_affected_rows", "num_inserted_rows"]
    assert _version(shop, "main.shop.orders") == before + 1
    assert rows(shop.sql("SELECT status, customer_id FROM shop.orders WHERE id = 5")) == [
        (None, None)
    ]
    shop.sql(
        "INSERT INTO shop.orders SELECT id + 100, customer_id, amount, status FROM shop.orders"
    )
    assert rows(shop.sql("SELECT count(*) FROM shop.orders")) == [(12,)]


def test_insert_checks_arity_and_types(shop):
    with pytest.raises(InvalidParameterValue, match="2 value"):
        shop.sql("INSERT INTO shop.orders VALUES (1, 2)")
    with pytest.raises(InvalidParameterValue):
        shop.sql("INSERT INTO shop.orders (id, amount) VALUES ('x', 1)")
    with pytest.raises(InvalidParameterValue, match="NOT NULL"):
        shop.sql("INSERT INTO shop.orders (amount) VALUES (1)")


def test_insert_overwrite(shop):
    shop.sql("INSERT OVERWRITE shop.orders VALUES (9, 10, 1.0, 'open')")
    assert rows(shop.sql("SELECT id FROM shop.orders")) == [(9,)]


def test_update_with_simple_predicate_runs_in_delta(shop):
    before = _version(shop, "main.shop.orders")
    result = shop.sql(
        "UPDATE shop.orders SET amount = amount * 2, status = upper(status) "
        "WHERE customer_id = 10 AND status <> 'x'"
    )
    assert rows(result) == [(2,)]
    assert _version(shop, "main.shop.orders") == before + 1
    assert rows(
        shop.sql("SELECT id, amount, status FROM shop.orders WHERE customer_id = 10 ORDER BY id")
    ) == [
        (1, 10.0, "OPEN"),
        (2, 15.0, "SHIPPED"),
    ]


def test_update_with_subquery_merges_by_primary_key(shop):
    result = shop.sql(
        "UPDATE shop.orders SET status = 'vip' "
        "WHERE customer_id IN (SELECT id FROM shop.customers WHERE region_id = 1)"
    )
    assert rows(result) == [(3,)]
    assert rows(shop.sql("SELECT id FROM shop.orders WHERE status = 'vip' ORDER BY id")) == [
        (1,),
        (2,),
        (4,),
    ]


def test_update_with_subquery_without_primary_key_rewrites(shop):
    result = shop.sql(
        "UPDATE shop.customers SET name = upper(name) "
        "WHERE id IN (SELECT customer_id FROM shop.orders WHERE status = 'open')"
    )
    assert rows(result) == [(2,)]
    assert rows(shop.sql("SELECT name FROM shop.customers ORDER BY id")) == [
        ("ANN",),
        ("BOB",),
        ("cy",),
    ]


def test_delete_simple_and_with_subquery(shop):
    assert rows(shop.sql("DELETE FROM shop.orders WHERE status = 'returned'")) == [(1,)]
    result = shop.sql(
        "DELETE FROM shop.orders WHERE customer_id IN (SELECT id FROM shop.customers WHERE name = 'bob')"
    )
    assert rows(result) == [(1,)]
    assert rows(shop.sql("SELECT id FROM shop.orders ORDER BY id")) == [(1,), (2,)]
    none = shop.sql("DELETE FROM shop.orders WHERE id IN (SELECT id FROM shop.customers)")
    assert rows(none) == [(0,)]
    result = shop.sql(
        "DELETE FROM shop.customers WHERE id NOT IN (SELECT customer_id FROM shop.orders)"
    )
    assert rows(result) == [(2,)]
    assert rows(shop.sql("SELECT name FROM shop.customers")) == [("ann",)]
    assert rows(shop.sql("DELETE FROM shop.orders")) == [(2,)]


def test_dml_result_is_arrow(shop):
    result = shop.sql("DELETE FROM shop.orders WHERE id = 1")
    assert isinstance(result, pa.Table)
    assert result.schema.field("num_affected_rows").type == pa.int64()


def test_truncate(shop):
    shop.sql("TRUNCATE TABLE shop.orders")
    assert rows(shop.sql("SELECT count(*) FROM shop.orders")) == [(0,)]
    assert rows(shop.sql("SELECT count(*) FROM shop.orders VERSION AS OF 1")) == [(4,)]


def test_user_mistakes_in_writes_are_invalid_parameter_value(shop):
    for statement in [
        "UPDATE shop.orders SET amount = nope",
        "DELETE FROM shop.orders WHERE nope = 1",
        "MERGE INTO shop.orders t USING (SELECT 1 AS id) s ON t.id = s.nope "
        "WHEN MATCHED THEN DELETE",
        "MERGE INTO shop.orders t USING (SELECT 1 AS id UNION ALL SELECT 1) s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET status = 'x'",
        "SELECT * FROM shop.orders TIMESTAMP AS OF 'yesterday-ish'",
        "SELECT * FROM shop.orders VERSION AS OF 99",
    ]:
        with pytest.raises(InvalidParameterValue):
            shop.sql(statement)
