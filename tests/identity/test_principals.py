"""Users, service principals and groups in-process: admin-only changes, SCIM patch, audit."""

import pytest

from lakeai.errors import (
    InvalidParameterValue,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
)


def audit_rows(ws, action):
    rows = ws.tables.read("system.access.audit").to_pylist()
    return [r for r in rows if r["action"] == action]


def test_admin_creates_reads_and_deletes_a_user(ws):
    user = ws.users.create("ann@example.com", display_name="Ann")
    assert user["userName"] == "ann@example.com"
    assert user["displayName"] == "Ann"
    assert user["active"] is True
    assert user["emails"][0]["value"] == "ann@example.com"
    assert ws.users.get(int(user["id"]))["userName"] == "ann@example.com"
    assert ws.users.get("ann@example.com")["id"] == user["id"]
    found = ws.users.list(filter='userName eq "ann@example.com"')
    assert [u["id"] for u in found] == [user["id"]]
    ws.users.delete(int(user["id"]))
    with pytest.raises(ResourceDoesNotExist):
        ws.users.get(int(user["id"]))
    assert [r["securable"] for r in audit_rows(ws, "createUser")] == ["ann@example.com"]


def test_duplicates_and_bad_fields(ws):
    ws.users.create("bob")
    with pytest.raises(ResourceAlreadyExists):
        ws.users.create("bob")
    with pytest.raises(InvalidParameterValue):
        ws.users.create("")
    with pytest.raises(InvalidParameterValue):
        ws.groups.create("account users")
    with pytest.raises(InvalidParameterValue, match="Unsupported filter"):
        ws.users.list(filter="userName = bob")


def test_non_admins_read_but_cannot_change(ws):
    ws.users.create("bob")
    bob = ws.as_principal("bob")
    assert any(u["userName"] == "admin" for u in bob.users.list())
    with pytest.raises(PermissionDenied, match="admins"):
        bob.users.create("mallory")
    with pytest.raises(PermissionDenied):
        bob.groups.create("cabal")
    with pytest.raises(PermissionDenied):
        bob.users.delete("admin")
    denied = [r for r in audit_rows(ws, "createUser") if r["outcome"] == "DENIED"]
    assert [(r["principal"], r["securable"]) for r in denied] == [("bob", "mallory")]


def test_service_principal_gets_a_uuid_application_id(ws):
    sp = ws.service_principals.create(display_name="etl bot")
    assert len(sp["applicationId"]) == 36
    given = ws.service_principals.create("my-app-id")
    assert given["applicationId"] == "my-app-id"
    names = {s["applicationId"] for s in ws.service_principals.list()}
    assert names == {sp["applicationId"], "my-app-id"}
    with pytest.raises(ResourceDoesNotExist):
        ws.users.get("my-app-id")


def test_group_membership_by_patch_makes_grant_names(ws):
    ann = ws.users.create("ann")
    group = ws.groups.create("analysts")
    op = {"op": "add", "path": "members", "value": [{"value": ann["id"]}]}
    patched = ws.groups.patch(int(group["id"]), [op])
    assert [m["value"] for m in patched["members"]] == [ann["id"]]
    assert "analysts" in ws.platform.principals.principal("ann").grant_names
    assert ws.users.get("ann")["groups"][0]["display"] == "analysts"
    remove = {"op": "remove", "path": f'members[value eq "{ann["id"]}"]'}
    assert ws.groups.patch(int(group["id"]), [remove])["members"] == []


def test_adding_to_admins_makes_an_admin_and_deactivation_blocks_tokens(ws):
    ws.users.create("carol")
    admins = ws.groups.get("admins")
    carol_id = ws.users.get("carol")["id"]
    ws.groups.patch(int(admins["id"]), [{"op": "add", "value": {"members": [{"value": carol_id}]}}])
    assert ws.as_principal("carol").principal.is_admin
    token = ws.as_principal("carol").tokens.create()["token_value"]
    ws.users.patch("carol", [{"op": "replace", "path": "active", "value": "false"}])
    assert ws.users.get("carol")["active"] is False
    from lakeai.errors import Unauthenticated

    with pytest.raises(Unauthenticated, match="deactivated"):
        ws.platform.principals.authenticate(token)


def test_patch_rejects_unknown_paths_and_self_deletion(ws):
    ws.users.create("dan")
    with pytest.raises(InvalidParameterValue, match="Cannot patch"):
        ws.users.patch("dan", [{"op": "replace", "path": "nickName", "value": "d"}])
    with pytest.raises(InvalidParameterValue, match="yourself"):
        ws.users.delete("admin")
    with pytest.raises(InvalidParameterValue, match="admins"):
        ws.groups.delete("admins")


def test_me_is_the_acting_principal(ws):
    ws.users.create("erin")
    me = ws.as_principal("erin").users.me()
    assert me["userName"] == "erin"
    assert ws.users.me()["userName"] == "admin"
