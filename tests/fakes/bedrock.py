"""A fake of the Bedrock Runtime API (``/model/{id}/converse``, ``converse-stream``, ``invoke``).

It stands in for bedrock-runtime.<region>.amazonaws.com, which the tests cannot reach from
here. It checks the SigV4 ``Authorization`` header by recomputing the signature over the
request exactly as received (so a body or header changed after signing is refused), answers
AWS's error shape (``x-amzn-ErrorType`` header, ``{"message": ...}`` body), and streams
Converse events as AWS binary event-stream frames. Embeddings follow Titan text v2.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from lakeai.gateway.providers._eventstream import encode
from lakeai.gateway.providers._sigv4 import sign
from tests.fakes._common import RETRY_AFTER, Answer, answer, knob, pieces, slow, tokens, vector

STOP = {"stop": "end_turn", "length": "max_tokens", "stop_sequence": "stop_sequence"}
ERRORS = {400: "ValidationException", 403: "AccessDeniedException", 429: "ThrottlingException",
          500: "InternalServerException", 503: "ServiceUnavailableException"}  # fmt: skip
AUTH = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/bedrock/"
    r"aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<sig>[0-9a-f]{64})"
)


def error(status: int, message: str, kind: str | None = None) -> JSONResponse:
    headers = {
        "x-amzn-ErrorType": f"{kind or ERRORS.get(status, 'InternalServerException')}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    }
    if status == 429:
        headers["retry-after"] = RETRY_AFTER
    return JSONResponse({"message": message}, status, headers=headers)


async def _check_signature(
    request: Request, access_key: str, secret_key: str
) -> JSONResponse | None:
    match = AUTH.fullmatch(request.headers.get("authorization", ""))
    if not match:
        return error(
            403,
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'.",
            "IncompleteSignatureException",
        )
    if match["key"] != access_key:
        return error(
            403,
            "The security token included in the request is invalid.",
            "UnrecognizedClientException",
        )
    signed = match["signed"].split(";")
    headers = {h: request.headers[h] for h in signed if h not in ("host", "x-amz-date")}
    stamp = datetime.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    # The path exactly as sent (model ids travel with ":" as %3A, and SigV4 encodes it again).
    url = f"http://{request.headers['host']}{request.scope['raw_path'].decode()}"
    token = headers.pop("x-amz-security-token", None)
    expected = sign(
        request.method, url, headers, await request.body(),
        access_key=access_key, secret_key=secret_key, region=match["region"],
        service="bedrock", session_token=token,
        now=stamp.replace(tzinfo=None),
    )  # fmt: skip
    if expected["Authorization"] != request.headers["authorization"]:
        return error(
            403,
            "The request signature we calculated does not match the signature you provided.",
            "InvalidSignatureException",
        )
    return None


def _text(message: dict[str, Any]) -> str:
    return "".join(b.get("text", "") for b in message.get("content") or [])


def create_app(access_key: str, secret_key: str) -> FastAPI:
    app = FastAPI(title="fake-bedrock-runtime")

    @app.post("/model/{model_id}/{action}")
    async def model_call(model_id: str, action: str, request: Request) -> Any:
        refused = await _check_signature(request, access_key, secret_key)
        if refused is not None:
            return refused
        body = await request.json()
        if action == "invoke":
            return _embed(body)
        messages = body.get("messages") or []
        roles = [m.get("role") for m in messages]
        if not roles or roles[0] != "user" or any(a == b for a, b in itertools.pairwise(roles)):
            return error(400, "A conversation must start with a user message and alternate roles.")
        last = _text(messages[-1])
        forced = knob(last)
        if forced == "SLOW":
            await slow(request)
        elif forced:
            return error(int(forced), f"Forced {forced} by the fake.")
        config = body.get("inferenceConfig") or {}
        system = " ".join(b["text"] for b in body.get("system") or [])
        reply = answer(last, prompt_text=" ".join([system] + [_text(m) for m in messages]),
                       system=system, max_tokens=config.get("maxTokens"),
                       stop=config.get("stopSequences"))  # fmt: skip
        if action == "converse-stream":
            return StreamingResponse(
                _frames(reply), media_type="application/vnd.amazon.eventstream"
            )
        if action != "converse":
            return error(404, f"Unknown operation {action}", "ResourceNotFoundException")
        return {
            "output": {"message": {"role": "assistant", "content": [{"text": reply.text}]}},
            "stopReason": STOP[reply.reason],
            "usage": _usage(reply),
            "metrics": {"latencyMs": 1},
        }

    return app


def _usage(reply: Answer) -> dict[str, int]:
    return {"inputTokens": reply.prompt_tokens, "outputTokens": reply.completion_tokens,
            "totalTokens": reply.prompt_tokens + reply.completion_tokens}  # fmt: skip


def _embed(body: dict[str, Any]) -> Any:
    text = body.get("inputText")
    if not isinstance(text, str):
        return error(400, "Malformed input request: #: required key [inputText] not found")
    forced = knob(text)
    if forced and forced != "SLOW":
        return error(int(forced), f"Forced {forced} by the fake.")
    return {"embedding": vector(text), "inputTextTokenCount": tokens(text)}


def _frames(reply: Answer) -> Iterator[bytes]:
    def frame(event: str, payload: dict[str, Any]) -> bytes:
        headers = {
            ":event-type": event,
            ":content-type": "application/json",
            ":message-type": "event",
        }
        return encode(headers, payload)

    yield frame("messageStart", {"role": "assistant"})
    for piece in pieces(reply.text):
        yield frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}})
    yield frame("contentBlockStop", {"contentBlockIndex": 0})
    yield frame("messageStop", {"stopReason": STOP[reply.reason]})
    yield frame("metadata", {"usage": _usage(reply), "metrics": {"latencyMs": 1}})


def stream_exception(kind: str, message: str) -> bytes:
    """An exception frame, as AWS sends mid-stream (used by the mapping tests)."""
    return encode({":message-type": "exception", ":exception-type": kind,
                   ":content-type": "application/json"}, {"message": message})  # fmt: skip
