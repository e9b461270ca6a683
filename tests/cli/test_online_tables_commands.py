"""``lakeai online-tables``, in-process (``--workspace``) and against the live server."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakeai import Workspace
from tests.cli.conftest import as_json

CUSTOMERS = [{"customer_id": 1, "age": 30}, {"customer_id": 2, "age": 40}]


def workspace_folder(cli, request, tmp_path: Path) -> Path:
    """The folder of the workspace the ``cli`` fixture acts on."""
    if cli.target == "local":
        return tmp_path / "ws"
    return request.getfixturevalue("live_server").workspace


@pytest.fixture
def source(cli, uid: str, request, tmp_path: Path) -> str:
    """A customers table (primary key customer_id) in a fresh schema."""
    with Workspace(workspace_folder(cli, request, tmp_path)) as ws:
        ws.schemas.create("main", f"o{uid}")
        ws.tables.create(f"main.o{uid}.customers", data=CUSTOMERS, primary_key="customer_id")
    return f"main.o{uid}"


def test_online_table_lifecycle(cli, source: str, request, tmp_path: Path) -> None:
    name = f"{source}.customers_ot"
    args = ["--source", f"{source}.customers", "--primary-key", "customer_id"]
    assert "(2 rows, ACTIVE)" in cli("online-tables", "create", name, *args).stdout
    got = as_json(cli("online-tables", "get", name, "--json"))
    assert got["unity_catalog_provisioning_state"] == "ACTIVE"
    assert "ONLINE_NO_PENDING_UPDATE" in cli("online-tables", "get", name).stdout
    listed = as_json(cli("online-tables", "list", source, "--json"))
    assert [t["name"] for t in listed] == [name]
    assert "ACTIVE" in cli("online-tables", "list", source).stdout
    with Workspace(workspace_folder(cli, request, tmp_path)) as ws:
        ws.tables.append(f"{source}.customers", [{"customer_id": 3, "age": 50}])
    synced = as_json(cli("online-tables", "sync", name, "--json"))
    assert synced["upserted_rows"] == 1
    assert synced["online_table"]["unity_catalog_provisioning_state"] == "ACTIVE"
    assert "0 upserted" in cli("online-tables", "run-triggered", name).stdout
    keys = ["--key", '{"customer_id": 3}', "--key", '{"customer_id": 9}']
    rows = as_json(cli("online-tables", "lookup", name, *keys, "--json"))
    assert rows[0]["age"] == 50 and rows[1] is None
    assert "50" in cli("online-tables", "lookup", name, *keys).stdout
    cli("online-tables", "delete", name)
    missing = cli("online-tables", "get", name, ok=False)
    assert missing.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in missing.stderr


def test_bad_input_is_one_line(cli, source: str) -> None:
    args = ["--source", f"{source}.customers", "--primary-key", "customer_id"]
    for argv, code in [
        (["create", f"{source}.x", *args, "--mode", "weekly"], "INVALID_PARAMETER_VALUE"),
        (
            ["create", f"{source}.x", "--source", f"{source}.nope", "--primary-key", "id"],
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (["lookup", f"{source}.nope", "--key", '{"customer_id": 1}'], "RESOURCE_DOES_NOT_EXIST"),
        (["lookup", f"{source}.nope", "--key", "not json"], "INVALID_PARAMETER_VALUE"),
        (["sync", f"{source}.nope"], "RESOURCE_DOES_NOT_EXIST"),
    ]:
        result = cli("online-tables", *argv, ok=False)
        assert result.exit_code == 1 and code in result.stderr, (argv, result.stderr)
        assert "Traceback" not in result.stderr


class _Stuck:
    """An online tables service whose table stays in one state."""

    def __init__(self, state: str) -> None:
        self.state = state

    def get(self, name: str) -> dict:
        return {"unity_catalog_provisioning_state": self.state, "status": {"message": "boom"}}


def test_wait_active_stops_on_failed_and_on_its_deadline() -> None:
    from lakeai.cli.online_tables import wait_active
    from lakeai.errors import DeadlineExceeded, LakeAIError

    with pytest.raises(LakeAIError, match="FAILED: boom"):
        wait_active(_Stuck("FAILED"), "t")
    with pytest.raises(DeadlineExceeded, match="still PROVISIONING"):
        wait_active(_Stuck("PROVISIONING"), "t", timeout=-1)
    assert wait_active(_Stuck("ACTIVE"), "t")["unity_catalog_provisioning_state"] == "ACTIVE"
