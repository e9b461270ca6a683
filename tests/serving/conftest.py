"""Fixtures for serving tests: fake vendor upstreams (tests/fakes) and endpoint builders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from tests.fakes import openai as fake_openai
from tests.fakes.server import free_port, serve
from tests.serving.model_fixtures import Models, admin_client, logged_models

FAKE_KEY = "sk-fake-upstream-key-0123456789"


@pytest.fixture(scope="session")
def upstream() -> Iterator[str]:
    """A fake OpenAI (it stands in for api.openai.com, which tests cannot reach)."""
    with serve(fake_openai.create_app(FAKE_KEY)) as url:
        yield url + "/v1"


def _always(status: int) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def refuse() -> JSONResponse:
        body = {"error": {"message": f"forced {status}", "type": "server_error", "code": None}}
        return JSONResponse(body, status_code=status, headers={"retry-after": "3"})

    return app


@pytest.fixture(scope="session")
def upstream_429() -> Iterator[str]:
    """An OpenAI-wire upstream that always answers 429 (a vendor out of quota)."""
    with serve(_always(429)) as url:
        yield url + "/v1"


@pytest.fixture(scope="session")
def dead_upstream() -> str:
    """A loopback port nothing listens on (an unreachable vendor)."""
    return f"http://127.0.0.1:{free_port()}/v1"


def openai_entity(
    name: str, base: str, *, task: str = "llm/v1/chat", model: str = "gpt-4o-mini"
) -> dict[str, Any]:
    return {
        "name": name,
        "external_model": {
            "provider": "openai",
            "name": model,
            "task": task,
            "openai_config": {
                "openai_api_key": "{{secrets/vendor/openai}}",
                "openai_api_base": base,
            },
        },
    }


@pytest.fixture
def vendor_secret(api) -> str:
    """The fake's key stored as the secret ``vendor/openai`` in the test workspace."""
    api.post("/api/2.0/secrets/scopes/create", json={"scope": "vendor"})
    response = api.post(
        "/api/2.0/secrets/put", json={"scope": "vendor", "key": "openai", "string_value": FAKE_KEY}
    )
    assert response.status_code == 200, response.text
    return FAKE_KEY


@pytest.fixture
def make_endpoint(api, vendor_secret):
    def make(name: str, entities: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        body = {
            "name": name,
            "config": {"served_entities": entities, **extra.pop("config", {})},
            **extra,
        }
        response = api.post("/api/2.0/serving-endpoints", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    return make


def chat(api, endpoint: str, text: str = "hello there", **kw: Any):
    body = {"messages": [{"role": "user", "content": text}], **kw}
    return api.post(f"/serving-endpoints/{endpoint}/invocations", json=body)


# -- registered-model serving (test_model_serving*.py) ------------------------------------------
@pytest.fixture(scope="module")
def models(live_server, tmp_path_factory) -> Models:
    """The test pyfunc models, logged once per test module."""
    return logged_models(live_server, tmp_path_factory)


@pytest.fixture(scope="module")
def http(live_server) -> Iterator[httpx.Client]:
    with admin_client(live_server) as client:
        yield client
