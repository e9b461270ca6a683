"""SELECT over catalog tables: names, joins, aggregates, windows, time travel, metadata."""

from __future__ import annotations

import pytest

from lakeai.errors import InvalidParameterValue, ResourceDoesNotExist
from tests.sql.conftest import rows


def test_one_two_and_three_level_names_resolve(shop):
    shop.sql("CREATE TABLE plain (x INT)")
    shop.sql("INSERT INTO plain VALUES (1)")
    assert rows(shop.sql("SELECT x FROM plain")) == [(1,)]
    assert rows(shop.sql("SELECT x FROM default.plain")) == [(1,)]
    assert rows(shop.sql("SELECT x FROM main.default.plain")) == [(1,)]
    assert rows(shop.sql("SELECT count(*) FROM `main`.`shop`.`orders`")) == [(4,)]


def test_join_across_schemas_and_catalogs_with_cte_and_aggregate(shop):
    result = shop.sql(
        """
        WITH totals AS (
            SELECT customer_id, sum(amount) AS total FROM main.shop.orders GROUP BY customer_id
        )
        SELECT r.region, sum(t.total) AS total, count(*) AS customers
        FROM totals t
        JOIN shop.customers c ON c.id = t.customer_id
        JOIN crm.core.regions r ON r.id = c.region_id
        GROUP BY r.region ORDER BY r.region
        """
    )
    assert rows(result) == [("north", 13.5, 2), ("south", 12.0, 1)]


def test_window_function(shop):
    result = shop.sql(
        "SELECT id, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rn "
        "FROM shop.orders ORDER BY id"
    )
    assert rows(result) == [(1, 2), (2, 1), (3, 1), (4, 1)]


def test_same_table_twice_and_qualified_columns(shop):
    result = shop.sql(
        "SELECT a.id, b.id FROM shop.orders a JOIN shop.orders b ON a.id + 1 = b.id ORDER BY 1"
    )
    assert rows(result) == [(1, 2), (2, 3), (3, 4)]
    assert rows(shop.sql("SELECT orders.id FROM main.shop.orders WHERE orders.id = 3")) == [(3,)]


def test_version_as_of(shop):
    shop.sql("DELETE FROM shop.orders WHERE id > 1")
    assert rows(shop.sql("SELECT count(*) FROM shop.orders")) == [(1,)]
    assert rows(shop.sql("SELECT count(*) FROM shop.orders VERSION AS OF 1")) == [(4,)]
    assert rows(shop.sql("SELECT count(*) FROM shop.orders VERSION AS OF 0")) == [(0,)]
    both = shop.sql(
        "SELECT (SELECT count(*) FROM shop.orders VERSION AS OF 1) AS old, "
        "(SELECT count(*) FROM shop.orders) AS new"
    )
    assert rows(both) == [(4, 1)]


def test_timestamp_as_of(shop):
    import math
    from datetime import UTC, datetime
    from pathlib import Path

    # delta-rs dates a version by its log file's modification time; take that time (rounded
    # up to the millisecond) rather than the wall clock, which can step between calls.
    info = shop.tables.get("main.shop.orders")
    version = shop.tables.version("main.shop.orders")
    log_file = Path(info.storage_location) / "_delta_log" / f"{version:020d}.json"
    committed_ms = math.ceil(log_file.stat().st_mtime * 1000)
    after_insert = datetime.fromtimestamp(committed_ms / 1000, UTC).replace(tzinfo=None)
    shop.sql("DELETE FROM shop.orders")
    stamp = after_insert.isoformat(sep=" ")
    result = shop.sql(f"SELECT count(*) FROM shop.orders TIMESTAMP AS OF '{stamp}'")
    assert rows(result) == [(4,)]
    assert rows(shop.sql("SELECT count(*) FROM shop.orders")) == [(0,)]


def test_show_and_describe(shop):
    assert rows(shop.sql("SHOW CATALOGS")) == [("crm",), ("main",), ("system",)]
    assert ("shop",) in rows(shop.sql("SHOW SCHEMAS IN main"))
    assert rows(shop.sql("SHOW SCHEMAS IN crm")) == [("core",)]
    tables = shop.sql("SHOW TABLES IN main.shop")
    assert tables.column_names == ["database", "tableName", "isTemporary"]
    assert [r[1] for r in rows(tables)] == ["customers", "orders"]
    assert [r[1] for r in rows(shop.sql("SHOW TABLES IN main.shop LIKE 'ord*'"))] == ["orders"]
    described = shop.sql("DESCRIBE TABLE shop.orders")
    assert described.column_names == ["col_name", "data_type", "comment"]
    assert rows(described)[:2] == [("id", "bigint", None), ("customer_id", "bigint", None)]
    history = shop.sql("DESCRIBE HISTORY main.shop.orders")
    assert history.column("version").to_pylist()[0] == 1
    assert "WRITE" in history.column("operation").to_pylist()


def test_unknown_table_is_resource_does_not_exist(shop):
    with pytest.raises(ResourceDoesNotExist):
        shop.sql("SELECT * FROM shop.nope")


def test_parse_error_is_invalid_parameter_value(ws):
    with pytest.raises(InvalidParameterValue, match="Syntax error"):
        ws.sql("SELEC 1 FROM")


def test_engine_error_is_invalid_parameter_value(shop):
    with pytest.raises(InvalidParameterValue):
        shop.sql("SELECT no_such_column FROM shop.orders")


def test_parameters_bind_as_literals(shop):
    table = shop.services.sql.execute(
        shop.principal,
        "SELECT id FROM orders WHERE status = :s AND amount > :a ORDER BY id",
        schema="shop",
        parameters={"s": "open", "a": {"value": "6", "type": "DOUBLE"}},
    )
    assert rows(table) == [(3,)]
    with pytest.raises(InvalidParameterValue, match=":missing"):
        shop.sql("SELECT :missing")


def test_select_without_tables(ws):
    assert rows(ws.sql("SELECT 1 + 1 AS two, upper('a') AS a")) == [(2, "A")]


def test_string_filters_work_on_files_written_by_merge_and_append(shop):
    """delta-rs writes string_view files in MERGE/UPDATE; appends write string files."""
    shop.sql("UPDATE shop.orders SET status = 'held' WHERE id = 1")
    shop.sql("INSERT INTO shop.orders VALUES (5, 10, 1.0, 'held')")
    result = shop.sql("SELECT id FROM shop.orders WHERE status = 'held' ORDER BY id")
    assert rows(result) == [(1,), (5,)]
