"""One implementation of the OpenAI wire format, shared by every vendor that speaks it.

OpenAI, Azure OpenAI, Mistral and any OpenAI-compatible server (vLLM, Ollama, TGI, LM Studio,
llama.cpp) differ only in where the URL points and how the key travels; the bodies are the
same. Subclasses override ``url``, ``auth_headers`` and (for Azure) ``upstream_model``, so a
fix to the mapping lands in all of them at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from lakeai.gateway.providers.base import Provider
from lakeai.gateway.schemas import (
    chat_chunk,
    chat_response,
    completion_response,
    embeddings_response,
    new_id,
    usage,
)

# Fields the gateway uses itself and must not forward verbatim.
_GATEWAY_FIELDS = {"model", "stream", "stream_options", "extra_params"}


def upstream_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The request body minus gateway-only fields, with Databricks' ``extra_params`` merged in."""
    fields = {k: v for k, v in body.items() if k not in _GATEWAY_FIELDS}
    fields.update(body.get("extra_params") or {})
    return fields


def _usage_counts(raw: dict[str, Any] | None) -> tuple[int, int]:
    raw = raw or {}
    return int(raw.get("prompt_tokens") or 0), int(raw.get("completion_tokens") or 0)


class OpenAIWireProvider(Provider):
    """Chat, completions, embeddings and streaming over ``/chat/completions`` and friends."""

    # Whether to ask for usage on the last stream chunk (OpenAI needs it; some servers reject it).
    send_stream_options: ClassVar[bool] = True

    # -- what subclasses vary -------------------------------------------------------------
    def url(self, path: str) -> str:
        """Full URL of ``path`` (``chat/completions``, ``completions`` or ``embeddings``)."""
        raise NotImplementedError

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret(self.secret_fields[0])}"}

    def upstream_model(self) -> str | None:
        """The ``model`` sent upstream (Azure names the deployment in the URL instead)."""
        return self.model

    # -- tasks ----------------------------------------------------------------------------
    def _payload(self, body: dict[str, Any]) -> dict[str, Any]:
        payload = upstream_fields(body)
        model = self.upstream_model()
        if model:
            payload["model"] = model
        return payload

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        raw = await self.post_json(
            self.url("chat/completions"), self._payload(body), self._headers()
        )
        prompt, completion = _usage_counts(raw.get("usage"))
        choices = raw.get("choices") or [{}]
        first = choices[0]
        response = chat_response(
            self.model,
            (first.get("message") or {}).get("content") or "",
            prompt_tokens=prompt,
            completion_tokens=completion,
            finish_reason=first.get("finish_reason") or "stop",
            response_id=raw.get("id"),
        )
        response["choices"] = [_chat_choice(i, c) for i, c in enumerate(choices)]
        return response

    async def chat_stream(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Re-emit upstream chunks; the finish chunk is held back so usage can ride on it."""
        payload = {**self._payload(body), "stream": True}
        if self.send_stream_options:
            payload["stream_options"] = {"include_usage": True}
        response_id = new_id("chatcmpl")
        held: dict[str, Any] | None = None
        async for _event, raw in self.stream_sse(
            self.url("chat/completions"), payload, self._headers()
        ):
            response_id = raw.get("id") or response_id
            for choice in raw.get("choices") or []:
                delta = choice.get("delta") or {}
                chunk = chat_chunk(
                    self.model,
                    response_id,
                    content=delta.get("content"),
                    role=delta.get("role"),
                    finish_reason=choice.get("finish_reason"),
                )
                if held is not None:
                    yield held
                    held = None
                if choice.get("finish_reason"):
                    held = chunk
                else:
                    yield chunk
            if raw.get("usage"):
                held = held or chat_chunk(self.model, response_id, finish_reason="stop")
                held["usage"] = usage(*_usage_counts(raw["usage"]))
        if held is not None:
            yield held

    async def completions(self, body: dict[str, Any]) -> dict[str, Any]:
        raw = await self.post_json(self.url("completions"), self._payload(body), self._headers())
        prompt, completion = _usage_counts(raw.get("usage"))
        choices = sorted(raw.get("choices") or [], key=lambda c: c.get("index", 0))
        response = completion_response(
            self.model,
            [c.get("text") or "" for c in choices],
            prompt_tokens=prompt,
            completion_tokens=completion,
        )
        for out, choice in zip(response["choices"], choices, strict=True):
            out["finish_reason"] = choice.get("finish_reason") or "stop"
        return response

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        payload = self._payload(body)
        payload["encoding_format"] = "float"  # the gateway always answers float lists
        raw = await self.post_json(self.url("embeddings"), payload, self._headers())
        data = sorted(raw.get("data") or [], key=lambda d: d.get("index", 0))
        prompt, _ = _usage_counts(raw.get("usage"))
        return embeddings_response(
            self.model, [list(d.get("embedding") or []) for d in data], prompt_tokens=prompt
        )

    def _headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", **self.auth_headers()}


def _chat_choice(index: int, choice: dict[str, Any]) -> dict[str, Any]:
    """One upstream choice, keeping tool calls but nothing vendor-specific."""
    message = choice.get("message") or {}
    out_message: dict[str, Any] = {"role": "assistant", "content": message.get("content")}
    if message.get("tool_calls"):
        out_message["tool_calls"] = message["tool_calls"]
    if out_message["content"] is None and "tool_calls" not in out_message:
        out_message["content"] = ""
    return {
        "index": choice.get("index", index),
        "message": out_message,
        "finish_reason": choice.get("finish_reason") or "stop",
    }
