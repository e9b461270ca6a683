"""The OpenAI wire format as a fake, parametrised by what differs between servers that speak it.

OpenAI, Azure OpenAI, Mistral and vLLM-style servers share bodies but differ in auth header,
URL layout, error body and how a stream reports usage; ``Dialect`` names those differences so
each vendor's fake module stays a few lines.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from tests.fakes._common import RETRY_AFTER, answer, knob, pieces, slow, tokens, vector


@dataclass
class Dialect:
    key: str | None  # None: the server runs without a key, like most vLLM/Ollama installs
    presented_key: Callable[[Request], str | None]
    error_body: Callable[[int, str, str], dict[str, Any]]  # (status, message, type)
    stream_usage: str = "stream_options"  # or "always" (on the finish chunk, like Mistral)
    forbidden_fields: set[str] = field(default_factory=set)


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content)
    return content or ""


def _error(dialect: Dialect, status: int, message: str, kind: str) -> JSONResponse:
    headers = {"retry-after": RETRY_AFTER} if status == 429 else {}
    return JSONResponse(dialect.error_body(status, message, kind), status, headers=headers)


async def _gate(dialect: Dialect, request: Request, last: str) -> JSONResponse | None:
    """Auth, then the knobs; None means answer normally."""
    presented = dialect.presented_key(request)
    if dialect.key is not None and presented != dialect.key:
        message = f"Incorrect API key provided: {presented}."
        return _error(dialect, 401, message, "invalid_request_error")
    forced = knob(last)
    if forced == "SLOW":
        await slow(request)
    elif forced:
        return _error(dialect, int(forced), f"Forced {forced} by the fake.", "server_error")
    return None


def add_routes(
    app: FastAPI,
    dialect: Dialect,
    prefix: str,
    model_of: Callable[..., str],
    *,
    completions: bool = True,
) -> None:
    """Chat, (legacy) completions and embeddings routes under ``prefix``."""

    @app.post(prefix + "/chat/completions")
    async def chat(request: Request) -> Any:
        body = await request.json()
        last = _text(body["messages"][-1].get("content"))
        refused = await _gate(dialect, request, last)
        if refused is not None:
            return refused
        bad = dialect.forbidden_fields & set(body)
        if bad:
            return _error(dialect, 422, f"Extra inputs are not permitted: {sorted(bad)}", "invalid")
        stop = body.get("stop")
        reply = answer(
            last,
            prompt_text=" ".join(_text(m.get("content")) for m in body["messages"]),
            system=" ".join(
                _text(m.get("content")) for m in body["messages"] if m["role"] == "system"
            ),
            max_tokens=body.get("max_tokens"),
            stop=[stop] if isinstance(stop, str) else stop,
        )
        model = model_of(request, body)
        reason = "length" if reply.reason == "length" else "stop"
        counts = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
        if body.get("stream"):
            usage_wanted = (body.get("stream_options") or {}).get("include_usage")
            return StreamingResponse(
                _stream(dialect, model, reply.text, reason, counts, bool(usage_wanted)),
                media_type="text/event-stream",
            )
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": reason,
                }
            ],
            "usage": counts,
        }

    async def text_completions(request: Request) -> Any:
        body = await request.json()
        prompts = body["prompt"] if isinstance(body["prompt"], list) else [body["prompt"]]
        refused = await _gate(dialect, request, prompts[0])
        if refused is not None:
            return refused
        replies = [answer(p, prompt_text=p, max_tokens=body.get("max_tokens")) for p in prompts]
        prompt_tokens = sum(r.prompt_tokens for r in replies)
        completion_tokens = sum(r.completion_tokens for r in replies)
        return {
            "id": "cmpl-fake",
            "object": "text_completion",
            "created": int(time.time()),
            "model": model_of(request, body),
            "choices": [
                {
                    "index": i,
                    "text": r.text,
                    "finish_reason": "length" if r.reason == "length" else "stop",
                }
                for i, r in enumerate(replies)
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    if completions:
        app.post(prefix + "/completions")(text_completions)

    @app.post(prefix + "/embeddings")
    async def embeddings(request: Request) -> Any:
        body = await request.json()
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        refused = await _gate(dialect, request, str(inputs[0]))
        if refused is not None:
            return refused
        used = sum(tokens(str(t)) for t in inputs)
        return {
            "object": "list",
            "data": [
                {"object": "embedding", "index": i, "embedding": vector(str(t))}
                for i, t in enumerate(inputs)
            ],
            "model": model_of(request, body),
            "usage": {"prompt_tokens": used, "total_tokens": used},
        }


async def _stream(
    dialect: Dialect, model: str, text: str, reason: str, counts: dict[str, int], usage: bool
) -> AsyncIterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for piece in pieces(text):
        yield chunk({"content": piece})
    if dialect.stream_usage == "always":
        yield chunk({}, reason, usage=counts)
    else:
        yield chunk({}, reason)
        if usage:
            body = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model,
                    "created": int(time.time()), "choices": [], "usage": counts}  # fmt: skip
            yield f"data: {json.dumps(body)}\n\n"
    yield "data: [DONE]\n\n"
