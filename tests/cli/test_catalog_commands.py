"""catalogs, schemas, volumes and grants commands, in-process and against a server."""

from __future__ import annotations

from tests.cli.conftest import as_json


def test_catalog_schema_volume_commands(cli, uid: str) -> None:
    out = cli("catalogs", "create", f"c{uid}", "--comment", "demo")
    assert f"Created catalog c{uid}." in out.stdout
    assert as_json(cli("catalogs", "get", f"c{uid}", "--json"))["comment"] == "demo"
    assert f"c{uid}" in [c["name"] for c in as_json(cli("catalogs", "list", "--json"))]
    assert f"c{uid}" in cli("catalogs", "list").stdout
    cli("catalogs", "update", f"c{uid}", "--comment", "changed")
    assert as_json(cli("--json", "catalogs", "get", f"c{uid}"))["comment"] == "changed"

    cli("schemas", "create", f"c{uid}.s")
    listed = [s["full_name"] for s in as_json(cli("schemas", "list", f"c{uid}", "--json"))]
    assert f"c{uid}.s" in listed
    assert as_json(cli("schemas", "get", f"c{uid}.s", "--json"))["catalog_name"] == f"c{uid}"

    cli("volumes", "create", f"c{uid}.s.files")
    listed = as_json(cli("volumes", "list", f"c{uid}.s", "--json"))
    assert [v["full_name"] for v in listed] == [f"c{uid}.s.files"]
    assert "MANAGED" in cli("volumes", "get", f"c{uid}.s.files").stdout
    cli("volumes", "delete", f"c{uid}.s.files")
    cli("schemas", "delete", f"c{uid}.s")
    cli("catalogs", "delete", f"c{uid}", "--force")


def test_errors_are_one_red_line_and_exit_1(cli, uid: str) -> None:
    result = cli("catalogs", "get", f"missing{uid}", ok=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error RESOURCE_DOES_NOT_EXIST:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    bad = cli("schemas", "create", "no-dot", ok=False)
    assert bad.exit_code == 1 and "INVALID_PARAMETER_VALUE" in bad.stderr


def test_grant_and_revoke(cli, uid: str) -> None:
    cli("catalogs", "create", f"g{uid}")
    out = cli("grants", "grant", "catalog", f"g{uid}", "account users", "use_catalog", "BROWSE")
    assert "Granted USE_CATALOG, BROWSE" in out.stdout
    got = as_json(cli("grants", "get", "catalog", f"g{uid}", "--json"))
    assert got == [{"principal": "account users", "privileges": ["BROWSE", "USE_CATALOG"]}]
    cli("grants", "revoke", "catalog", f"g{uid}", "account users", "BROWSE")
    assert "USE_CATALOG" in cli("grants", "get", "catalog", f"g{uid}").stdout
    only = cli("grants", "get", "catalog", f"g{uid}", "--principal", "nobody", "--json")
    assert as_json(only) == []


def test_help_explains_the_two_hosts() -> None:
    from tests.cli.conftest import invoke

    root = invoke(["--help"], env={"COLUMNS": "200"})
    assert "serve has its own --host" in root.stdout
    serve = invoke(["serve", "--help"], env={"COLUMNS": "200"})
    assert "Address to listen on" in serve.stdout
