"""A fake of the Gemini API (``/v1beta/models/{model}:generateContent`` and friends).

It stands in for generativelanguage.googleapis.com, which the tests cannot reach from here:
the ``x-goog-api-key`` header (a wrong key is a **400** ``INVALID_ARGUMENT`` with reason
``API_KEY_INVALID``, as Google answers), roles ``user``/``model`` only, ``systemInstruction``,
``generationConfig``, SSE of whole partial responses for ``streamGenerateContent?alt=sse``
(usage cumulative), and ``batchEmbedContents`` without token counts.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from tests.fakes._common import RETRY_AFTER, Answer, answer, knob, pieces, slow, vector

STATUS = {400: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
FINISH = {"stop": "STOP", "length": "MAX_TOKENS", "stop_sequence": "STOP"}


def error(status: int, message: str, reason: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "code": status,
        "message": message,
        "status": STATUS.get(status, "UNKNOWN"),
    }
    if reason:
        body["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                            "domain": "googleapis.com"}]  # fmt: skip
    headers = {"retry-after": RETRY_AFTER} if status == 429 else {}
    return JSONResponse({"error": body}, status, headers=headers)


def _text(content: dict[str, Any]) -> str:
    return "".join(p.get("text", "") for p in content.get("parts") or [])


async def _gate(request: Request, key: str, text: str) -> JSONResponse | None:
    if request.headers.get("x-goog-api-key") != key:
        return error(400, "API key not valid. Please pass a valid API key.", "API_KEY_INVALID")
    forced = knob(text)
    if forced == "SLOW":
        await slow(request)
    elif forced:
        return error(int(forced), f"Forced {forced} by the fake.")
    return None


def _response(reply: Answer, model: str, text: str, finish: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {
        "content": {"role": "model", "parts": [{"text": text}]},
        "index": 0,
    }
    if finish:
        candidate["finishReason"] = FINISH[reply.reason]
    return {
        "candidates": [candidate],
        "usageMetadata": {
            "promptTokenCount": reply.prompt_tokens,
            "candidatesTokenCount": reply.completion_tokens,
            "totalTokenCount": reply.prompt_tokens + reply.completion_tokens,
        },
        "modelVersion": model,
        "responseId": "gemini-fake",
    }


def create_app(key: str) -> FastAPI:
    app = FastAPI(title="fake-gemini")

    @app.post("/v1beta/models/{model_method}")
    async def model_call(model_method: str, request: Request) -> Any:
        model, _, method = model_method.partition(":")
        body = await request.json()
        if method == "batchEmbedContents":
            return await _embed(request, key, body)
        contents = body.get("contents") or []
        if any(c.get("role") not in ("user", "model") for c in contents):
            return error(400, "Please use a valid role: user, model.")
        last = _text(contents[-1]) if contents else ""
        refused = await _gate(request, key, last)
        if refused is not None:
            return refused
        config = body.get("generationConfig") or {}
        system = _text(body.get("systemInstruction") or {})
        reply = answer(
            last,
            prompt_text=" ".join([system] + [_text(c) for c in contents]),
            system=system,
            max_tokens=config.get("maxOutputTokens"),
            stop=config.get("stopSequences"),
        )
        if method == "streamGenerateContent":
            if request.query_params.get("alt") != "sse":
                return error(400, "this fake only streams with alt=sse")
            return StreamingResponse(_events(reply, model), media_type="text/event-stream")
        if method != "generateContent":
            return error(404, f"Method {method} not found.")
        return _response(reply, model, reply.text, finish=True)

    return app


async def _embed(request: Request, key: str, body: dict[str, Any]) -> Any:
    texts = [_text(r["content"]) for r in body.get("requests") or []]
    refused = await _gate(request, key, texts[0] if texts else "")
    if refused is not None:
        return refused
    return {"embeddings": [{"values": vector(t)} for t in texts]}


async def _events(reply: Answer, model: str) -> AsyncIterator[str]:
    parts = pieces(reply.text)
    for i, piece in enumerate(parts):
        data = _response(reply, model, piece, finish=i == len(parts) - 1)
        yield f"data: {json.dumps(data)}\r\n\r\n"
