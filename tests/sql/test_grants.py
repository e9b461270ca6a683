"""SQL reads only what the caller may SELECT and writes only what it may MODIFY; denials are audited."""

from __future__ import annotations

import pytest

from lakeai.errors import PermissionDenied
from tests.sql.conftest import rows


@pytest.fixture
def bob(shop):
    shop.platform.principals.create("user", "bob")
    return shop.as_principal("bob")


def _grant(ws, securable_type, name, *privileges):
    ws.grants.update(securable_type, name, [{"principal": "bob", "add": list(privileges)}])


def _denials(ws, action: str) -> list[tuple]:
    return rows(
        ws.sql(
            "SELECT securable, detail FROM system.access.audit "
            f"WHERE principal = 'bob' AND outcome = 'DENIED' AND action = '{action}'"
        )
    )


def test_select_needs_grants_and_denial_is_audited(shop, bob):
    with pytest.raises(PermissionDenied):
        bob.sql("SELECT * FROM main.shop.orders")
    assert _denials(shop, "readTable")
    _grant(shop, "catalog", "main", "USE_CATALOG")
    _grant(shop, "schema", "main.shop", "USE_SCHEMA")
    with pytest.raises(PermissionDenied, match="SELECT"):
        bob.sql("SELECT * FROM shop.orders")
    assert ("main.shop.orders", "missing SELECT") in _denials(shop, "readTable")
    _grant(shop, "table", "main.shop.orders", "SELECT")
    assert rows(bob.sql("SELECT count(*) FROM shop.orders")) == [(4,)]


def test_join_needs_select_on_every_table(shop, bob):
    _grant(shop, "catalog", "main", "USE_CATALOG")
    _grant(shop, "schema", "main.shop", "USE_SCHEMA")
    _grant(shop, "table", "main.shop.orders", "SELECT")
    with pytest.raises(PermissionDenied, match=r"customers"):
        bob.sql("SELECT * FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id")
    with pytest.raises(PermissionDenied):
        bob.sql("SELECT * FROM shop.orders WHERE customer_id IN (SELECT id FROM shop.customers)")
    with pytest.raises(PermissionDenied):
        bob.sql("SELECT * FROM crm.core.regions")


def test_writes_need_modify_and_denial_is_audited(shop, bob):
    _grant(shop, "catalog", "main", "USE_CATALOG")
    _grant(shop, "schema", "main.shop", "USE_SCHEMA")
    _grant(shop, "table", "main.shop.orders", "SELECT")
    statements = [
        "INSERT INTO shop.orders VALUES (9, 1, 1.0, 'x')",
        "UPDATE shop.orders SET amount = 0",
        "DELETE FROM shop.orders WHERE id = 1",
        "MERGE INTO shop.orders t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE",
    ]
    for statement in statements:
        with pytest.raises(PermissionDenied, match="MODIFY"):
            bob.sql(statement)
    actions = {
        a
        for (a,) in rows(
            shop.sql(
                "SELECT action FROM system.access.audit WHERE principal = 'bob' AND outcome = 'DENIED'"
            )
        )
    }
    assert {"appendTable", "updateRows", "deleteRows", "mergeTable"} <= actions
    assert rows(shop.sql("SELECT count(*) FROM shop.orders")) == [(4,)]
    _grant(shop, "table", "main.shop.orders", "MODIFY")
    assert rows(bob.sql("DELETE FROM shop.orders WHERE id = 1")) == [(1,)]


def test_create_table_needs_create_table_and_system_is_read_only(shop, bob):
    _grant(shop, "catalog", "main", "USE_CATALOG")
    _grant(shop, "schema", "main.shop", "USE_SCHEMA")
    with pytest.raises(PermissionDenied, match="CREATE_TABLE"):
        bob.sql("CREATE TABLE shop.mine (x INT)")
    _grant(shop, "schema", "main.shop", "CREATE_TABLE")
    bob.sql("CREATE TABLE shop.mine (x INT)")
    bob.sql("INSERT INTO shop.mine VALUES (1)")
    assert rows(bob.sql("SELECT x FROM shop.mine")) == [(1,)]
    with pytest.raises(PermissionDenied):
        shop.sql("DELETE FROM system.access.audit")


def test_show_lists_only_visible_objects(shop, bob):
    assert rows(bob.sql("SHOW CATALOGS")) == []
    _grant(shop, "catalog", "main", "USE_CATALOG")
    _grant(shop, "schema", "main.shop", "USE_SCHEMA")
    _grant(shop, "table", "main.shop.orders", "SELECT")
    assert rows(bob.sql("SHOW CATALOGS")) == [("main",)]
    assert [r[1] for r in rows(bob.sql("SHOW TABLES IN main.shop"))] == ["orders"]
    with pytest.raises(PermissionDenied):
        bob.sql("DESCRIBE TABLE shop.customers")
