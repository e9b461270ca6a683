"""The same workspace over a PostgreSQL metastore (shared deployments); skipped without a server."""

import os
import uuid

import pytest

URL = os.environ.get(
    "LAKEAI_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def pg_url():
    psycopg2 = pytest.importorskip("psycopg2")
    base = URL.replace("postgresql+psycopg2://", "postgresql://")
    try:
        admin = psycopg2.connect(base, connect_timeout=3)
    except psycopg2.OperationalError:
        pytest.skip("no PostgreSQL server at LAKEAI_TEST_POSTGRES_URL")
    admin.autocommit = True
    name = f"lakeai_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    yield URL.rsplit("/", 1)[0] + "/" + name
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


def test_workspace_on_postgres(tmp_path, pg_url):
    from lakeai import Workspace

    ws = Workspace(tmp_path / "w", metastore_url=pg_url)
    ws.catalogs.create("shop")
    ws.schemas.create("shop", "sales")
    ws.tables.create("shop.sales.orders", data=[{"id": 1}], primary_key="id")
    ws.platform.principals.create("user", "bob")
    ws.grants.update(
        "catalog", "shop", [{"principal": "bob", "add": ["USE_CATALOG", "USE_SCHEMA", "SELECT"]}]
    )
    assert ws.as_principal("bob").tables.read("shop.sales.orders").num_rows == 1
    ws.close()
    again = Workspace(tmp_path / "w", metastore_url=pg_url)  # migrations are idempotent
    assert [c.name for c in again.catalogs.list()] == ["main", "shop", "system"]
    again.close()
