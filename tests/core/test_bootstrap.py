"""First start: the admin token (generated and saved 0600, or given), idempotent restarts."""

import stat

from lakeai import Workspace
from lakeai.errors import Unauthenticated


def test_generated_admin_token_is_saved_0600(tmp_path):
    ws = Workspace(tmp_path / "w")
    token = ws.bootstrap.new_admin_token
    assert token and token.startswith("dapi")
    path = tmp_path / "w" / ".admin_token"
    assert path.read_text().strip() == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ws.platform.principals.authenticate(token).is_admin
    ws.close()
    again = Workspace(tmp_path / "w")
    assert again.bootstrap.new_admin_token is None  # printed once only
    assert [c.name for c in again.catalogs.list()] == ["main", "system"]
    again.close()


def test_admin_token_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEAI_ADMIN_TOKEN", "dapi-given-token")
    ws = Workspace(tmp_path / "w")
    assert ws.bootstrap.new_admin_token is None
    assert not (tmp_path / "w" / ".admin_token").exists()
    assert ws.platform.principals.authenticate("dapi-given-token").name == "admin"
    ws.close()


def test_tokens_expire_and_revoke(ws):
    row = ws.platform.principals.create("user", "tess")
    token, info = ws.platform.principals.create_token(row.id, lifetime_seconds=3600)
    assert ws.platform.principals.authenticate(token).name == "tess"
    ws.platform.principals.delete_token(info.token_id)
    try:
        ws.platform.principals.authenticate(token)
    except Unauthenticated:
        pass
    else:
        raise AssertionError("a revoked token still works")
    stored = {t.token_hash for t in ws.platform.principals.list_tokens()}
    assert token not in stored
