"""Parity: online (serving) against offline (training sets) for sampled keys, and the CLI."""

from __future__ import annotations

import json

import pytest

from lakeai.errors import InvalidParameterValue

USERS = [{"user_id": i, "age": 20 + i, "score": i / 10} for i in range(1, 21)]
B = [{"name": "x", "type_text": "BIGINT"}, {"name": "y", "type_text": "BIGINT"}]
SPEC = "main.fs.spec"


@pytest.fixture
def fs(tmp_path):
    from lakeai import Workspace

    ws = Workspace(tmp_path / "ws")
    ws.schemas.create("main", "fs")
    ws.tables.create("main.fs.users", data=USERS, primary_key="user_id")
    ws.tables.create("main.fs.extra", data=[{"user_id": 1, "bonus": 5}], primary_key="user_id")
    ws.online_tables.create(
        "main.fs.users_ot",
        source_table_full_name="main.fs.users",
        primary_key_columns=["user_id"],
        run_triggered=True,
    )
    ws.functions.create("main.fs.add", params=B, returns="BIGINT", body="x + y")
    ws.feature_specs.create(
        SPEC,
        features=[
            {"table_name": "main.fs.users_ot", "lookup_key": ["user_id"]},
            {
                "table_name": "main.fs.extra",
                "lookup_key": "user_id",
                "default_values": {"bonus": 0},
            },
            {
                "udf_name": "main.fs.add",
                "input_bindings": {"x": "age", "y": "bonus"},
                "output_name": "s",
            },
        ],
    )
    yield ws
    ws.close()


def test_in_sync_online_table_is_in_parity(fs):
    report = fs.feature_specs.check_parity(SPEC, sample=10)
    assert report["ok"] and report["sampled"] == 10
    assert set(report["features"]) == {"age", "score", "bonus", "s"}
    assert all(v["mismatches"] == 0 for v in report["features"].values())


def test_an_online_table_behind_its_delta_table_is_a_mismatch(fs):
    fs.tables.update_rows("main.fs.users", {"age": "age + 100"}, "user_id <= 5")
    report = fs.feature_specs.check_parity(SPEC, sample=20)
    assert not report["ok"]
    age = report["features"]["age"]
    assert age["mismatches"] == 5 and report["features"]["s"]["mismatches"] == 5
    assert report["features"]["score"]["mismatches"] == 0
    example = age["examples"][0]
    assert example["offline"] == example["online"] + 100
    fs.online_tables.sync("main.fs.users_ot")
    assert fs.feature_specs.check_parity(SPEC, sample=20)["ok"]


def test_sampling_is_seeded_and_bounded(fs):
    a = fs.feature_specs.check_parity(SPEC, sample=3, seed=7)
    assert a == fs.feature_specs.check_parity(SPEC, sample=3, seed=7)
    assert fs.feature_specs.check_parity(SPEC, sample=500)["sampled"] == 20
    with pytest.raises(InvalidParameterValue, match="sample"):
        fs.feature_specs.check_parity(SPEC, sample=0)


def test_cli_check_parity_exit_codes(fs, tmp_path):
    from typer.testing import CliRunner

    from lakeai.cli.main import app

    base = ["--workspace", str(tmp_path / "ws"), "features", "check-parity", SPEC]
    fs.close()  # the CLI opens the same folder
    ok = CliRunner().invoke(app, [*base, "--sample", "5", "--json"], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    from lakeai import Workspace

    with Workspace(tmp_path / "ws") as ws:
        ws.tables.update_rows("main.fs.users", {"score": "score + 1"}, "user_id = 3")
    bad = CliRunner().invoke(app, [*base, "--sample", "20"], catch_exceptions=False)
    assert bad.exit_code == 1
    assert "score" in bad.stdout and "mismatches found" in bad.stdout
