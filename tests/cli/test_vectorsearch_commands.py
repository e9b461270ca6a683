"""``lakeai vector-search``, in-process (``--workspace``) and against the live server."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakeai import Workspace
from tests.cli.conftest import as_json

DOCS = [
    {
        "id": 1,
        "text": "Returns are accepted within 30 days.",
        "kind": "returns",
        "vec": [1.0, 0, 0],
    },
    {"id": 2, "text": "Orders ship within two days.", "kind": "orders", "vec": [0, 1.0, 0]},
    {"id": 3, "text": "Gift cards cannot be returned.", "kind": "returns", "vec": [0, 0, 1.0]},
]


@pytest.fixture
def source(cli, uid: str, request, tmp_path: Path) -> str:
    """A docs table in the workspace the ``cli`` fixture acts on."""
    if cli.target == "local":
        folder = tmp_path / "ws"
    else:
        folder = request.getfixturevalue("live_server").workspace
    with Workspace(folder) as ws:
        ws.schemas.create("main", f"c{uid}")
        ws.tables.create(f"main.c{uid}.docs", data=DOCS, primary_key="id")
    return f"main.c{uid}"


def test_endpoints(cli, uid: str) -> None:
    name = f"ep-{uid}"
    created = as_json(cli("vector-search", "endpoints", "create", name, "--json"))
    assert created["endpoint_status"]["state"] == "ONLINE"
    assert name in cli("vector-search", "endpoints", "list").stdout
    listed = as_json(cli("vector-search", "endpoints", "list", "--json"))
    assert name in [e["name"] for e in listed]
    assert as_json(cli("vector-search", "endpoints", "get", name, "--json"))["name"] == name
    cli("vector-search", "endpoints", "delete", name)
    missing = cli("vector-search", "endpoints", "get", name, ok=False)
    assert missing.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_vector_index_lifecycle(cli, uid: str, source: str) -> None:
    cli("vector-search", "endpoints", "create", f"ep-{uid}")
    name = f"{source}.vidx"
    args = ["--endpoint", f"ep-{uid}", "--source", f"{source}.docs", "--primary-key", "id"]
    vec = ["--vector-column", "vec", "--dimension", "3", "--columns", "id,kind,vec"]
    out = cli("vector-search", "indexes", "create", name, *args, *vec).stdout
    assert "3 rows indexed" in out
    got = as_json(cli("vector-search", "indexes", "get", name, "--json"))
    assert got["status"]["indexed_row_count"] == 3
    assert "ONLINE_NO_PENDING_UPDATE" in cli("vector-search", "indexes", "get", name).stdout
    listed = as_json(cli("vector-search", "indexes", "list", "--endpoint", f"ep-{uid}", "--json"))
    assert [i["name"] for i in listed] == [name]
    table = cli("vector-search", "query", name, "--vector", "[0, 0.9, 0.1]", "-k", "2").stdout
    assert "score" in table and "orders" in table
    found = as_json(
        cli(
            "vector-search",
            "query",
            name,
            "--vector",
            "[0, 0.9, 0.1]",
            "--filters",
            '{"kind": "returns"}',
            "--columns",
            "id,kind",
            "--json",
        )
    )
    assert [r[0] for r in found["result"]["data_array"]] == [3, 1]
    synced = as_json(cli("vector-search", "indexes", "sync", name, "--json"))
    assert synced["upserted_rows"] == 0
    assert "Synced" in cli("vector-search", "indexes", "sync", name).stdout
    cli("vector-search", "indexes", "delete", name)
    gone = cli("vector-search", "indexes", "get", name, ok=False)
    assert gone.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in gone.stderr


def test_text_index_and_hybrid(cli, uid: str, source: str) -> None:
    cli("vector-search", "endpoints", "create", f"ep-{uid}")
    name = f"{source}.tidx"
    args = ["--endpoint", f"ep-{uid}", "--source", f"{source}.docs", "--primary-key", "id"]
    text = ["--embedding-column", "text", "--embedding-endpoint", "lakeai-embed"]
    created = as_json(
        cli(
            "vector-search",
            "indexes",
            "create",
            name,
            *args,
            *text,
            "--columns",
            "id,text,kind",
            "--json",
        )
    )
    assert created["delta_sync_index_spec"]["pipeline_type"] == "TRIGGERED"
    hit = as_json(
        cli("vector-search", "query", name, "gift cards", "--hybrid", "-k", "1", "--json")
    )
    assert hit["result"]["data_array"][0][0] == 3
    assert "score" in cli("vector-search", "query", name, "returns policy", "-k", "2").stdout


def test_errors_are_one_line(cli, uid: str, source: str) -> None:
    cli("vector-search", "endpoints", "create", f"ep-{uid}")
    args = ["--endpoint", f"ep-{uid}", "--source", f"{source}.docs", "--primary-key", "id"]
    both = cli("vector-search", "indexes", "create", f"{source}.x", *args, ok=False)
    assert both.exit_code == 1 and "--embedding-column" in both.stderr
    no_dim = cli(
        "vector-search",
        "indexes",
        "create",
        f"{source}.x",
        *args,
        "--vector-column",
        "vec",
        ok=False,
    )
    assert "--dimension" in no_dim.stderr
    bad = cli("vector-search", "query", f"{source}.nope", "x", ok=False)
    assert bad.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_progress_bar_on_a_terminal(uid: str, tmp_path: Path) -> None:
    """With a terminal on stderr, create and sync poll the status and still finish."""
    from tests.cli.conftest import invoke

    folder = tmp_path / "ws"
    with Workspace(folder) as ws:
        ws.schemas.create("main", "p")
        ws.tables.create("main.p.docs", data=DOCS, primary_key="id")
        ws.vector_search_endpoints.create("ep")
    prefix = ["--workspace", str(folder), "vector-search", "indexes"]
    env = {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "100"}
    spec = ["--endpoint", "ep", "--source", "main.p.docs", "--primary-key", "id"]
    vec = ["--vector-column", "vec", "--dimension", "3"]
    created = invoke([*prefix, "create", "main.p.idx", *spec, *vec], env=env)
    assert created.exit_code == 0, created.stderr
    assert "3 rows indexed" in created.stdout
    synced = invoke([*prefix, "sync", "main.p.idx"], env=env)
    assert synced.exit_code == 0 and "Synced" in synced.stdout
