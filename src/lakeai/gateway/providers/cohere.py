"""Cohere's v2 API (``/v2/chat``, ``/v2/embed``) behind the OpenAI schema.

v2 chat takes OpenAI-like ``messages`` but answers content blocks, upper-case finish reasons
and usage under ``usage.tokens``; its streams are typed events (``content-delta``,
``message-end``). Embeddings need an ``input_type``; ``search_document`` is the default because
the gateway's main embedding caller is a vector index embedding table rows (a caller embedding
queries passes ``input_type: search_query``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from lakeai.gateway.providers.anthropic import text_of
from lakeai.gateway.providers.base import Provider, ProviderCapabilities, register
from lakeai.gateway.schemas import chat_chunk, chat_response, embeddings_response, new_id, usage

DEFAULT_BASE = "https://api.cohere.com"
FINISH_REASONS = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
    "ERROR": "stop",
    "TIMEOUT": "length",
}
_PASSTHROUGH = ("temperature", "max_tokens", "seed", "frequency_penalty", "presence_penalty")


def to_chat_request(body: dict[str, Any], model: str) -> dict[str, Any]:
    messages = [
        {
            "role": "system" if m["role"] == "developer" else m["role"],
            "content": text_of(m.get("content")),
        }
        for m in body["messages"]
    ]
    payload: dict[str, Any] = {"model": model, "messages": messages}
    payload.update({k: body[k] for k in _PASSTHROUGH if k in body})
    if "top_p" in body:
        payload["p"] = body["top_p"]
    stop = body.get("stop")
    if stop:
        payload["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    payload.update(body.get("extra_params") or {})
    return payload


def _tokens(raw_usage: dict[str, Any] | None) -> tuple[int, int]:
    """Token counts, preferring ``tokens`` (what ran) over ``billed_units`` (what is billed)."""
    raw_usage = raw_usage or {}
    counts = raw_usage.get("tokens") or raw_usage.get("billed_units") or {}
    return int(counts.get("input_tokens") or 0), int(counts.get("output_tokens") or 0)


@register
class CohereProvider(Provider):
    name = "cohere"
    config_key = "cohere_config"
    capabilities = ProviderCapabilities(chat=True, embeddings=True, streaming=True)
    required_fields = ("cohere_api_key",)
    secret_fields = ("cohere_api_key",)
    base_url_fields = ("cohere_api_base",)

    def _url(self, path: str) -> str:
        return f"{self.config.get('cohere_api_base') or DEFAULT_BASE}/v2/{path}"

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.secret('cohere_api_key')}",
            "Content-Type": "application/json",
        }

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        raw = await self.post_json(
            self._url("chat"), to_chat_request(body, self.model), self._headers()
        )
        blocks = (raw.get("message") or {}).get("content") or []
        prompt, completion = _tokens(raw.get("usage"))
        return chat_response(
            self.model,
            "".join(b.get("text", "") for b in blocks if b.get("type") == "text"),
            prompt_tokens=prompt,
            completion_tokens=completion,
            finish_reason=FINISH_REASONS.get(raw.get("finish_reason") or "COMPLETE", "stop"),
            response_id=raw.get("id"),
        )

    async def chat_stream(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        payload = {**to_chat_request(body, self.model), "stream": True}
        response_id = new_id("chatcmpl")
        async for event, data in self.stream_sse(self._url("chat"), payload, self._headers()):
            kind = data.get("type") or event
            if kind == "message-start":
                response_id = data.get("id") or response_id
                yield chat_chunk(self.model, response_id, role="assistant", content="")
            elif kind == "content-delta":
                text = ((data.get("delta") or {}).get("message") or {}).get("content") or {}
                if text.get("text"):
                    yield chat_chunk(self.model, response_id, content=text["text"])
            elif kind == "message-end":
                delta = data.get("delta") or {}
                reason = FINISH_REASONS.get(delta.get("finish_reason") or "COMPLETE", "stop")
                yield chat_chunk(
                    self.model,
                    response_id,
                    finish_reason=reason,
                    usage_counts=usage(*_tokens(delta.get("usage"))),
                )
                return

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        payload: dict[str, Any] = {
            "model": self.model,
            "texts": [str(t) for t in texts],
            "input_type": body.get("input_type", "search_document"),
            "embedding_types": ["float"],
        }
        payload.update(body.get("extra_params") or {})
        raw = await self.post_json(self._url("embed"), payload, self._headers())
        vectors = (raw.get("embeddings") or {}).get("float") or []
        billed = ((raw.get("meta") or {}).get("billed_units") or {}).get("input_tokens") or 0
        return embeddings_response(self.model, vectors, prompt_tokens=int(billed))
