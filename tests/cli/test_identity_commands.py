"""users, service-principals, groups, tokens and secrets commands."""

from __future__ import annotations

from tests.cli.conftest import as_json


def test_users_groups_and_service_principals(cli, uid: str) -> None:
    user = as_json(cli("users", "create", f"ada{uid}@x.com", "--display-name", "Ada", "--json"))
    assert user["displayName"] == "Ada"
    assert f"ada{uid}@x.com" in cli("users", "list").stdout
    assert as_json(cli("users", "get", f"ada{uid}@x.com", "--json"))["id"] == user["id"]
    sp = as_json(
        cli("service-principals", "create", "Bot", "--application-id", f"a{uid}", "--json")
    )
    assert sp["applicationId"] == f"a{uid}"
    assert f"a{uid}" in cli("service-principals", "list").stdout
    group = cli("groups", "create", f"g{uid}", "--member", user["id"], "--json")
    assert [m["value"] for m in as_json(group)["members"]] == [user["id"]]
    assert f"g{uid}" in [g["displayName"] for g in as_json(cli("groups", "list", "--json"))]
    cli("groups", "delete", f"g{uid}")
    cli("service-principals", "delete", f"a{uid}")
    cli("users", "delete", f"ada{uid}@x.com")
    missing = cli("users", "get", f"ada{uid}@x.com", ok=False)
    assert missing.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in missing.stderr


def test_tokens(cli, uid: str) -> None:
    out = cli("tokens", "create", "--comment", f"c{uid}")
    assert "shown only now" in out.stdout
    value = out.stdout.strip().splitlines()[-1]
    assert value.startswith("dapi")
    listed = as_json(cli("tokens", "list", "--json"))
    mine = [t for t in listed if t.get("comment") == f"c{uid}"]
    assert len(mine) == 1
    assert cli("--token", value, "tokens", "list", "--json").exit_code == 0
    cli("tokens", "delete", mine[0]["token_id"])
    assert f"c{uid}" not in cli("tokens", "list").stdout
    cli("service-principals", "create", "Bot", "--application-id", f"b{uid}")
    quiet = cli("tokens", "create", "--for-service-principal", f"b{uid}", "-q")
    assert quiet.stdout.strip().startswith("dapi") and len(quiet.stdout.strip().split()) == 1
    whoami = cli("--token", quiet.stdout.strip(), "tokens", "create", "--json")
    assert as_json(whoami)["token_value"].startswith("dapi")


def test_secrets(cli, uid: str) -> None:
    scope = f"s{uid}"
    cli("secrets", "create-scope", scope)
    assert scope in [s["name"] for s in as_json(cli("secrets", "list-scopes", "--json"))]
    cli("secrets", "put", scope, "api-key", "--value", "v1")
    piped = cli("secrets", "put", scope, "piped", input="from-stdin\n")
    assert "Stored secret" in piped.stdout and "from-stdin" not in piped.stdout
    keys = sorted(s["key"] for s in as_json(cli("secrets", "list", scope, "--json")))
    assert keys == ["api-key", "piped"]
    cli("users", "create", f"r{uid}")
    cli("secrets", "put-acl", scope, f"r{uid}", "read")
    acls = as_json(cli("secrets", "list-acls", scope, "--json"))
    assert {"principal": f"r{uid}", "permission": "READ"} in acls
    cli("secrets", "delete-acl", scope, f"r{uid}")
    cli("secrets", "delete", scope, "piped")
    assert "piped" not in cli("secrets", "list", scope).stdout
    cli("secrets", "delete-scope", scope)
    assert cli("secrets", "list", scope, ok=False).exit_code == 1
