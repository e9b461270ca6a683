"""Online tables over REST (in-process) and through the official databricks-sdk (live server)."""

from __future__ import annotations

import uuid

import pytest

from tests.features.conftest import REDIS_URL, redis_available

OT = "/api/2.0/online-tables"
OWN = "/api/2.0/lakeai/online-tables"


@pytest.fixture
def shop(api):
    assert (
        api.post(
            "/api/2.1/unity-catalog/schemas", json={"catalog_name": "main", "name": "shop"}
        ).status_code
        == 200
    )
    ws = api.app.state.services.tables
    admin = api.app.state.bootstrap.admin
    ws.create(
        admin,
        "main.shop.orders",
        data=[{"id": i, "name": f"n{i}"} for i in range(1, 4)],
        primary_key="id",
    )
    return api


def body(name="main.shop.ot", **spec):
    return {
        "name": name,
        "spec": {
            "source_table_full_name": "main.shop.orders",
            "primary_key_columns": ["id"],
            "run_triggered": {},
            **spec,
        },
    }


def test_rest_create_get_lookup_sync_delete(shop):
    created = shop.post(OT, json=body())
    assert created.status_code == 200, created.text
    table = created.json()
    assert table["name"] == "main.shop.ot" and table["unity_catalog_provisioning_state"] == "ACTIVE"
    assert table["table_serving_url"].endswith(f"{OWN}/main.shop.ot/lookup")
    got = shop.get(f"{OT}/main.shop.ot").json()
    assert got["status"]["triggered_update_status"]["last_processed_commit_version"] == 1
    rows = shop.post(f"{OWN}/main.shop.ot/lookup", json={"keys": [{"id": 2}, {"id": 9}]}).json()
    assert rows == {"rows": [{"id": 2, "name": "n2"}, None]}
    synced = shop.post(f"{OWN}/main.shop.ot/sync").json()
    assert synced["upserted_rows"] == 0
    assert shop.delete(f"{OT}/main.shop.ot").json() == {}
    missing = shop.get(f"{OT}/main.shop.ot")
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_rest_errors(shop):
    bad = shop.post(OT, json=body(primary_key_columns=["nope"]))
    assert bad.status_code == 400 and "nope" in bad.json()["message"]
    assert shop.post(OT, json={"name": "main.shop.x"}).status_code == 400
    assert shop.post(f"{OWN}/main.shop.none/lookup", json={"keys": [{"id": 1}]}).status_code == 404
    shop.post(OT, json=body())
    wrong = shop.post(f"{OWN}/main.shop.ot/lookup", json={"keys": [{"id": "x"}]})
    assert wrong.status_code == 400 and "id" in wrong.json()["message"]
    assert shop.post(f"{OWN}/main.shop.ot/lookup", json={}).status_code == 400


def test_rest_lookup_needs_select(shop):
    shop.post(OT, json=body())
    platform = shop.app.state.services.platform
    platform.principals.create("user", "eve")
    token = shop.app.state.services.tokens.create(platform.principals.principal("eve"), comment="t")
    denied = shop.post(
        f"{OWN}/main.shop.ot/lookup", json={"keys": [{"id": 1}]}, token=token["token_value"]
    )
    assert denied.status_code == 403 and denied.json()["error_code"] == "PERMISSION_DENIED"


@pytest.mark.skipif(not redis_available(), reason="no Redis server at 127.0.0.1:6379")
def test_redis_backend_through_the_service(tmp_path):
    from lakeai import Workspace

    with Workspace(tmp_path / "ws", online_store_url=REDIS_URL) as ws:
        ws.schemas.create("main", "shop")
        ws.tables.create(
            "main.shop.orders", data=[{"id": 1, "v": "a"}, {"id": 2, "v": "b"}], primary_key="id"
        )
        table = ws.online_tables.create(
            "main.shop.ot",
            source_table_full_name="main.shop.orders",
            primary_key_columns=["id"],
            run_triggered=True,
        )
        assert table["status"]["engine"] == "redis" and table["status"]["indexed_row_count"] == 2
        ws.tables.merge("main.shop.orders", [{"id": 2, "v": "B"}])
        ws.tables.delete_rows("main.shop.orders", "id = 1")
        ws.online_tables.sync("main.shop.ot")
        assert ws.online_tables.lookup("main.shop.ot", [{"id": 1}, {"id": 2}]) == [
            None,
            {"id": 2, "v": "B"},
        ]
        ws.online_tables.delete("main.shop.ot")


def test_databricks_sdk_online_tables(dbx, live_server):
    from databricks.sdk.service.catalog import (
        OnlineTable,
        OnlineTableSpec,
        OnlineTableSpecTriggeredSchedulingPolicy,
        OnlineTableState,
        ProvisioningInfoState,
    )

    from lakeai import Workspace

    schema = f"ot_{uuid.uuid4().hex[:8]}"
    with Workspace(live_server.workspace) as ws:
        ws.schemas.create("main", schema)
        ws.tables.create(f"main.{schema}.src", data=[{"id": 1, "v": "a"}], primary_key="id")
    name = f"main.{schema}.ot"
    spec = OnlineTableSpec(
        source_table_full_name=f"main.{schema}.src",
        primary_key_columns=["id"],
        run_triggered=OnlineTableSpecTriggeredSchedulingPolicy(),
    )
    table = dbx.online_tables.create(OnlineTable(name=name, spec=spec)).result()
    assert table.unity_catalog_provisioning_state == ProvisioningInfoState.ACTIVE
    got = dbx.online_tables.get(name)
    assert got.status.detailed_state == OnlineTableState.ONLINE_NO_PENDING_UPDATE
    assert got.spec.primary_key_columns == ["id"] and got.spec.run_triggered is not None
    assert got.status.triggered_update_status.last_processed_commit_version == 1
    dbx.online_tables.delete(name)
    from databricks.sdk.errors import NotFound

    with pytest.raises(NotFound):
        dbx.online_tables.get(name)
