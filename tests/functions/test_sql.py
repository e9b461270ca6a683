"""Functions in SQL: CREATE/DROP/DESCRIBE/SHOW FUNCTION and catalog functions called in queries."""

from __future__ import annotations

import pytest

from lakeai.errors import DeadlineExceeded, InvalidParameterValue, ResourceDoesNotExist
from tests.sql.conftest import rows


def test_create_sql_function_and_call_it_in_a_query(fws):
    fws.sql(
        "CREATE FUNCTION main.shop.minutes_since(ts TIMESTAMP) RETURNS DOUBLE "
        "COMMENT 'minutes before 02:00' "
        "RETURN (unix_timestamp(TIMESTAMP '2024-01-01 02:00:00') - unix_timestamp(ts)) / 60"
    )
    result = fws.sql("SELECT id, main.shop.minutes_since(ts) AS m FROM shop.orders ORDER BY id")
    assert rows(result) == [(1, 120.0), (2, 60.0), (3, 30.0)]
    assert fws.functions.get("main.shop.minutes_since").comment == "minutes before 02:00"


def test_call_names_resolve_against_the_default_catalog_and_keep_their_text(fws):
    fws.sql("CREATE FUNCTION shop.twice(x BIGINT) RETURNS BIGINT RETURN x * 2")
    result = fws.sql("SELECT shop.twice(id) FROM shop.orders WHERE shop.twice(id) > 2")
    assert result.column_names == ["shop.twice(id)"]
    assert sorted(result.column(0).to_pylist()) == [4, 6]


def test_sql_function_over_a_table_is_governed_like_the_query(fws):
    fws.sql(
        "CREATE FUNCTION shop.spent(c BIGINT) RETURNS DOUBLE "
        "RETURN SELECT sum(amount) FROM orders WHERE customer_id = c"
    )
    result = fws.sql("SELECT DISTINCT customer_id, shop.spent(customer_id) FROM shop.orders")
    assert sorted(rows(result)) == [(10, 12.5), (20, 12.0)]


def test_functions_calling_functions(fws):
    fws.sql("CREATE FUNCTION shop.inc(x INT) RETURNS INT RETURN x + 1")
    fws.sql("CREATE FUNCTION shop.inc2(x INT) RETURNS INT RETURN shop.inc(shop.inc(x))")
    assert rows(fws.sql("SELECT shop.inc2(1)")) == [(3,)]
    fws.sql("CREATE OR REPLACE FUNCTION shop.inc(x INT) RETURNS INT RETURN shop.inc2(x)")
    with pytest.raises(InvalidParameterValue, match="deeper than"):
        fws.sql("SELECT shop.inc(1)")


def test_python_function_in_sql(fws):
    fws.sql(
        "CREATE FUNCTION main.shop.tag(x BIGINT, label STRING) RETURNS STRING "
        "LANGUAGE PYTHON AS $$\n  if x is None:\n      return None\n  return f'{label}-{x}'; \n$$"
    )
    result = fws.sql("SELECT main.shop.tag(id, 'o') AS t FROM shop.orders ORDER BY id")
    assert rows(result) == [("o-1",), ("o-2",), ("o-3",)]
    assert rows(fws.sql("SELECT main.shop.tag(NULL, 'o')")) == [(None,)]


def test_python_errors_in_sql_keep_their_status(fws):
    fws.sql("CREATE FUNCTION shop.boom(x INT) RETURNS INT LANGUAGE PYTHON AS $$raise KeyError(x)$$")
    with pytest.raises(InvalidParameterValue, match="The function raised KeyError: 1"):
        fws.sql("SELECT shop.boom(1)")
    fws.sql("CREATE FUNCTION shop.hang(x INT) RETURNS INT LANGUAGE PYTHON AS $$while True: pass$$")
    with pytest.raises(DeadlineExceeded):
        fws.sql("SELECT shop.hang(1)")


def test_describe_show_drop(fws):
    fws.sql("CREATE FUNCTION shop.f(x INT, y STRING) RETURNS INT RETURN x")
    desc = fws.sql("DESCRIBE FUNCTION main.shop.f").column("function_desc").to_pylist()
    assert "Input:       x INT, y STRING" in desc and "Returns:     INT" in desc
    assert fws.sql("SHOW FUNCTIONS IN main.shop").column("function").to_pylist() == ["main.shop.f"]
    assert fws.sql("SHOW FUNCTIONS IN shop LIKE 'g*'").num_rows == 0
    fws.sql("DROP FUNCTION shop.f")
    fws.sql("DROP FUNCTION IF EXISTS shop.f")
    with pytest.raises(ResourceDoesNotExist):
        fws.sql("DROP FUNCTION shop.f")
    with pytest.raises(ResourceDoesNotExist):
        fws.sql("SELECT shop.f(1, 'a')")


def test_create_or_replace_and_if_not_exists(fws):
    fws.sql("CREATE FUNCTION shop.f(x INT) RETURNS INT RETURN x + 1")
    fws.sql("CREATE FUNCTION IF NOT EXISTS shop.f(x INT) RETURNS INT RETURN x + 100")
    assert rows(fws.sql("SELECT shop.f(1)")) == [(2,)]
    fws.sql("CREATE OR REPLACE FUNCTION shop.f(x INT) RETURNS INT RETURN x + 2")
    assert rows(fws.sql("SELECT shop.f(1)")) == [(3,)]


def test_wrong_arity_and_generated_names_are_refused(fws):
    fws.sql("CREATE FUNCTION shop.f(x INT) RETURNS INT RETURN x")
    with pytest.raises(InvalidParameterValue, match="takes 1 argument"):
        fws.sql("SELECT shop.f(1, 2)")
    with pytest.raises(Exception, match="not allowed"):
        fws.sql("SELECT __lakeai_f0(1)")
