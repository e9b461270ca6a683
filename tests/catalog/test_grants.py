"""Grants: deny by default, inheritance down the hierarchy, owners, groups, audit of denials."""

import pytest

from lakeai.errors import InvalidParameterValue, PermissionDenied, ResourceDoesNotExist


@pytest.fixture
def shop(ws):
    ws.catalogs.create("shop")
    ws.schemas.create("shop", "sales")
    ws.tables.create("shop.sales.orders", data=[{"id": 1, "amount": 9.5}], primary_key="id")
    ws.platform.principals.create("user", "bob")
    return ws


def grant(ws, stype, name, who, *privs):
    return ws.grants.update(stype, name, [{"principal": who, "add": list(privs)}])


def test_deny_by_default(shop):
    bob = shop.as_principal("bob")
    with pytest.raises(PermissionDenied, match="USE_CATALOG"):
        bob.tables.read("shop.sales.orders")
    assert [c.name for c in bob.catalogs.list()] == []


def test_select_needs_use_catalog_and_use_schema(shop):
    bob = shop.as_principal("bob")
    grant(shop, "table", "shop.sales.orders", "bob", "SELECT")
    with pytest.raises(PermissionDenied, match="USE_CATALOG on catalog shop"):
        bob.tables.read("shop.sales.orders")
    grant(shop, "catalog", "shop", "bob", "USE_CATALOG")
    with pytest.raises(PermissionDenied, match=r"USE_SCHEMA on schema shop\.sales"):
        bob.tables.read("shop.sales.orders")
    grant(shop, "schema", "shop.sales", "bob", "USE_SCHEMA")
    assert bob.tables.read("shop.sales.orders").num_rows == 1
    with pytest.raises(PermissionDenied, match="MODIFY"):
        bob.tables.append("shop.sales.orders", [{"id": 2, "amount": 1.0}])
    assert shop.tables.read("shop.sales.orders").num_rows == 1


def test_privileges_inherit_from_catalog(shop):
    grant(shop, "catalog", "shop", "bob", "USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY")
    bob = shop.as_principal("bob")
    bob.tables.append("shop.sales.orders", [{"id": 2, "amount": 1.0}])
    assert bob.tables.read("shop.sales.orders").num_rows == 2


def test_all_privileges_but_not_manage(shop):
    grant(shop, "catalog", "shop", "bob", "ALL_PRIVILEGES")
    bob = shop.as_principal("bob")
    bob.tables.append("shop.sales.orders", [{"id": 3, "amount": 2.0}])
    with pytest.raises(PermissionDenied, match="MANAGE"):
        bob.tables.delete("shop.sales.orders")


def test_owner_holds_everything_below(shop):
    grant(shop, "metastore", "metastore", "bob", "CREATE_CATALOG")
    bob = shop.as_principal("bob")
    bob.catalogs.create("bobs")
    bob.schemas.create("bobs", "s")
    bob.tables.create("bobs.s.t", data=[{"x": 1}])
    assert bob.tables.read("bobs.s.t").num_rows == 1
    carol = shop.platform.principals.create("user", "carol")
    assert carol.name == "carol"
    with pytest.raises(PermissionDenied):
        shop.as_principal("carol").tables.read("bobs.s.t")


def test_group_grants_apply_to_members(shop):
    p = shop.platform.principals
    group = p.create("group", "analysts")
    p.set_members("analysts", [p.get("bob").id])
    assert group.kind == "group"
    grant(shop, "catalog", "shop", "analysts", "USE_CATALOG", "USE_SCHEMA", "SELECT")
    assert shop.as_principal("bob").tables.read("shop.sales.orders").num_rows == 1


def test_revoke(shop):
    grant(shop, "catalog", "shop", "bob", "USE_CATALOG", "USE_SCHEMA", "SELECT")
    bob = shop.as_principal("bob")
    assert bob.tables.read("shop.sales.orders").num_rows == 1
    shop.grants.update("catalog", "shop", [{"principal": "bob", "remove": ["SELECT"]}])
    with pytest.raises(PermissionDenied):
        bob.tables.read("shop.sales.orders")


def test_grant_listing_and_validation(shop):
    got = grant(shop, "table", "shop.sales.orders", "bob", "SELECT", "MODIFY")
    assert got == [{"principal": "bob", "privileges": ["MODIFY", "SELECT"]}]
    with pytest.raises(InvalidParameterValue, match="cannot be granted on a table"):
        grant(shop, "table", "shop.sales.orders", "bob", "USE_CATALOG")
    with pytest.raises(InvalidParameterValue, match="Unknown privilege"):
        grant(shop, "table", "shop.sales.orders", "bob", "FLY")
    with pytest.raises(ResourceDoesNotExist, match="Principal"):
        grant(shop, "table", "shop.sales.orders", "nobody", "SELECT")
    with pytest.raises(ResourceDoesNotExist):
        grant(shop, "table", "shop.sales.nope", "bob", "SELECT")


def test_only_managers_change_grants(shop):
    grant(shop, "catalog", "shop", "bob", "USE_CATALOG", "USE_SCHEMA", "SELECT")
    with pytest.raises(PermissionDenied, match="MANAGE"):
        shop.as_principal("bob").grants.update(
            "table", "shop.sales.orders", [{"principal": "bob", "add": ["MODIFY"]}]
        )
    grant(shop, "table", "shop.sales.orders", "bob", "MANAGE")
    shop.as_principal("bob").grants.update(
        "table", "shop.sales.orders", [{"principal": "bob", "add": ["MODIFY"]}]
    )


def test_denials_and_changes_are_audited(shop):
    with pytest.raises(PermissionDenied):
        shop.as_principal("bob").tables.append("shop.sales.orders", [{"id": 5, "amount": 1.0}])
    grant(shop, "table", "shop.sales.orders", "bob", "SELECT")
    rows = shop.tables.read("system.access.audit").to_pylist()
    denied = [r for r in rows if r["outcome"] == "DENIED"]
    assert denied and denied[-1]["principal"] == "bob" and denied[-1]["action"] == "appendTable"
    changes = [r for r in rows if r["action"] == "updatePermissions"]
    assert changes[-1]["securable"] == "shop.sales.orders"
    assert all(r["request_id"] for r in rows)


def test_deleting_a_principal_drops_its_grants(shop):
    grant(shop, "catalog", "shop", "bob", "USE_CATALOG", "USE_SCHEMA", "SELECT")
    shop.platform.principals.delete("bob")
    shop.platform.principals.create("user", "bob")
    with pytest.raises(PermissionDenied):
        shop.as_principal("bob").tables.read("shop.sales.orders")
