"""Querying endpoints: Databricks' invocations path and the OpenAI-compatible paths.

``POST /serving-endpoints/{name}/invocations`` takes the body of the endpoint's task;
``/serving-endpoints/{chat/completions,completions,embeddings,models}`` and ``/v1/...`` take
OpenAI's bodies with ``model`` naming the endpoint. ``"stream": true`` answers server-sent
events, each ``data: <chunk>``, ending with ``data: [DONE]``.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from lakeai.errors import InvalidParameterValue, LakeAIError
from lakeai.gateway.schemas import CHAT, COMPLETIONS, EMBEDDINGS
from lakeai.server.bodies import json_object
from lakeai.server.deps import PrincipalDep, ServicesDep

router = APIRouter(tags=["invocations"])

OPENAI_TASKS = {"chat/completions": CHAT, "completions": COMPLETIONS, "embeddings": EMBEDDINGS}


def _sse(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    async def events() -> AsyncIterator[bytes]:
        try:
            async for chunk in chunks:
                yield b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"
        except LakeAIError as exc:
            error = {
                "error": {
                    "message": exc.message,
                    "type": exc.error_code.lower(),
                    "code": exc.error_code,
                }
            }
            yield b"data: " + json.dumps(error).encode() + b"\n\n"
        yield b"data: [DONE]\n\n"

    return events()


def _encode_base64(response: dict[str, Any]) -> dict[str, Any]:
    for item in response.get("data", []):
        vector = item.get("embedding")
        if isinstance(vector, list):
            item["embedding"] = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
    return response


async def _query(
    name: str, body: dict[str, Any], s: Any, p: Any, expected_task: str | None = None
) -> Any:
    service = s.serving_endpoints
    snap = service.snapshot(name)
    if expected_task and snap.task != expected_task:
        raise InvalidParameterValue(f"Endpoint {name} serves {snap.task}, not {expected_task}.")
    encoding = body.pop("encoding_format", None) if snap.task == EMBEDDINGS else None
    if encoding not in (None, "float", "base64"):
        raise InvalidParameterValue("encoding_format must be 'float' or 'base64'.")
    if body.get("stream") and snap.task != EMBEDDINGS:
        served, chunks = await service.aquery_stream(p, name, body)
        return StreamingResponse(
            _sse(chunks), media_type="text/event-stream", headers={"served-model-name": served}
        )
    result = await service.aquery(p, name, body)
    response = _encode_base64(result.response) if encoding == "base64" else result.response
    return JSONResponse(response, headers={"served-model-name": result.served_entity})


@router.post("/serving-endpoints/{name}/invocations")
async def invocations(name: str, request: Request, s: ServicesDep, p: PrincipalDep) -> Any:
    return await _query(name, await json_object(request), s, p)


def _model_of(body: dict[str, Any]) -> str:
    model = body.pop("model", None)
    if not isinstance(model, str) or not model:
        raise InvalidParameterValue("model is required: the name of the serving endpoint to call.")
    return model


async def _openai(path: str, request: Request, s: Any, p: Any) -> Any:
    body = await json_object(request)
    return await _query(_model_of(body), body, s, p, OPENAI_TASKS[path])


def _models(s: Any, p: Any) -> dict[str, Any]:
    endpoints = s.serving_endpoints.list(p)
    data = [
        {
            "id": e["name"],
            "object": "model",
            "created": e["creation_timestamp"] // 1000,
            "owned_by": e["creator"],
        }
        for e in endpoints
    ]
    return {"object": "list", "data": data}


for _prefix in ("/serving-endpoints", "/v1"):
    for _path in OPENAI_TASKS:

        async def _route(
            request: Request, s: ServicesDep, p: PrincipalDep, _path: str = _path
        ) -> Any:
            return await _openai(_path, request, s, p)

        router.add_api_route(
            f"{_prefix}/{_path}", _route, methods=["POST"], name=f"{_prefix}/{_path}"
        )

    def _list(s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
        return _models(s, p)

    router.add_api_route(f"{_prefix}/models", _list, methods=["GET"], name=f"{_prefix}/models")
