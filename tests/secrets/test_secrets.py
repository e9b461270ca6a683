"""Secrets in-process: encryption at rest, the key file, ACL levels, resolve, audit hygiene."""

import os
import stat

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from lakeai import Workspace
from lakeai.core.models import SecretRow
from lakeai.errors import (
    InvalidParameterValue,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
)

VALUE = "sk-live-7b1e0c-do-not-leak"


@pytest.fixture
def vault(ws):
    ws.secrets.create_scope("llm")
    ws.secrets.put("llm", "openai", string_value=VALUE)
    ws.users.create("bob")
    return ws


def test_key_file_is_private_and_ciphertext_hides_the_value(vault):
    key_file = vault.platform.root / ".secrets_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    with vault.platform.metastore.session() as s:
        stored = list(s.scalars(select(SecretRow.ciphertext)))
    assert len(stored) == 1
    assert VALUE.encode() not in stored[0]
    assert vault.secrets.resolve("{{secrets/llm/openai}}") == VALUE


def test_configured_key_is_used_instead_of_the_file(tmp_path):
    key = Fernet.generate_key().decode()
    with Workspace(tmp_path / "w", secrets_key=key) as ws:
        ws.secrets.create_scope("s")
        ws.secrets.put("s", "k", bytes_value=b"\x00\x01")
        assert not (ws.platform.root / ".secrets_key").exists()
        assert ws.secrets.resolve_bytes("{{secrets/s/k}}") == b"\x00\x01"
        with ws.platform.metastore.session() as s:
            ciphertext = s.scalar(select(SecretRow.ciphertext))
        assert Fernet(key.encode()).decrypt(ciphertext) == b"\x00\x01"


def test_list_shows_keys_never_values(vault):
    listed = vault.secrets.list("llm")
    assert [s["key"] for s in listed] == ["openai"]
    assert set(listed[0]) == {"key", "last_updated_timestamp"}
    assert not hasattr(vault.services.secrets, "get")


def test_without_read_a_user_can_neither_list_nor_resolve(vault):
    bob = vault.as_principal("bob")
    with pytest.raises(PermissionDenied, match="READ"):
        bob.secrets.resolve("{{secrets/llm/openai}}")
    with pytest.raises(PermissionDenied, match="READ"):
        bob.secrets.list("llm")
    assert bob.secrets.list_scopes() == []
    vault.secrets.put_acl("llm", "bob", "READ")
    assert bob.secrets.resolve("{{secrets/llm/openai}}") == VALUE
    assert [s["name"] for s in bob.secrets.list_scopes()] == ["llm"]
    with pytest.raises(PermissionDenied, match="WRITE"):
        bob.secrets.put("llm", "other", string_value="x")
    with pytest.raises(PermissionDenied, match="MANAGE"):
        bob.secrets.put_acl("llm", "bob", "MANAGE")


def test_acl_levels_and_group_acls(vault):
    vault.groups.create("ml")
    vault.groups.update("ml", members=[int(vault.users.get("bob")["id"])])
    vault.secrets.put_acl("llm", "ml", "WRITE")
    bob = vault.as_principal("bob")
    bob.secrets.put("llm", "anthropic", string_value="a")
    bob.secrets.delete("llm", "anthropic")
    assert vault.secrets.get_acl("llm", "ml") == {"principal": "ml", "permission": "WRITE"}
    assert {a["principal"] for a in vault.secrets.list_acls("llm")} == {"admin", "ml"}
    vault.secrets.delete_acl("llm", "ml")
    with pytest.raises(PermissionDenied):
        bob.secrets.list("llm")


def test_creator_gets_manage_and_can_delete_the_scope(vault):
    bob = vault.as_principal("bob")
    bob.secrets.create_scope("bobs")
    assert bob.secrets.list_acls("bobs") == [{"principal": "bob", "permission": "MANAGE"}]
    bob.secrets.put("bobs", "k", string_value="v")
    bob.secrets.delete_scope("bobs")
    with pytest.raises(ResourceDoesNotExist):
        bob.secrets.list("bobs")


def test_bad_input(vault):
    with pytest.raises(ResourceAlreadyExists):
        vault.secrets.create_scope("llm")
    with pytest.raises(InvalidParameterValue):
        vault.secrets.create_scope("bad/name")
    with pytest.raises(InvalidParameterValue, match="exactly one"):
        vault.secrets.put("llm", "k")
    with pytest.raises(InvalidParameterValue, match="READ, WRITE, MANAGE"):
        vault.secrets.put_acl("llm", "bob", "OWN")
    with pytest.raises(ResourceDoesNotExist):
        vault.secrets.put_acl("llm", "nobody", "READ")
    with pytest.raises(InvalidParameterValue, match="reference"):
        vault.secrets.resolve("secrets/llm/openai")
    with pytest.raises(ResourceDoesNotExist):
        vault.secrets.resolve("{{secrets/llm/missing}}")


def test_no_secret_value_in_the_audit_log(vault):
    vault.secrets.put("llm", "openai", string_value=VALUE + "-2")
    vault.secrets.resolve("{{secrets/llm/openai}}")
    rows = vault.tables.read("system.access.audit").to_pylist()
    assert {"createScope", "putSecret", "resolveSecret"} <= {r["action"] for r in rows}
    assert VALUE not in repr(rows)


def test_http_get_secret_is_refused_and_bytes_round_trip(api):
    assert api.post("/api/2.0/secrets/scopes/create", json={"scope": "s"}).status_code == 200
    body = {"scope": "s", "key": "k", "bytes_value": "AAEC"}
    assert api.post("/api/2.0/secrets/put", json=body).status_code == 200
    refused = api.get("/api/2.0/secrets/get", params={"scope": "s", "key": "k"})
    assert refused.status_code == 403
    assert refused.json()["error_code"] == "PERMISSION_DENIED"
    assert "AAEC" not in refused.text
    bad = api.post("/api/2.0/secrets/put", json={"scope": "s", "key": "k", "bytes_value": "%%"})
    assert bad.status_code == 400
    missing = api.get("/api/2.0/secrets/list", params={"scope": "nope"})
    assert missing.status_code == 404
    services = api.app.state.services
    admin = services.platform.principals.principal("admin")
    assert services.secrets.resolve_bytes(admin, "{{secrets/s/k}}") == b"\x00\x01\x02"


def test_a_recreated_principal_does_not_inherit_acls(vault):
    vault.secrets.put_acl("llm", "bob", "READ")
    vault.users.delete("bob")
    vault.users.create("bob")
    with pytest.raises(PermissionDenied):
        vault.as_principal("bob").secrets.resolve("{{secrets/llm/openai}}")
    assert "bob" not in {a["principal"] for a in vault.secrets.list_acls("llm")}
