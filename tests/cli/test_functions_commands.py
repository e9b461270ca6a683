"""``lakeai functions``, in-process (``--workspace``) and against the live server."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import as_json


def test_sql_function_lifecycle(cli, uid: str) -> None:
    cli("schemas", "create", f"main.f{uid}")
    name = f"main.f{uid}.add_one"
    created = cli("functions", "create", name, "x + 1", "--param", "x:int", "--returns", "int")
    assert f"Created sql function {name}." in created.stdout
    assert as_json(cli("functions", "get", name, "--json"))["routine_definition"] == "x + 1"
    assert "add_one" in cli("functions", "list", f"main.f{uid}").stdout
    listed = as_json(cli("functions", "list", f"main.f{uid}", "--json"))
    assert [f["full_name"] for f in listed] == [name]
    assert cli("functions", "execute", name, "--arg", "x=41").stdout.strip() == "42"
    out = as_json(cli("functions", "execute", name, "--arg", "x=1", "--json"))
    assert out == {"result": 2}
    args = ["--param", "x:int", "--returns", "int", "--replace"]
    cli("functions", "create", name, "x * 10", *args)
    assert cli("functions", "execute", name, "--arg", "x=2").stdout.strip() == "20"
    cli("functions", "delete", name)
    missing = cli("functions", "get", name, ok=False)
    assert missing.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_python_and_sql_files(cli, uid: str, tmp_path: Path) -> None:
    cli("schemas", "create", f"main.f{uid}")
    py = tmp_path / "greet.py"
    py.write_text("return 'hi ' + who\n")
    sql = tmp_path / "double.sql"
    sql.write_text("x * 2\n")
    greet, double = f"main.f{uid}.greet", f"main.f{uid}.double"
    cli("functions", "create", greet, "--python-file", str(py), "--param", "who:string", "--returns", "string")  # fmt: skip
    cli("functions", "create", double, "--sql-file", str(sql), "--param", "x:int", "--returns", "int")  # fmt: skip
    assert cli("functions", "execute", greet, "--arg", "who=ada").stdout.strip() == "hi ada"
    assert cli("functions", "execute", double, "--arg", "x=4").stdout.strip() == "8"
    assert as_json(cli("functions", "get", greet, "--json"))["external_language"] == "PYTHON"


def test_bad_input_is_one_line(cli, uid: str) -> None:
    cli("schemas", "create", f"main.f{uid}")
    name = f"main.f{uid}.f"
    for args, code in [
        (["create", name, "x", "--param", "x"], "INVALID_PARAMETER_VALUE"),
        (["create", name, "x", "--param", "x:int"], "INVALID_PARAMETER_VALUE"),  # no --returns
        (["create", name, "--param", "x:int", "--returns", "int"], "INVALID_PARAMETER_VALUE"),
        (["execute", f"main.f{uid}.nope", "--arg", "x=1"], "RESOURCE_DOES_NOT_EXIST"),
        (["list", "main.nope"], "RESOURCE_DOES_NOT_EXIST"),
    ]:
        result = cli("functions", *args, ok=False)
        assert result.exit_code == 1 and code in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
