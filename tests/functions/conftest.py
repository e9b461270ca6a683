"""A workspace with ``main.shop.orders`` and short Python function limits (fast failure tests)."""

from __future__ import annotations

import pytest

TIMEOUT = 1.0


@pytest.fixture
def fws(tmp_path):
    from lakeai import Workspace

    workspace = Workspace(
        tmp_path / "ws",
        functions_python_timeout_seconds=TIMEOUT,
        functions_python_memory_mb=512,
        functions_python_workers=1,
    )
    workspace.sql("CREATE SCHEMA shop")
    workspace.sql(
        "CREATE TABLE shop.orders (id BIGINT, customer_id BIGINT, amount DOUBLE, ts TIMESTAMP)"
    )
    workspace.sql(
        "INSERT INTO shop.orders VALUES (1, 10, 5.0, TIMESTAMP '2024-01-01 00:00:00'), "
        "(2, 10, 7.5, TIMESTAMP '2024-01-01 01:00:00'), (3, 20, 12.0, TIMESTAMP '2024-01-01 01:30:00')"
    )
    yield workspace
    workspace.close()


def python_fn(ws, name: str, body: str, params=None, returns: str = "INT") -> None:
    ws.functions.create(
        f"main.shop.{name}",
        params=params if params is not None else [{"name": "x", "type_text": "INT"}],
        returns=returns,
        language="PYTHON",
        body=body,
    )
