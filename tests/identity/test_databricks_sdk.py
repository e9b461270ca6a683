"""The official databricks-sdk against a live server: SCIM users, SPs, groups, tokens, OBO tokens."""

import uuid

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied, Unauthenticated
from databricks.sdk.service import iam


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def client(live_server, token: str) -> WorkspaceClient:
    return WorkspaceClient(host=live_server.url, token=token, auth_type="pat")


def test_users_create_get_list_patch_delete(dbx):
    name = unique("ann") + "@example.com"
    user = dbx.users.create(user_name=name, display_name="Ann")
    assert user.id and user.user_name == name
    assert dbx.users.get(user.id).display_name == "Ann"
    found = list(dbx.users.list(filter=f'userName eq "{name}"'))
    assert [u.id for u in found] == [user.id]
    assert name in {u.user_name for u in dbx.users.list()}
    dbx.users.patch(
        user.id,
        operations=[iam.Patch(op=iam.PatchOp.REPLACE, path="displayName", value="Ann B")],
        schemas=[iam.PatchSchema.URN_IETF_PARAMS_SCIM_API_MESSAGES_2_0_PATCH_OP],
    )
    assert dbx.users.get(user.id).display_name == "Ann B"
    dbx.users.delete(user.id)
    with pytest.raises(NotFound):
        dbx.users.get(user.id)


def test_service_principals_and_groups(dbx):
    sp = dbx.service_principals.create(display_name=unique("bot"))
    assert sp.application_id and sp.id
    assert sp.application_id in {s.application_id for s in dbx.service_principals.list()}
    group = dbx.groups.create(display_name=unique("analysts"))
    dbx.groups.patch(
        group.id,
        operations=[
            iam.Patch(op=iam.PatchOp.ADD, path="members", value=[{"value": sp.id}]),
        ],
    )
    members = dbx.groups.get(group.id).members
    assert [(m.value, m.display) for m in members] == [(sp.id, sp.display_name)]
    found = list(dbx.groups.list(filter=f'displayName eq "{group.display_name}"'))
    assert [g.id for g in found] == [group.id]
    dbx.service_principals.delete(sp.id)
    assert not dbx.groups.get(group.id).members
    dbx.groups.delete(group.id)


def test_current_user_and_non_admin_refusal(dbx, live_server):
    assert dbx.current_user.me().user_name == "admin"
    sp = dbx.service_principals.create(display_name=unique("plain"))
    obo = dbx.token_management.create_obo_token(
        sp.application_id, comment="t", lifetime_seconds=600
    )
    as_sp = client(live_server, obo.token_value)
    assert as_sp.current_user.me().user_name == sp.application_id
    with pytest.raises(PermissionDenied, match="admins"):
        as_sp.users.create(user_name=unique("mallory"))
    info = dbx.token_management.get(obo.token_info.token_id).token_info
    assert info.owner_id == int(sp.id)
    assert obo.token_info.token_id in {t.token_id for t in dbx.token_management.list()}
    dbx.token_management.delete(obo.token_info.token_id)
    with pytest.raises(Unauthenticated):
        as_sp.current_user.me()


def test_tokens_create_list_delete_then_401(dbx, live_server):
    created = dbx.tokens.create(comment=unique("ci"), lifetime_seconds=600)
    own = client(live_server, created.token_value)
    assert created.token_info.token_id in {t.token_id for t in own.tokens.list()}
    dbx.tokens.delete(created.token_info.token_id)
    with pytest.raises(Unauthenticated):
        list(own.tokens.list())
