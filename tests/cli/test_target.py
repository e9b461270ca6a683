"""Choosing the target: --workspace beats LAKEAI_HOST; a server needs a token."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import invoke


def test_explicit_workspace_beats_the_host_from_the_environment(tmp_path: Path) -> None:
    env = {"LAKEAI_HOST": "http://127.0.0.1:9", "LAKEAI_TOKEN": "x"}
    result = invoke(["--workspace", str(tmp_path / "ws"), "catalogs", "list", "--json"], env=env)
    assert result.exit_code == 0 and '"main"' in result.stdout


def test_workspace_from_the_environment(tmp_path: Path) -> None:
    result = invoke(["catalogs", "list"], env={"LAKEAI_WORKSPACE": str(tmp_path / "w")})
    assert result.exit_code == 0 and "main" in result.stdout
    assert (tmp_path / "w" / ".admin_token").exists()


def test_a_server_without_a_token_is_a_clear_error() -> None:
    result = invoke(["--host", "http://127.0.0.1:9", "catalogs", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error UNAUTHENTICATED: No token for http://127.0.0.1:9")


def test_an_unreachable_server_is_one_line() -> None:
    result = invoke(["--host", "http://127.0.0.1:9", "--token", "t", "catalogs", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error TEMPORARILY_UNAVAILABLE: Cannot reach LakeAI")


def test_serve_names_where_the_admin_token_came_from(tmp_path: Path, monkeypatch, capsys) -> None:
    from lakeai.bootstrap import BootstrapResult
    from lakeai.cli.serve import _announce

    monkeypatch.setenv("LAKEAI_ADMIN_TOKEN", "dapi-given")
    _announce(BootstrapResult(admin=None, new_admin_token=None, token_file=None), tmp_path, True)  # type: ignore[arg-type]
    assert "LAKEAI_ADMIN_TOKEN" in capsys.readouterr().out
    _announce(BootstrapResult(admin=None, new_admin_token=None, token_file=None), tmp_path, False)  # type: ignore[arg-type]
    assert str(tmp_path / ".admin_token") in capsys.readouterr().out
