"""Catalogs, schemas, volumes and grants: remote answers equal in-process ones."""

from __future__ import annotations

import pytest

from lakeai.catalog.models import CatalogInfo, SchemaInfo, VolumeInfo
from lakeai.errors import (
    InvalidParameterValue,
    ResourceAlreadyExists,
    ResourceConflict,
    ResourceDoesNotExist,
)


def test_catalog_and_schema_round_trip(remote, local, uid: str) -> None:
    created = remote.catalogs.create(f"c{uid}", comment="made remotely")
    assert isinstance(created, CatalogInfo)
    assert remote.catalogs.get(f"c{uid}") == local.catalogs.get(f"c{uid}")
    assert f"c{uid}" in [c.name for c in remote.catalogs.list()]
    updated = remote.catalogs.update(f"c{uid}", comment="changed", properties={"team": "x"})
    assert updated.comment == "changed" and updated.properties == {"team": "x"}

    schema = remote.schemas.create(f"c{uid}", "s", comment="hi")
    assert isinstance(schema, SchemaInfo)
    assert remote.schemas.get(f"c{uid}.s") == local.schemas.get(f"c{uid}.s")
    names = [s.full_name for s in remote.schemas.list(f"c{uid}")]
    assert names == [s.full_name for s in local.schemas.list(f"c{uid}")]
    assert remote.schemas.update(f"c{uid}.s", comment="new").comment == "new"

    with pytest.raises(ResourceConflict):
        remote.catalogs.delete(f"c{uid}")
    remote.catalogs.delete(f"c{uid}", force=True)
    with pytest.raises(ResourceDoesNotExist):
        local.catalogs.get(f"c{uid}")


def test_volumes_round_trip(remote, local, schema: str) -> None:
    catalog, name = schema.split(".")
    volume = remote.volumes.create(catalog, name, "files", comment="docs")
    assert isinstance(volume, VolumeInfo)
    assert remote.volumes.get(f"{schema}.files") == local.volumes.get(f"{schema}.files")
    assert [v.name for v in remote.volumes.list(catalog, name)] == ["files"]
    assert remote.volumes.update(f"{schema}.files", comment="x").comment == "x"
    remote.volumes.delete(f"{schema}.files")
    assert remote.volumes.list(catalog, name) == []


@pytest.mark.parametrize("side", ["remote", "local"])
def test_errors_are_the_same_classes(request, side: str, uid: str) -> None:
    ws = request.getfixturevalue(side)
    with pytest.raises(ResourceDoesNotExist):
        ws.catalogs.get(f"missing{uid}")
    ws.catalogs.create(f"e{uid}{side}")
    with pytest.raises(ResourceAlreadyExists):
        ws.catalogs.create(f"e{uid}{side}")
    with pytest.raises(InvalidParameterValue):
        ws.catalogs.create("bad name!")
    with pytest.raises(ResourceDoesNotExist):
        ws.tables.get(f"e{uid}{side}.default.nope")


def test_grants_round_trip(remote, local, schema: str) -> None:
    changes = [{"principal": "account users", "add": ["USE_CATALOG", "BROWSE"]}]
    catalog = schema.split(".")[0]
    after = remote.grants.update("catalog", catalog, changes)
    assert after == local.grants.get("catalog", catalog)
    assert remote.grants.get("catalog", catalog, only="account users") == [
        {"principal": "account users", "privileges": ["BROWSE", "USE_CATALOG"]}
    ]
    remote.grants.update("catalog", catalog, [{"principal": "account users", "remove": ["BROWSE"]}])
    assert remote.grants.get("CATALOG", catalog)[0]["privileges"] == ["USE_CATALOG"]


def test_unauthenticated_and_unreachable(live_server) -> None:
    import lakeai
    from lakeai.errors import TemporarilyUnavailable, Unauthenticated

    with lakeai.connect(live_server.url, "dapi-wrong") as ws, pytest.raises(Unauthenticated):
        ws.catalogs.list()
    with lakeai.connect("http://127.0.0.1:9", "x") as ws, pytest.raises(TemporarilyUnavailable):
        ws.catalogs.list()
