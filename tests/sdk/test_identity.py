"""Users, service principals, groups, tokens and secrets through the remote SDK."""

from __future__ import annotations

import pyarrow as pa
import pytest

import lakeai
from lakeai.errors import PermissionDenied, ResourceAlreadyExists, ResourceDoesNotExist


def test_users_by_id_or_name(remote, local, uid: str) -> None:
    user = remote.users.create(f"ada{uid}@example.com", display_name="Ada")
    assert user["userName"] == f"ada{uid}@example.com"
    assert remote.users.get(user["id"]) == remote.users.get(f"ada{uid}@example.com")
    assert remote.users.get(user["id"]) == local.users.get(int(user["id"]))
    assert f"ada{uid}@example.com" in [u["userName"] for u in remote.users.list()]
    with pytest.raises(ResourceAlreadyExists):
        remote.users.create(f"ada{uid}@example.com")
    remote.users.delete(f"ada{uid}@example.com")
    with pytest.raises(ResourceDoesNotExist):
        remote.users.get(f"ada{uid}@example.com")
    assert remote.users.me()["userName"] == "admin"


def test_groups_and_service_principals(remote, uid: str) -> None:
    sp = remote.service_principals.create(f"app-{uid}", display_name="Bot")
    assert sp["applicationId"] == f"app-{uid}" and sp["displayName"] == "Bot"
    generated = remote.service_principals.create(display_name="Anon")
    assert generated["applicationId"]
    group = remote.groups.create(f"g{uid}", members=[sp["id"]])
    assert [m["value"] for m in group["members"]] == [sp["id"]]
    assert remote.groups.get(f"g{uid}")["id"] == group["id"]
    assert f"app-{uid}" in [s["applicationId"] for s in remote.service_principals.list()]
    remote.groups.delete(f"g{uid}")
    remote.service_principals.delete(f"app-{uid}")
    remote.service_principals.delete(generated["id"])
    with pytest.raises(ResourceDoesNotExist):
        remote.service_principals.get(f"app-{uid}")


def test_tokens_on_behalf_of_a_service_principal(live_server, remote, schema: str, uid: str):
    remote.tables.create(f"{schema}.t", data=pa.table({"id": pa.array([1], pa.int64())}))
    remote.service_principals.create(f"bot-{uid}")
    catalog = schema.split(".")[0]
    remote.grants.update("catalog", catalog, [{"principal": f"bot-{uid}", "add": ["USE_CATALOG"]}])
    remote.grants.update("schema", schema, [{"principal": f"bot-{uid}", "add": ["USE_SCHEMA"]}])
    remote.grants.update("table", f"{schema}.t", [{"principal": f"bot-{uid}", "add": ["SELECT"]}])
    created = remote.tokens.create_on_behalf_of(f"bot-{uid}", comment="tour")
    with lakeai.connect(live_server.url, created["token_value"]) as bot:
        assert bot.tables.read(f"{schema}.t").num_rows == 1
        with pytest.raises(PermissionDenied):
            bot.tables.append(f"{schema}.t", [{"id": 2}])
        with pytest.raises(PermissionDenied):
            bot.users.create(f"x{uid}")
        own = bot.tokens.create(comment="mine")
        assert own["token_info"]["token_id"] in [t["token_id"] for t in bot.tokens.list()]
        bot.tokens.delete(own["token_info"]["token_id"])
        assert own["token_info"]["token_id"] not in [t["token_id"] for t in bot.tokens.list()]


def test_secrets_round_trip(remote, local, uid: str) -> None:
    scope = f"scope{uid}"
    remote.secrets.create_scope(scope)
    assert scope in [s["name"] for s in remote.secrets.list_scopes()]
    remote.secrets.put(scope, "k", string_value="v1")
    remote.secrets.put(scope, "b", bytes_value=b"\x00\x01")
    assert sorted(s["key"] for s in remote.secrets.list(scope)) == ["b", "k"]
    assert remote.secrets.list(scope) == local.secrets.list(scope)
    assert local.secrets.resolve(f"{{{{secrets/{scope}/k}}}}") == "v1"
    reader = remote.users.create(f"reader{uid}")["userName"]
    remote.secrets.put_acl(scope, reader, "READ")
    assert {"principal": reader, "permission": "READ"} in remote.secrets.list_acls(scope)
    assert remote.secrets.get_acl(scope, reader)["permission"] == "READ"
    remote.secrets.delete_acl(scope, reader)
    assert reader not in [a["principal"] for a in remote.secrets.list_acls(scope)]
    remote.secrets.delete(scope, "k")
    assert [s["key"] for s in remote.secrets.list(scope)] == ["b"]
    remote.secrets.delete_scope(scope)
    with pytest.raises(ResourceDoesNotExist):
        remote.secrets.list(scope)
