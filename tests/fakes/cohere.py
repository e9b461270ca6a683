"""A fake of Cohere's v2 API (``POST /v2/chat``, ``POST /v2/embed``).

It stands in for api.cohere.com, which the tests cannot reach from here: Bearer auth, error
body ``{"message": ...}``, chat answers as content blocks with upper-case ``finish_reason`` and
``usage.tokens`` / ``usage.billed_units``, streams as typed events (``message-start``,
``content-delta``, ``message-end``), and ``embed`` requiring ``input_type``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from tests.fakes._common import RETRY_AFTER, Answer, answer, knob, slow, tokens, vector
from tests.fakes._common import pieces as split

FINISH = {"stop": "COMPLETE", "length": "MAX_TOKENS", "stop_sequence": "STOP_SEQUENCE"}


def error(status: int, message: str) -> JSONResponse:
    headers = {"retry-after": RETRY_AFTER} if status == 429 else {}
    return JSONResponse({"id": "err-fake", "message": message}, status, headers=headers)


async def _gate(request: Request, key: str, text: str) -> JSONResponse | None:
    presented = request.headers.get("authorization", "").removeprefix("Bearer ")
    if presented != key:
        return error(401, f"invalid api token {presented}")
    forced = knob(text)
    if forced == "SLOW":
        await slow(request)
    elif forced:
        return error(int(forced), f"Forced {forced} by the fake.")
    return None


def _usage(reply: Answer) -> dict[str, Any]:
    counts = {"input_tokens": reply.prompt_tokens, "output_tokens": reply.completion_tokens}
    return {"billed_units": counts, "tokens": counts}


def create_app(key: str) -> FastAPI:
    app = FastAPI(title="fake-cohere")

    @app.post("/v2/chat")
    async def chat(request: Request) -> Any:
        body = await request.json()
        last = body["messages"][-1]["content"]
        refused = await _gate(request, key, last)
        if refused is not None:
            return refused
        reply = answer(
            last,
            prompt_text=" ".join(m["content"] for m in body["messages"]),
            system=" ".join(m["content"] for m in body["messages"] if m["role"] == "system"),
            max_tokens=body.get("max_tokens"),
            stop=body.get("stop_sequences"),
        )
        if body.get("stream"):
            return StreamingResponse(_events(reply), media_type="text/event-stream")
        return {
            "id": "chat-fake",
            "finish_reason": FINISH[reply.reason],
            "message": {"role": "assistant", "content": [{"type": "text", "text": reply.text}]},
            "usage": _usage(reply),
        }

    @app.post("/v2/embed")
    async def embed(request: Request) -> Any:
        body = await request.json()
        refused = await _gate(request, key, body["texts"][0] if body.get("texts") else "")
        if refused is not None:
            return refused
        if "input_type" not in body:
            return error(400, "invalid request: input_type is required for embed models v3+")
        used = sum(tokens(t) for t in body["texts"])
        return {
            "id": "embed-fake",
            "texts": body["texts"],
            "embeddings": {"float": [vector(t) for t in body["texts"]]},
            "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": used}},
        }

    return app


def _sse(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"


async def _events(reply: Answer) -> AsyncIterator[str]:
    yield _sse("message-start", {"id": "chat-fake", "delta": {"message": {"role": "assistant"}}})
    yield _sse(
        "content-start",
        {"index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
    )
    for piece in split(reply.text):
        yield _sse(
            "content-delta", {"index": 0, "delta": {"message": {"content": {"text": piece}}}}
        )
    yield _sse("content-end", {"index": 0})
    yield _sse(
        "message-end", {"delta": {"finish_reason": FINISH[reply.reason], "usage": _usage(reply)}}
    )
