"""The official databricks-sdk against a live server: scopes, secrets, ACLs; values never come back."""

import base64
import uuid

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied
from databricks.sdk.service.workspace import AclPermission


def test_secrets_round_trip_without_reading_values(dbx, live_server):
    scope = f"scope-{uuid.uuid4().hex[:8]}"
    dbx.secrets.create_scope(scope)
    assert scope in {s.name for s in dbx.secrets.list_scopes()}
    dbx.secrets.put_secret(scope, "api-key", string_value="sk-very-secret")
    dbx.secrets.put_secret(scope, "blob", bytes_value=base64.b64encode(b"\x00\xff").decode())
    keys = {s.key: s.last_updated_timestamp for s in dbx.secrets.list_secrets(scope)}
    assert set(keys) == {"api-key", "blob"} and all(keys.values())
    with pytest.raises(PermissionDenied, match="resolves"):
        dbx.secrets.get_secret(scope, "api-key")

    sp = dbx.service_principals.create(display_name=f"reader-{uuid.uuid4().hex[:6]}")
    token = dbx.token_management.create_obo_token(sp.application_id).token_value
    reader = WorkspaceClient(host=live_server.url, token=token, auth_type="pat")
    with pytest.raises(PermissionDenied, match="READ"):
        list(reader.secrets.list_secrets(scope))
    dbx.secrets.put_acl(scope, sp.application_id, AclPermission.READ)
    acls = {a.principal: a.permission for a in dbx.secrets.list_acls(scope)}
    assert acls == {"admin": AclPermission.MANAGE, sp.application_id: AclPermission.READ}
    assert dbx.secrets.get_acl(scope, sp.application_id).permission == AclPermission.READ
    assert {s.key for s in reader.secrets.list_secrets(scope)} == {"api-key", "blob"}
    with pytest.raises(PermissionDenied, match="WRITE"):
        reader.secrets.put_secret(scope, "x", string_value="y")

    dbx.secrets.delete_secret(scope, "blob")
    assert [s.key for s in dbx.secrets.list_secrets(scope)] == ["api-key"]
    dbx.secrets.delete_acl(scope, sp.application_id)
    dbx.secrets.delete_scope(scope)
    assert scope not in {s.name for s in dbx.secrets.list_scopes()}
    with pytest.raises(NotFound):
        list(dbx.secrets.list_secrets(scope))
