"""Running ``lakeai`` in-process with ``typer.testing.CliRunner``, in-process or remote."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

Run = Callable[..., Any]


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:8]


def invoke(args: list[str], *, input: str | None = None, env: dict | None = None) -> Any:
    from lakeai.cli.main import app

    return CliRunner().invoke(app, args, input=input, env=env, catch_exceptions=False)


@pytest.fixture(params=["local", "remote"])
def cli(request, tmp_path: Path) -> Run:
    """``cli("tables", "list", ...)`` against a tmp workspace or the live server."""
    if request.param == "local":
        prefix = ["--workspace", str(tmp_path / "ws")]
    else:
        server = request.getfixturevalue("live_server")
        prefix = ["--host", server.url, "--token", server.token]

    def run(*args: str, input: str | None = None, ok: bool = True, env: dict | None = None):
        result = invoke([*prefix, *args], input=input, env=env)
        if ok:
            assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    run.target = request.param  # type: ignore[attr-defined]
    return run


def as_json(result: Any) -> Any:
    return json.loads(result.stdout)
