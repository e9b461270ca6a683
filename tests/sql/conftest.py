"""A workspace with two small tables in ``main.shop`` and one in another catalog."""

from __future__ import annotations

import pytest


@pytest.fixture
def shop(ws):
    """``main.shop.orders`` (pk id), ``main.shop.customers`` and ``crm.core.regions``."""
    ws.sql("CREATE SCHEMA shop")
    ws.sql(
        "CREATE TABLE shop.orders (id BIGINT NOT NULL, customer_id BIGINT, amount DOUBLE, "
        "status STRING, CONSTRAINT orders_pk PRIMARY KEY (id))"
    )
    ws.sql(
        "INSERT INTO shop.orders VALUES (1, 10, 5.0, 'open'), (2, 10, 7.5, 'shipped'), "
        "(3, 20, 12.0, 'open'), (4, 30, 1.0, 'returned')"
    )
    ws.sql("CREATE TABLE main.shop.customers (id BIGINT, name STRING, region_id INT)")
    ws.sql("INSERT INTO main.shop.customers VALUES (10, 'ann', 1), (20, 'bob', 2), (30, 'cy', 1)")
    ws.sql("CREATE CATALOG crm")
    ws.sql("CREATE SCHEMA crm.core")
    ws.sql("CREATE TABLE crm.core.regions (id INT, region STRING)")
    ws.sql("INSERT INTO crm.core.regions VALUES (1, 'north'), (2, 'south')")
    return ws


def rows(table) -> list[tuple]:
    """An Arrow result as a list of tuples, for compact assertions."""
    columns = [c.to_pylist() for c in table.columns]
    return list(zip(*columns, strict=True))
