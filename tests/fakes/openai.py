"""A fake of api.openai.com (/v1/chat/completions, /v1/completions, /v1/embeddings).

It stands in for OpenAI, which the tests cannot reach from here: Bearer auth, OpenAI's error
body ``{"error": {"message", "type", "param", "code"}}``, SSE chunks ending in ``[DONE]``, and
usage on a final empty-choices chunk only when ``stream_options.include_usage`` is asked for.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from tests.fakes._openai_like import Dialect, add_routes


def bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    return value[7:] if value.lower().startswith("bearer ") else None


def openai_error(status: int, message: str, kind: str) -> dict[str, Any]:
    codes = {401: "invalid_api_key", 429: "rate_limit_exceeded"}
    return {"error": {"message": message, "type": kind, "param": None, "code": codes.get(status)}}


def create_app(key: str) -> FastAPI:
    app = FastAPI(title="fake-openai")
    add_routes(app, Dialect(key, bearer, openai_error), "/v1", lambda _r, body: body["model"])
    return app
