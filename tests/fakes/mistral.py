"""A fake of api.mistral.ai (/v1/chat/completions, /v1/embeddings).

It stands in for Mistral AI, which the tests cannot reach from here: Bearer auth, Mistral's
flat error body ``{"object": "error", "message", "type", "param", "code"}``, usage on the
finish chunk of every stream, and a 422 for fields it does not know (``stream_options``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.fakes._openai_like import Dialect, add_routes
from tests.fakes.openai import bearer


def mistral_error(status: int, message: str, kind: str) -> dict[str, Any]:
    if status == 401:
        message = f"Unauthorized ({message})"
    return {"object": "error", "message": message, "type": kind, "param": None, "code": None}


def create_app(key: str) -> FastAPI:
    app = FastAPI(title="fake-mistral")
    dialect = Dialect(
        key, bearer, mistral_error, stream_usage="always", forbidden_fields={"stream_options"}
    )
    add_routes(app, dialect, "/v1", lambda _r, body: body["model"], completions=False)
    return app
