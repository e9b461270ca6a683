"""Anthropic's Messages API (``/v1/messages``) behind the OpenAI chat schema.

The mapping is where the two formats disagree: system messages travel in a top-level
``system`` field, ``max_tokens`` is mandatory (OpenAI callers often omit it), ``stop`` is
``stop_sequences``, the answer is a list of content blocks, and streams are typed events
(``message_start`` ... ``message_stop``) rather than ready-made chunks.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from lakeai.gateway.providers.base import Provider, ProviderCapabilities, register
from lakeai.gateway.schemas import chat_chunk, chat_response, new_id, usage

DEFAULT_BASE = "https://api.anthropic.com"
DEFAULT_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024
STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
}
# OpenAI fields with the same meaning and name in Anthropic's API.
_PASSTHROUGH = ("temperature", "top_p", "top_k", "metadata")


def text_of(content: Any) -> str:
    """Plain text of an OpenAI message content (a string or a list of text parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def to_messages_request(body: dict[str, Any], model: str) -> dict[str, Any]:
    """An OpenAI chat body as an Anthropic Messages body."""
    system = [
        text_of(m.get("content")) for m in body["messages"] if m["role"] in ("system", "developer")
    ]
    messages: list[dict[str, Any]] = []
    for message in body["messages"]:
        if message["role"] in ("system", "developer"):
            continue
        role = "assistant" if message["role"] == "assistant" else "user"
        text = text_of(message.get("content"))
        if messages and messages[-1]["role"] == role:  # Anthropic needs alternating turns
            messages[-1]["content"] += "\n\n" + text
        else:
            messages.append({"role": role, "content": text})
    payload: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "max_tokens": body.get("max_tokens") or DEFAULT_MAX_TOKENS,
    }
    if system:
        payload["system"] = "\n\n".join(system)
    stop = body.get("stop")
    if stop:
        payload["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    payload.update({k: body[k] for k in _PASSTHROUGH if k in body})
    payload.update(body.get("extra_params") or {})
    return payload


def finish_reason(stop_reason: str | None) -> str:
    return STOP_REASONS.get(stop_reason or "end_turn", "stop")


@register
class AnthropicProvider(Provider):
    name = "anthropic"
    config_key = "anthropic_config"
    capabilities = ProviderCapabilities(chat=True, streaming=True)
    required_fields = ("anthropic_api_key",)
    optional_fields = ("anthropic_version",)
    secret_fields = ("anthropic_api_key",)
    base_url_fields = ("anthropic_api_base",)

    def _url(self) -> str:
        return f"{self.config.get('anthropic_api_base') or DEFAULT_BASE}/v1/messages"

    def _headers(self) -> dict[str, str]:
        return {
            "x-api-key": self.secret("anthropic_api_key"),
            "anthropic-version": str(self.config.get("anthropic_version") or DEFAULT_VERSION),
            "content-type": "application/json",
        }

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        raw = await self.post_json(
            self._url(), to_messages_request(body, self.model), self._headers()
        )
        text = "".join(
            b.get("text", "") for b in raw.get("content") or [] if b.get("type") == "text"
        )
        counts = raw.get("usage") or {}
        return chat_response(
            self.model,
            text,
            prompt_tokens=int(counts.get("input_tokens") or 0),
            completion_tokens=int(counts.get("output_tokens") or 0),
            finish_reason=finish_reason(raw.get("stop_reason")),
            response_id=raw.get("id"),
        )

    async def chat_stream(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Anthropic events to chunks; ``message_delta`` carries the stop reason and output usage."""
        payload = {**to_messages_request(body, self.model), "stream": True}
        response_id = new_id("chatcmpl")
        prompt_tokens = completion_tokens = 0
        reason: str | None = None
        async for event, data in self.stream_sse(self._url(), payload, self._headers()):
            kind = data.get("type") or event
            if kind == "message_start":
                message = data.get("message") or {}
                response_id = message.get("id") or response_id
                prompt_tokens = int((message.get("usage") or {}).get("input_tokens") or 0)
                yield chat_chunk(self.model, response_id, role="assistant", content="")
            elif kind == "content_block_delta":
                delta = data.get("delta") or {}
                if delta.get("type") == "text_delta" and delta.get("text"):
                    yield chat_chunk(self.model, response_id, content=delta["text"])
            elif kind == "message_delta":
                reason = (data.get("delta") or {}).get("stop_reason") or reason
                counts = data.get("usage") or {}
                completion_tokens = int(counts.get("output_tokens") or completion_tokens)
                prompt_tokens = int(counts.get("input_tokens") or prompt_tokens)
            elif kind == "error":
                error = data.get("error") or {}
                status = 429 if error.get("type") == "rate_limit_error" else 503
                raise self.upstream_error(status, json.dumps({"error": error}), {})
            elif kind == "message_stop":
                break
        yield chat_chunk(
            self.model,
            response_id,
            finish_reason=finish_reason(reason),
            usage_counts=usage(prompt_tokens, completion_tokens),
        )
