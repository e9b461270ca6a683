"""Amazon Bedrock through the model-agnostic Converse API, signed with SigV4 (no boto3).

Converse (``/model/{id}/converse`` and ``/converse-stream``) takes one message shape for every
model family on Bedrock, so one mapping serves Claude, Llama, Mistral, Nova and Titan text
models. Streams are AWS binary event-stream frames, decoded in ``_eventstream``. Embeddings
use ``/model/{id}/invoke`` with the Titan text-embeddings body (``inputText`` ->
``embedding``), one request per input; other embedding families need their own body.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx

from lakeai.errors import TemporarilyUnavailable
from lakeai.gateway.providers._eventstream import EventStreamDecoder, EventStreamError
from lakeai.gateway.providers._sigv4 import sign
from lakeai.gateway.providers.anthropic import text_of
from lakeai.gateway.providers.base import Provider, ProviderCapabilities, register
from lakeai.gateway.schemas import chat_chunk, chat_response, embeddings_response, new_id, usage
from lakeai.gateway.urls import redact_url

STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length",
                "tool_use": "tool_calls", "guardrail_intervened": "content_filter",
                "content_filtered": "content_filter"}  # fmt: skip
_INFERENCE = {"max_tokens": "maxTokens", "temperature": "temperature", "top_p": "topP"}
# Exceptions inside a stream have no HTTP status; these are the statuses AWS gives them elsewhere.
_STREAM_EXCEPTIONS = {"throttlingException": 429, "validationException": 400,
                      "serviceUnavailableException": 503, "internalServerException": 500,
                      "modelStreamErrorException": 503}  # fmt: skip


def to_converse_request(body: dict[str, Any]) -> dict[str, Any]:
    system = [
        {"text": text_of(m.get("content"))}
        for m in body["messages"]
        if m["role"] in ("system", "developer")
    ]
    messages: list[dict[str, Any]] = []
    for message in body["messages"]:
        if message["role"] in ("system", "developer"):
            continue
        role = "assistant" if message["role"] == "assistant" else "user"
        block = {"text": text_of(message.get("content"))}
        if messages and messages[-1]["role"] == role:  # Converse needs alternating turns
            messages[-1]["content"].append(block)
        else:
            messages.append({"role": role, "content": [block]})
    payload: dict[str, Any] = {"messages": messages}
    if system:
        payload["system"] = system
    config = {theirs: body[ours] for ours, theirs in _INFERENCE.items() if ours in body}
    stop = body.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    if config:
        payload["inferenceConfig"] = config
    if body.get("extra_params"):
        payload["additionalModelRequestFields"] = body["extra_params"]
    return payload


@register
class BedrockProvider(Provider):
    name = "amazon-bedrock"
    config_key = "amazon_bedrock_config"
    capabilities = ProviderCapabilities(chat=True, embeddings=True, streaming=True)
    required_fields = ("aws_region", "aws_access_key_id", "aws_secret_access_key")
    optional_fields = ("bedrock_provider",)
    secret_fields = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
    base_url_fields = ("bedrock_endpoint_url",)

    def _url(self, action: str) -> str:
        region = self.config["aws_region"]
        base = (
            self.config.get("bedrock_endpoint_url")
            or f"https://bedrock-runtime.{region}.amazonaws.com"
        )
        return f"{base}/model/{quote(self.model, safe='')}/{action}"

    def _signed(self, url: str, body: bytes, accept: str = "application/json") -> dict[str, str]:
        has_token = self.config.get("aws_session_token") or self.config.get(
            "aws_session_token_plaintext"
        )
        return sign(
            "POST",
            url,
            {"content-type": "application/json", "accept": accept},
            body,
            access_key=self.secret("aws_access_key_id"),
            secret_key=self.secret("aws_secret_access_key"),
            region=str(self.config["aws_region"]),
            service="bedrock",
            session_token=self.secret("aws_session_token") if has_token else None,
        )

    async def _post(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        url, body = self._url(action), json.dumps(payload).encode()
        return await self.post_json(url, body, self._signed(url, body))

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        raw = await self._post("converse", to_converse_request(body))
        blocks = ((raw.get("output") or {}).get("message") or {}).get("content") or []
        counts = raw.get("usage") or {}
        return chat_response(
            self.model,
            "".join(b.get("text", "") for b in blocks),
            prompt_tokens=int(counts.get("inputTokens") or 0),
            completion_tokens=int(counts.get("outputTokens") or 0),
            finish_reason=STOP_REASONS.get(raw.get("stopReason") or "end_turn", "stop"),
        )

    async def chat_stream(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        response_id = new_id("chatcmpl")
        reason, counts = "end_turn", (0, 0)
        async for event, data in self._events(to_converse_request(body)):
            if event == "messageStart":
                yield chat_chunk(self.model, response_id, role="assistant", content="")
            elif event == "contentBlockDelta":
                text = (data.get("delta") or {}).get("text")
                if text:
                    yield chat_chunk(self.model, response_id, content=text)
            elif event == "messageStop":
                reason = data.get("stopReason") or reason
            elif event == "metadata":
                raw = data.get("usage") or {}
                counts = (int(raw.get("inputTokens") or 0), int(raw.get("outputTokens") or 0))
        yield chat_chunk(
            self.model,
            response_id,
            finish_reason=STOP_REASONS.get(reason, "stop"),
            usage_counts=usage(*counts),
        )

    async def _events(self, payload: dict[str, Any]) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """POST to converse-stream and yield ``(event type, payload)``; errors as ours."""
        url, body = self._url("converse-stream"), json.dumps(payload).encode()
        headers = self._signed(url, body, accept="application/vnd.amazon.eventstream")
        decoder = EventStreamDecoder()
        try:
            async with self.ctx.http.stream(
                "POST", url, content=body, headers=headers, timeout=self.ctx.timeout
            ) as response:
                if response.status_code >= 400:
                    text = (await response.aread()).decode(errors="replace")
                    raise self.upstream_error(response.status_code, text, response.headers)
                async for data in response.aiter_bytes():
                    for frame_headers, event in decoder.feed(data):
                        if frame_headers.get(":message-type") == "exception":
                            kind = str(frame_headers.get(":exception-type"))
                            status = _STREAM_EXCEPTIONS.get(kind, 503)
                            raise self.upstream_error(status, json.dumps(event), {})
                        yield str(frame_headers.get(":event-type")), event
        except (httpx.HTTPError, EventStreamError) as exc:
            raise TemporarilyUnavailable(
                f"Provider {self.name} stream failed ({redact_url(url)}): {type(exc).__name__}."
            ) from exc

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        results = await asyncio.gather(
            *(self._post("invoke", {"inputText": str(t)}) for t in texts)
        )
        tokens = sum(int(r.get("inputTextTokenCount") or 0) for r in results)
        return embeddings_response(
            self.model, [list(r.get("embedding") or []) for r in results], prompt_tokens=tokens
        )
