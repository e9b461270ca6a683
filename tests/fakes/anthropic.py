"""A fake of Anthropic's Messages API (``POST /v1/messages``).

It stands in for api.anthropic.com, which the tests cannot reach from here. It enforces what
the real API enforces and the OpenAI format does not: ``x-api-key`` and ``anthropic-version``
headers, a required ``max_tokens``, no ``system`` role inside ``messages`` (the prompt goes in
the top-level ``system``), alternating turns starting with ``user``. Streams are typed SSE
events, errors ``{"type": "error", "error": {"type", "message"}}``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from tests.fakes._common import RETRY_AFTER, Answer, answer, knob, pieces, slow

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
               429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}  # fmt: skip
STOP = {"stop": "end_turn", "length": "max_tokens", "stop_sequence": "stop_sequence"}


def error(status: int, message: str) -> JSONResponse:
    body = {
        "type": "error",
        "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message},
    }
    headers = {"retry-after": RETRY_AFTER} if status == 429 else {}
    return JSONResponse(body, status, headers=headers)


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(b.get("text", "") for b in content if b.get("type") == "text")
    return content or ""


def _invalid(body: dict[str, Any]) -> str | None:
    if "max_tokens" not in body:
        return "max_tokens: Field required"
    roles = [m.get("role") for m in body.get("messages") or []]
    if not roles or any(r not in ("user", "assistant") for r in roles):
        return "messages: roles must be 'user' or 'assistant' (use the top-level system field)"
    if roles[0] != "user" or any(a == b for a, b in itertools.pairwise(roles)):
        return "messages: roles must alternate between 'user' and 'assistant', starting with user"
    return None


def create_app(key: str) -> FastAPI:
    app = FastAPI(title="fake-anthropic")

    @app.post("/v1/messages")
    async def messages(request: Request) -> Any:
        if request.headers.get("x-api-key") != key:
            return error(401, f"invalid x-api-key {request.headers.get('x-api-key')}")
        if not request.headers.get("anthropic-version"):
            return error(400, "anthropic-version: header is required")
        body = await request.json()
        problem = _invalid(body)
        if problem:
            return error(400, problem)
        last = _text(body["messages"][-1]["content"])
        forced = knob(last)
        if forced == "SLOW":
            await slow(request)
        elif forced:
            return error(int(forced), f"Forced {forced} by the fake.")
        reply = answer(
            last,
            prompt_text=" ".join(
                [body.get("system", "")] + [_text(m["content"]) for m in body["messages"]]
            ),
            system=body.get("system", ""),
            max_tokens=body["max_tokens"],
            stop=body.get("stop_sequences"),
        )
        if body.get("stream"):
            return StreamingResponse(_events(body["model"], reply), media_type="text/event-stream")
        return {
            "id": "msg_fake01",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": reply.text}],
            "stop_reason": STOP[reply.reason],
            "stop_sequence": None,
            "usage": {
                "input_tokens": reply.prompt_tokens,
                "output_tokens": reply.completion_tokens,
            },
        }

    return app


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps({'type': event, **data})}\n\n"


async def _events(model: str, reply: Answer) -> AsyncIterator[str]:
    start = {"id": "msg_fake01", "type": "message", "role": "assistant", "model": model,
             "content": [], "stop_reason": None,
             "usage": {"input_tokens": reply.prompt_tokens, "output_tokens": 1}}  # fmt: skip
    yield _sse("message_start", {"message": start})
    yield _sse("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
    yield _sse("ping", {})
    for piece in pieces(reply.text):
        yield _sse(
            "content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}}
        )
    yield _sse("content_block_stop", {"index": 0})
    yield _sse(
        "message_delta",
        {"delta": {"stop_reason": STOP[reply.reason], "stop_sequence": None},
         "usage": {"output_tokens": reply.completion_tokens}},
    )  # fmt: skip
    yield _sse("message_stop", {})
