"""Personal access tokens: shown once, hashed at rest, expiry, immediate revocation, OBO tokens."""

import pytest
from sqlalchemy import select

from lakeai.core import principals as principals_module
from lakeai.core.models import TokenRow
from lakeai.errors import PermissionDenied, ResourceDoesNotExist, Unauthenticated


def test_create_list_delete_own_token(ws):
    created = ws.tokens.create(comment="ci", lifetime_seconds=3600)
    value, info = created["token_value"], created["token_info"]
    assert value.startswith("dapi")
    assert info["comment"] == "ci"
    assert info["expiry_time"] - info["creation_time"] == 3_600_000
    assert info["token_id"] in {t["token_id"] for t in ws.tokens.list()}
    assert ws.platform.principals.authenticate(value).name == "admin"
    ws.tokens.delete(info["token_id"])
    with pytest.raises(Unauthenticated):
        ws.platform.principals.authenticate(value)


def test_only_the_hash_is_stored(ws):
    value = ws.tokens.create()["token_value"]
    with ws.platform.metastore.session() as s:
        hashes = list(s.scalars(select(TokenRow.token_hash)))
    assert value not in hashes
    assert principals_module.hash_token(value) in hashes


def test_expired_token_is_refused(ws, monkeypatch):
    value = ws.tokens.create(lifetime_seconds=60)["token_value"]
    now = principals_module.now_ms()
    monkeypatch.setattr(principals_module, "now_ms", lambda: now + 61_000)
    with pytest.raises(Unauthenticated, match="expired"):
        ws.platform.principals.authenticate(value)


def test_users_see_and_delete_only_their_own(ws):
    ws.users.create("bob")
    bob = ws.as_principal("bob")
    admin_token = ws.tokens.create()["token_info"]["token_id"]
    bob_token = bob.tokens.create(comment="mine")["token_info"]["token_id"]
    assert [t["token_id"] for t in bob.tokens.list()] == [bob_token]
    with pytest.raises(ResourceDoesNotExist):
        bob.tokens.delete(admin_token)
    with pytest.raises(PermissionDenied):
        bob.tokens.list_all()
    with pytest.raises(PermissionDenied):
        bob.tokens.create_on_behalf_of("x")
    ws.tokens.delete(bob_token)  # admins may revoke anyone's
    assert bob.tokens.list() == []


def test_obo_token_for_a_service_principal(ws):
    sp = ws.service_principals.create(display_name="bot")
    created = ws.tokens.create_on_behalf_of(sp["applicationId"], comment="bot", lifetime_seconds=60)
    who = ws.platform.principals.authenticate(created["token_value"])
    assert (who.name, who.kind) == (sp["applicationId"], "service_principal")
    info = ws.tokens.get(created["token_info"]["token_id"])
    assert info["owner_id"] == int(sp["id"])
    assert info["created_by_username"] == "admin"
    assert info["token_id"] in {t["token_id"] for t in ws.tokens.list_all()}
    ws.users.create("ann")
    with pytest.raises(ResourceDoesNotExist):
        ws.tokens.create_on_behalf_of("ann")  # only service principals


def test_no_token_value_in_the_audit_log(ws):
    ws.service_principals.create("app-1")
    values = [
        ws.tokens.create(comment="a")["token_value"],
        ws.tokens.create_on_behalf_of("app-1")["token_value"],
    ]
    rows = ws.tables.read("system.access.audit").to_pylist()
    assert {"createToken", "createOboToken"} <= {r["action"] for r in rows}
    text = repr(rows)
    assert not any(v in text for v in values)


def test_http_token_routes_and_401_after_delete(api):
    created = api.post("/api/2.0/token/create", json={"comment": "x", "lifetime_seconds": 600})
    assert created.status_code == 200, created.text
    token, token_id = created.json()["token_value"], created.json()["token_info"]["token_id"]
    listed = api.get("/api/2.0/token/list", token=token).json()["token_infos"]
    assert token_id in {t["token_id"] for t in listed}
    assert api.post("/api/2.0/token/delete", json={"token_id": token_id}).status_code == 200
    gone = api.get("/api/2.0/token/list", token=token)
    assert gone.status_code == 401
    assert gone.json()["error_code"] == "UNAUTHENTICATED"
    missing = api.get("/api/2.0/token-management/tokens/nope")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
