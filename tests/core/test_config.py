"""Settings: resolution order, validation, and that every setting is documented."""

from pathlib import Path

import pytest

from lakeai.core.config import SETTINGS, resolve_settings
from lakeai.errors import InvalidParameterValue

DOCS = Path(__file__).parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented():
    text = DOCS.read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text, setting.name
        assert f"`{setting.env_var}`" in text, setting.env_var


def test_argument_beats_env_beats_file_beats_default(tmp_path, monkeypatch):
    (tmp_path / "lakeai.yaml").write_text("port: 9001\nsql_max_rows: 5\n")
    assert resolve_settings(workspace=str(tmp_path)).port == 9001
    monkeypatch.setenv("LAKEAI_PORT", "9002")
    assert resolve_settings(workspace=str(tmp_path)).port == 9002
    assert resolve_settings(workspace=str(tmp_path), port=9003).port == 9003
    assert resolve_settings(workspace=str(tmp_path)).sql_max_rows == 5
    assert resolve_settings(workspace=str(tmp_path / "other")).sql_max_rows == 100_000


def test_bad_settings_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEAI_PORT", "eighty")
    with pytest.raises(InvalidParameterValue, match="LAKEAI_PORT"):
        resolve_settings(workspace=str(tmp_path))
    monkeypatch.delenv("LAKEAI_PORT")
    (tmp_path / "lakeai.yaml").write_text("colour: blue\n")
    with pytest.raises(InvalidParameterValue, match="colour"):
        resolve_settings(workspace=str(tmp_path))


def test_booleans_parse_words(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEAI_GATEWAY_ALLOW_LINK_LOCAL", "false")
    assert resolve_settings(workspace=str(tmp_path)).gateway_allow_link_local is False
    monkeypatch.setenv("LAKEAI_GATEWAY_ALLOW_LINK_LOCAL", "yes")
    assert resolve_settings(workspace=str(tmp_path)).gateway_allow_link_local is True
    monkeypatch.setenv("LAKEAI_GATEWAY_ALLOW_LINK_LOCAL", "maybe")
    with pytest.raises(InvalidParameterValue, match="true or false"):
        resolve_settings(workspace=str(tmp_path))
