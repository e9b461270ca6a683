"""A fake of a self-hosted OpenAI-compatible server (vLLM started with ``--api-key``).

It stands in for vLLM / Ollama / TGI, which the tests do not run here: the OpenAI routes under
``/v1``, vLLM's ``{"error": "Unauthorized"}`` for a wrong key, and its flat error body
``{"object": "error", "message", "type", "param", "code"}`` otherwise.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.fakes._openai_like import Dialect, add_routes
from tests.fakes.openai import bearer


def vllm_error(status: int, message: str, kind: str) -> dict[str, Any]:
    if status == 401:
        return {"error": "Unauthorized"}
    return {"object": "error", "message": message, "type": kind, "param": None, "code": status}


def create_app(key: str | None) -> FastAPI:
    app = FastAPI(title="fake-vllm")
    add_routes(app, Dialect(key, bearer, vllm_error), "/v1", lambda _r, body: body["model"])
    return app
