"""The support-bot example against a server: loaded through ``lakeai.connect``, asked over HTTP.

Its own server (not the shared ``live_server``), since the example owns ``main.shop`` and
``main.support``. The chain is logged with MLflow's client against the server, and its served
entities reach LakeAI through ``LAKEAI_HOST`` and a token kept in a secret.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.fakes.server import free_port

QUESTION = "Please, I want to return my last order"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Any]]:
    import uvicorn

    from lakeai.server.app import create_app

    app = create_app(tmp_path_factory.mktemp("support-remote") / "ws")
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)  # waiting for uvicorn's started flag, bounded by the deadline
    yield f"http://127.0.0.1:{port}", app.state.bootstrap.new_admin_token, app
    runner.should_exit = True
    thread.join(timeout=20)


def test_load_over_rest_then_ask_through_the_endpoint(server: tuple[str, str, Any]) -> None:
    import lakeai
    from lakeai.cli.main import app as cli
    from lakeai.examples.support_bot import load

    url, token, app = server
    with lakeai.connect(url, token) as ws, pytest.MonkeyPatch.context() as env:
        env.delenv("OPENAI_API_KEY", raising=False)  # the offline chat model, always
        result = load(ws)
        steps = dict((s, d) for s, d, _ in result.steps)
        assert "support-bot serves v1 and v2" in steps["chain"]
        versions = ws.models.list_versions("main.support.bot")
        assert sorted(int(v["version"]) for v in versions) == [1, 2]
        entity = ws.serving_endpoints.get("support-bot")["config"]["served_entities"][0]
        assert entity["environment_vars"]["LAKEAI_TOKEN"] == "{{secrets/support_bot/lakeai_token}}"
    args = ["demo", "ask", QUESTION, "--customer", "C123", "--host", url, "--token", token]
    answer = json.loads(CliRunner().invoke(cli, [*args, "--json"]).stdout)
    expected = "cancel_order" if answer["version"] == 2 else "answer"
    assert answer["action"] == expected and answer["served_by"] == f"bot-v{answer['version']}"
    services = app.state.services
    services.inference_tables.writer.flush()
    rows = services.tables.read(app.state.bootstrap.admin, "main.support.support_bot_payload")
    assert rows.num_rows == 1
