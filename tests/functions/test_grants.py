"""CREATE_FUNCTION to create, EXECUTE to call (also from SQL), MANAGE to replace and drop;
create, replace and drop are audited."""

from __future__ import annotations

import pytest

from lakeai.errors import PermissionDenied
from tests.sql.conftest import rows

X_INT = [{"name": "x", "type_text": "INT"}]


@pytest.fixture
def bob(fws):
    fws.platform.principals.create("user", "bob")
    fws.grants.update("catalog", "main", [{"principal": "bob", "add": ["USE_CATALOG"]}])
    fws.grants.update("schema", "main.shop", [{"principal": "bob", "add": ["USE_SCHEMA"]}])
    return fws.as_principal("bob")


def _grant(ws, stype, name, *privileges):
    ws.grants.update(stype, name, [{"principal": "bob", "add": list(privileges)}])


def test_create_needs_create_function(fws, bob):
    with pytest.raises(PermissionDenied, match="CREATE_FUNCTION"):
        bob.functions.create("main.shop.f", params=X_INT, returns="INT", body="x")
    _grant(fws, "schema", "main.shop", "CREATE_FUNCTION")
    bob.functions.create("main.shop.f", params=X_INT, returns="INT", body="x")
    assert bob.functions.execute("main.shop.f", [5]) == 5  # the owner may execute


def test_execute_needs_execute_in_the_api_and_in_sql(fws, bob):
    fws.functions.create("main.shop.f", params=X_INT, returns="INT", body="x + 1")
    with pytest.raises(PermissionDenied, match="EXECUTE"):
        bob.functions.execute("main.shop.f", [1])
    with pytest.raises(PermissionDenied, match="EXECUTE"):
        bob.sql("SELECT main.shop.f(1)")
    assert bob.functions.list("main", "shop") == []
    _grant(fws, "function", "main.shop.f", "EXECUTE")
    assert bob.functions.execute("main.shop.f", [1]) == 2
    assert rows(bob.sql("SELECT main.shop.f(1)")) == [(2,)]
    assert [f.name for f in bob.functions.list("main", "shop")] == ["f"]


def test_table_reads_inside_a_function_need_select(fws, bob):
    fws.sql("CREATE FUNCTION shop.n(x INT) RETURNS BIGINT RETURN SELECT count(*) FROM orders")
    _grant(fws, "function", "main.shop.n", "EXECUTE")
    with pytest.raises(PermissionDenied, match="SELECT"):
        bob.functions.execute("main.shop.n", [1])
    _grant(fws, "table", "main.shop.orders", "SELECT")
    assert bob.functions.execute("main.shop.n", [1]) == 3


def test_replace_and_drop_need_manage_and_are_audited(fws, bob):
    fws.functions.create("main.shop.f", params=X_INT, returns="INT", body="x")
    _grant(fws, "schema", "main.shop", "CREATE_FUNCTION")
    _grant(fws, "function", "main.shop.f", "EXECUTE")
    with pytest.raises(PermissionDenied, match="MANAGE"):
        bob.sql("CREATE OR REPLACE FUNCTION main.shop.f(x INT) RETURNS INT RETURN 0")
    with pytest.raises(PermissionDenied, match="MANAGE"):
        bob.sql("DROP FUNCTION main.shop.f")
    _grant(fws, "function", "main.shop.f", "MANAGE")
    bob.sql("CREATE OR REPLACE FUNCTION main.shop.f(x INT) RETURNS INT RETURN 0")
    bob.functions.delete("main.shop.f")
    audit = rows(
        fws.sql(
            "SELECT principal, action, outcome FROM system.access.audit "
            "WHERE securable = 'main.shop.f' ORDER BY event_time"
        )
    )
    assert ("admin", "createFunction", "ALLOWED") in audit
    assert ("bob", "replaceFunction", "DENIED") in audit
    assert ("bob", "deleteFunction", "DENIED") in audit
    assert ("bob", "replaceFunction", "ALLOWED") in audit
    assert audit[-1] == ("bob", "deleteFunction", "ALLOWED")
