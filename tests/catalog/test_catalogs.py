"""Catalogs, schemas and volumes through the service layer: CRUD, validation, the system catalog."""

import pytest

from lakeai.errors import (
    InvalidParameterValue,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceConflict,
    ResourceDoesNotExist,
)


def test_new_workspace_has_main_default_and_system(ws):
    assert [c.name for c in ws.catalogs.list()] == ["main", "system"]
    assert [s.name for s in ws.schemas.list("main")] == ["default"]
    assert ws.catalogs.get("system").catalog_type == "SYSTEM_CATALOG"


def test_catalog_lifecycle(ws):
    info = ws.catalogs.create("shop", comment="sales data", properties={"team": "a"})
    assert (info.name, info.owner, info.comment) == ("shop", "admin", "sales data")
    updated = ws.catalogs.update("shop", comment="new", properties={"tier": "gold"})
    assert updated.comment == "new"
    assert updated.properties == {"team": "a", "tier": "gold"}
    ws.catalogs.delete("shop")
    with pytest.raises(ResourceDoesNotExist):
        ws.catalogs.get("shop")


def test_names_are_case_insensitive_and_validated(ws):
    ws.catalogs.create("Shop")
    assert ws.catalogs.get("SHOP").name == "shop"
    for bad in ["../etc", "a/b", "a.b", "", "x" * 256, "white space"]:
        with pytest.raises(InvalidParameterValue):
            ws.catalogs.create(bad)


def test_duplicates_are_409(ws):
    ws.catalogs.create("dup")
    with pytest.raises(ResourceAlreadyExists):
        ws.catalogs.create("dup")
    ws.schemas.create("dup", "s")
    with pytest.raises(ResourceAlreadyExists):
        ws.schemas.create("dup", "s")


def test_non_empty_schema_needs_force(ws):
    ws.schemas.create("main", "s")
    ws.tables.create("main.s.t", data=[{"id": 1}])
    with pytest.raises(ResourceConflict):
        ws.schemas.delete("main.s")
    ws.schemas.delete("main.s", force=True)
    with pytest.raises(ResourceDoesNotExist):
        ws.tables.get("main.s.t")


def test_system_catalog_is_read_only(ws):
    with pytest.raises(PermissionDenied):
        ws.schemas.create("system", "mine")
    with pytest.raises(PermissionDenied):
        ws.catalogs.delete("system")
    with pytest.raises(PermissionDenied):
        ws.tables.append("system.access.audit", [{"principal": "x"}])


def test_volumes(ws, tmp_path):
    info = ws.volumes.create("main", "default", "docs", comment="policies")
    assert info.volume_type == "MANAGED"
    assert info.storage_location.startswith(str(ws.platform.root))
    assert [v.name for v in ws.volumes.list("main", "default")] == ["docs"]
    ext = ws.volumes.create(
        "main", "default", "raw", volume_type="EXTERNAL", storage_location=str(tmp_path / "raw")
    )
    assert ext.volume_type == "EXTERNAL"
    with pytest.raises(InvalidParameterValue):
        ws.volumes.create("main", "default", "bad", volume_type="EXTERNAL")
    with pytest.raises(InvalidParameterValue):
        ws.volumes.create("main", "default", "bad", volume_type="WEIRD")
    ws.volumes.delete("main.default.docs")
    with pytest.raises(ResourceDoesNotExist):
        ws.volumes.get("main.default.docs")


def test_owner_change_needs_existing_principal(ws):
    ws.catalogs.create("own")
    with pytest.raises(ResourceDoesNotExist):
        ws.catalogs.update("own", owner="nobody")
    ws.platform.principals.create("user", "carol")
    assert ws.catalogs.update("own", owner="carol").owner == "carol"
