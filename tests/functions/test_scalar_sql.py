"""Compiled scalar SQL functions compute what the governed path computes, for every type."""

from __future__ import annotations

import datetime
import decimal

import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.functions.scalar_sql import compile_scalar

UTC = datetime.UTC
CASES = [
    # (params, returns, body, argument rows)
    ([("a", "DOUBLE"), ("b", "DOUBLE")], "DOUBLE", "a * (1 + b)", [[2.5, 0.1], [1e-7, 3.0]]),
    ([("n", "BIGINT")], "BIGINT", "n * 2 + 1", [[3], [-(2**40)], [None]]),
    ([("n", "INT")], "STRING", "concat('#', CAST(n AS STRING))", [[7], [0]]),
    ([("s", "STRING")], "STRING", "upper(trim(s))", [[" abc "], ["é ß"], [""]]),
    ([("b", "BOOLEAN")], "BOOLEAN", "NOT b", [[True], [False], [None]]),
    ([("d", "DATE")], "INT", "datediff(DATE '2024-03-01', d)", [[datetime.date(2024, 1, 31)]]),
    (
        [("ts", "TIMESTAMP")],
        "DOUBLE",
        "(unix_timestamp(TIMESTAMP '2024-01-02 00:00:00') - unix_timestamp(ts)) / 60.0",
        [[datetime.datetime(2024, 1, 1, 23, 30, tzinfo=UTC)], ["2024-01-01T12:00:00+00:00"]],
    ),
    ([("x", "DECIMAL(10,2)")], "DECIMAL(10,2)", "x * 2", [[decimal.Decimal("1.25")]]),
    ([], "INT", "40 + 2", [[]]),
    ([("a", "DOUBLE")], "STRING", "CASE WHEN a > 10 THEN 'big' ELSE 'small' END", [[11.0], [1]]),
]


@pytest.mark.parametrize(("params", "returns", "body", "rows"), CASES)
def test_compiled_matches_governed_path(fws, params, returns, body, rows):
    name = "main.shop.f"
    fws.functions.create(
        name, params=[{"name": n, "type_text": t} for n, t in params], returns=returns, body=body
    )
    service = fws.services.functions
    fn = service.resolve(fws.principal, name)
    assert compile_scalar(fn) is not None
    fast = service.execute_batch(fws.principal, name, rows)
    values = [[v for v in row] for row in rows]
    from lakeai.functions.service import _positional

    governed = service._run_sql(
        fws.principal, fn, [_positional(fn, row, i) for i, row in enumerate(values)]
    )
    assert fast == governed
    assert len(fast) == len(rows)


def test_bodies_that_read_tables_or_call_functions_take_the_governed_path(fws):
    fws.functions.create(
        "main.shop.total",
        params=[{"name": "c", "type_text": "BIGINT"}],
        returns="DOUBLE",
        body="SELECT sum(amount) FROM orders WHERE customer_id = c",
    )
    fws.functions.create(
        "main.shop.twice_total",
        params=[{"name": "c", "type_text": "BIGINT"}],
        returns="DOUBLE",
        body="shop.total(c) * 2",
    )
    fws.functions.create(
        "main.shop.first",
        params=[{"name": "xs", "type_text": "ARRAY<INT>"}],
        returns="INT",
        body="xs[0]",
    )
    service = fws.services.functions
    for name in ("total", "twice_total", "first"):
        assert compile_scalar(service.resolve(fws.principal, f"main.shop.{name}")) is None
    assert fws.functions.execute("main.shop.total", {"c": 10}) == 12.5
    assert fws.functions.execute("main.shop.twice_total", {"c": 10}) == 25.0


def test_a_replaced_body_is_used_at_once(fws):
    params = [{"name": "x", "type_text": "INT"}]
    fws.functions.create("main.shop.g", params=params, returns="INT", body="x + 1")
    assert fws.functions.execute("main.shop.g", {"x": 1}) == 2
    fws.functions.create("main.shop.g", params=params, returns="INT", body="x + 2", replace=True)
    assert fws.functions.execute("main.shop.g", {"x": 1}) == 3


def test_a_bad_argument_or_a_failing_cast_is_a_400(fws):
    params = [{"name": "x", "type_text": "INT"}]
    fws.functions.create("main.shop.h", params=params, returns="INT", body="x * 1000000")
    with pytest.raises(InvalidParameterValue, match="argument x"):
        fws.functions.execute("main.shop.h", {"x": "seven"})
    with pytest.raises(InvalidParameterValue):
        fws.functions.execute("main.shop.h", {"x": 2_000_000_000})  # INT overflow in DuckDB
