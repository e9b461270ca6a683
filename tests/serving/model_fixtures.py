"""Real MLflow pyfunc models for the model-serving tests, logged through the model registry.

The models are MLflow "models from code" (a source file that calls ``set_model``), so a worker
process loads them without importing anything from ``tests``. One echo model covers the
behaviours the tests need, driven by the request rows: ``sleep`` seconds, ``crash`` (the
process exits); and by its environment: ``SHADOW_DIR`` (it writes each request there),
``FAIL_LOAD`` (it fails to load).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ECHO_SOURCE = """
import json
import os
import time

import mlflow
from mlflow.pyfunc import PythonModel

if os.environ.get("FAIL_LOAD"):
    raise RuntimeError("this model refuses to load")


class Echo(PythonModel):
    def predict(self, context, model_input, params=None):
        rows = model_input.to_dict("records") if hasattr(model_input, "to_dict") else []
        for row in rows:
            if row.get("crash"):
                os._exit(3)
            if row.get("sleep"):
                time.sleep(float(row["sleep"]))
        out_dir = os.environ.get("SHADOW_DIR")
        if out_dir:
            name = os.path.join(out_dir, f"{os.getpid()}-{time.time_ns()}.json")
            with open(name, "w") as f:
                json.dump({"rows": rows, "token": os.environ.get("TOKEN")}, f)
        n = len(model_input)
        print(f"predicting {n} row(s)")  # to the worker's log, never into the protocol
        return [{"tag": TAG, "rows": n, "pid": os.getpid()}] * n


mlflow.models.set_model(Echo())
"""

CHAT_SOURCE = """
import mlflow
from mlflow.pyfunc import ChatModel
from mlflow.types.llm import ChatChoice, ChatCompletionResponse, ChatMessage


class Parrot(ChatModel):
    def predict(self, context, messages, params):
        text = "you said: " + messages[-1].content
        return ChatCompletionResponse(
            choices=[ChatChoice(index=0, message=ChatMessage(role="assistant", content=text))],
            model="parrot",
        )


mlflow.models.set_model(Parrot())
"""


@dataclass
class Models:
    """Names of the models logged into the live server's workspace."""

    echo: str  # version 1 tags "v1", version 2 tags "v2"
    chat: str


def log_from_code(services: Any, admin: Any, name: str, source: str, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name.replace('.', '_')}_{time.time_ns()}.py"
    path.write_text(source)
    with warnings.catch_warnings():  # mlflow's advice (type hints, ChatModel's successor)
        warnings.simplefilter("ignore")
        return int(services.models.log_pyfunc(admin, name, str(path)))


_LOGGED: dict[int, Models] = {}


def logged_models(live_server: Any, tmp_path_factory: Any) -> Models:
    """The models, logged once per live server (slow: ~10 s each on a busy machine)."""
    if id(live_server) not in _LOGGED:
        services = live_server.app.state.services
        admin = live_server.app.state.bootstrap.admin
        folder = tmp_path_factory.mktemp("model-src")
        echo, chat = "main.default.ms_echo", "main.default.ms_parrot"
        for tag in ("v1", "v2"):
            log_from_code(services, admin, echo, ECHO_SOURCE.replace("TAG", repr(tag)), folder)
        log_from_code(services, admin, chat, CHAT_SOURCE, folder)
        _LOGGED[id(live_server)] = Models(echo, chat)
    return _LOGGED[id(live_server)]


@contextmanager
def admin_client(live_server: Any) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live_server.token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=120) as client:
        yield client


def model_entity(name: str, version: str | int, entity: str | None = None, **kw: Any) -> dict:
    body = {"entity_name": name, "entity_version": str(version), **kw}
    if entity:
        body["name"] = entity
    return body


def create(http: httpx.Client, name: str, entities: list[dict], **config: Any) -> dict:
    body = {"name": name, "config": {"served_entities": entities, **config}}
    response = http.post("/api/2.0/serving-endpoints", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def invoke(http: httpx.Client, name: str, body: dict) -> httpx.Response:
    return http.post(f"/serving-endpoints/{name}/invocations", json=body)


def wait_for(condition: Any, timeout: float = 60.0, what: str = "condition") -> None:
    """Poll ``condition`` until true (an event from another process has no other signal)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
