"""The official databricks-sdk against a real LakeAI server: catalogs, schemas, tables, volumes, grants."""

import uuid

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied, ResourceAlreadyExists
from databricks.sdk.service.catalog import PermissionsChange, Privilege, VolumeType


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def test_catalog_and_schema_lifecycle(dbx: WorkspaceClient):
    name = unique("cat")
    created = dbx.catalogs.create(name=name, comment="from the sdk", properties={"k": "v"})
    assert created.name == name and created.owner == "admin"
    assert name in [c.name for c in dbx.catalogs.list()]
    assert dbx.catalogs.update(name, comment="changed").comment == "changed"
    schema = dbx.schemas.create(name="s1", catalog_name=name)
    assert schema.full_name == f"{name}.s1"
    assert [s.name for s in dbx.schemas.list(catalog_name=name)] == ["s1"]
    assert dbx.schemas.get(f"{name}.s1").catalog_name == name
    with pytest.raises(ResourceAlreadyExists):
        dbx.catalogs.create(name=name)
    dbx.schemas.delete(f"{name}.s1")
    dbx.catalogs.delete(name, force=True)
    with pytest.raises(NotFound):
        dbx.catalogs.get(name)


def test_tables_get_list_exists_delete(dbx: WorkspaceClient, live_server):
    from lakeai import Workspace

    name = unique("t")
    # Data goes in through LakeAI's own API (Databricks does bulk loads with Spark).
    with Workspace(live_server.workspace) as ws:
        ws.tables.create(f"main.default.{name}", data=[{"id": 1, "item": "lamp"}], primary_key="id")
    info = dbx.tables.get(f"main.default.{name}")
    assert [c.name for c in info.columns] == ["id", "item"]
    assert info.columns[0].type_name.value == "LONG"
    assert info.data_source_format.value == "DELTA"
    assert info.table_type.value == "MANAGED"
    assert name in [t.name for t in dbx.tables.list(catalog_name="main", schema_name="default")]
    assert dbx.tables.exists(f"main.default.{name}").table_exists is True
    dbx.tables.delete(f"main.default.{name}")
    with pytest.raises(NotFound):
        dbx.tables.get(f"main.default.{name}")


def test_volumes(dbx: WorkspaceClient):
    name = unique("vol")
    info = dbx.volumes.create(
        catalog_name="main", schema_name="default", name=name, volume_type=VolumeType.MANAGED
    )
    assert info.full_name == f"main.default.{name}"
    assert dbx.volumes.read(f"main.default.{name}").volume_type == VolumeType.MANAGED
    assert name in [v.name for v in dbx.volumes.list(catalog_name="main", schema_name="default")]
    dbx.volumes.delete(f"main.default.{name}")


def test_grants_round_trip_and_enforcement(dbx: WorkspaceClient, live_server):
    from lakeai import Workspace

    user = unique("user")
    table = f"main.default.{unique('g')}"
    with Workspace(live_server.workspace) as ws:
        row = ws.platform.principals.create("user", user)
        token, _ = ws.platform.principals.create_token(row.id)
        ws.tables.create(table, data=[{"id": 1}])
    dbx.grants.update(
        "catalog",
        "main",
        changes=[
            PermissionsChange(principal=user, add=[Privilege.USE_CATALOG, Privilege.USE_SCHEMA])
        ],
    )
    got = dbx.grants.update(
        "table", table, changes=[PermissionsChange(principal=user, add=[Privilege.SELECT])]
    )
    assert [(a.principal, [p.value for p in a.privileges]) for a in got.privilege_assignments] == [
        (user, ["SELECT"])
    ]
    assert dbx.grants.get("table", table).privilege_assignments[0].principal == user
    as_user = WorkspaceClient(host=live_server.url, token=token, auth_type="pat")
    assert as_user.tables.get(table).name == table.split(".")[-1]
    with pytest.raises(PermissionDenied, match="MANAGE"):
        as_user.tables.delete(table)
    dbx.grants.update(
        "table", table, changes=[PermissionsChange(principal=user, remove=[Privilege.SELECT])]
    )
    with pytest.raises(PermissionDenied):
        as_user.tables.get(table)
