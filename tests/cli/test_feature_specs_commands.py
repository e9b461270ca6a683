"""``lakeai feature-specs`` and ``lakeai apply`` with functions, online tables and specs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lakeai import Workspace
from tests.cli.conftest import as_json
from tests.cli.test_online_tables_commands import CUSTOMERS, workspace_folder


@pytest.fixture
def source(cli, uid: str, request, tmp_path: Path) -> str:
    """A customers table and an add_one function in a fresh schema."""
    with Workspace(workspace_folder(cli, request, tmp_path)) as ws:
        ws.schemas.create("main", f"s{uid}")
        ws.tables.create(f"main.s{uid}.customers", data=CUSTOMERS, primary_key="customer_id")
        params = [{"name": "x", "type_text": "int"}]
        ws.functions.create(f"main.s{uid}.add_one", params=params, returns="int", body="x + 1")
    return f"main.s{uid}"


def _features(schema: str) -> list[dict]:
    return [
        {"table_name": f"{schema}.customers", "lookup_key": ["customer_id"]},
        {"udf_name": f"{schema}.add_one", "input_bindings": {"x": "age"}, "output_name": "next"},
    ]


def test_feature_spec_lifecycle(cli, source: str, tmp_path: Path) -> None:
    name = f"{source}.spec"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"name": name, "features": _features(source)}))
    assert f"Created feature spec {name}." in cli("feature-specs", "create", str(path)).stdout
    got = as_json(cli("feature-specs", "get", name, "--json"))
    assert got["name"] == name and got["spec"]["functions"][0]["output_name"] == "next"
    assert [s["name"] for s in as_json(cli("feature-specs", "list", source, "--json"))] == [name]
    rows = ["--row", '{"customer_id": 1}', "--row", '{"customer_id": 2}']
    out = as_json(cli("feature-specs", "evaluate", name, *rows, "--json"))
    assert out == [
        {"customer_id": 1, "age": 30, "next": 31},
        {"customer_id": 2, "age": 40, "next": 41},
    ]
    assert "41" in cli("feature-specs", "evaluate", name, *rows).stdout
    cli("feature-specs", "delete", name)
    missing = cli("feature-specs", "get", name, ok=False)
    assert missing.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in missing.stderr


def test_bad_input_is_one_line(cli, source: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("name: x\n")
    for argv, code in [
        (["create", str(empty)], "INVALID_PARAMETER_VALUE"),
        (["create", str(tmp_path / "missing.yaml")], "INVALID_PARAMETER_VALUE"),
        (["evaluate", f"{source}.nope", "--row", '{"customer_id": 1}'], "RESOURCE_DOES_NOT_EXIST"),
        (["evaluate", f"{source}.add_one", "--row", "[1]"], "INVALID_PARAMETER_VALUE"),
        (["evaluate", f"{source}.add_one", "--row", "{}"], "INVALID_PARAMETER_VALUE"),
    ]:
        result = cli("feature-specs", *argv, ok=False)
        assert result.exit_code == 1 and code in result.stderr, (argv, result.stderr)
        assert "Traceback" not in result.stderr


def _document(schema: str, body: str, *, mode: dict) -> str:
    import yaml

    return yaml.safe_dump(
        {
            "functions": [
                {"name": f"{schema}.twice", "params": {"x": "int"}, "returns": "int", "body": body}
            ],
            "online_tables": [
                {
                    "name": f"{schema}.customers_ot",
                    "source_table_full_name": f"{schema}.customers",
                    "primary_key_columns": ["customer_id"],
                    **mode,
                }
            ],
            "feature_specs": [
                {
                    "name": f"{schema}.bot_features",
                    "features": [
                        {"table_name": f"{schema}.customers_ot", "lookup_key": ["customer_id"]},
                        {
                            "udf_name": f"{schema}.twice",
                            "input_bindings": {"x": "age"},
                            "output_name": "twice",
                        },
                    ],
                }
            ],
        }
    )


def _actions(result) -> dict[str, str]:
    return {c["name"]: c["action"] for c in as_json(result)["changes"]}


def test_apply_is_idempotent(cli, source: str, tmp_path: Path) -> None:
    path = tmp_path / "features.yaml"
    path.write_text(_document(source, "x * 2", mode={"run_triggered": {}}))
    names = [f"function {source}.twice", f"online table {source}.customers_ot"]
    names.append(f"feature spec {source}.bot_features")
    planned = _actions(cli("apply", str(path), "--dry-run", "--json"))
    assert planned == dict.fromkeys(names, "create")
    assert _actions(cli("apply", str(path), "--json")) == dict.fromkeys(names, "create")
    assert _actions(cli("apply", str(path), "--json")) == dict.fromkeys(names, "unchanged")
    assert "0 item(s) changed, 3 unchanged" in cli("apply", str(path)).stdout
    spec = f"{source}.bot_features"
    row = ["--row", '{"customer_id": 1}']
    assert as_json(cli("feature-specs", "evaluate", spec, *row, "--json"))[0]["twice"] == 60
    path.write_text(_document(source, "x * 3", mode={"perform_full_copy": True}))
    changed = as_json(cli("apply", str(path), "--json"))["changes"]
    assert {c["name"]: (c["action"], c["parts"]) for c in changed} == {
        names[0]: ("update", ["body"]),
        names[1]: ("update", ["mode"]),
        names[2]: ("unchanged", []),
    }
    assert as_json(cli("feature-specs", "evaluate", spec, *row, "--json"))[0]["twice"] == 90
    assert set(_actions(cli("apply", str(path), "--json")).values()) == {"unchanged"}


def test_apply_reports_mistakes_before_changing(cli, source: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"functions:\n  - name: {source}.f\n    returns: int\n    body: 'x +'\n")
    result = cli("apply", str(path), ok=False)
    assert result.exit_code == 1 and "INVALID_PARAMETER_VALUE" in result.stderr
    assert cli("functions", "get", f"{source}.f", ok=False).exit_code == 1
    path.write_text(f"online_tables:\n  - name: {source}.ot\n    source: x\n")
    result = cli("apply", str(path), ok=False)
    assert "unknown keys source" in result.stderr and "Traceback" not in result.stderr
    path.write_text("nothing: here\n")
    assert "functions" in cli("apply", str(path), ok=False).stderr
