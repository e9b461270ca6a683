"""Google Gemini (generativelanguage.googleapis.com) behind the OpenAI schema.

Gemini calls the assistant ``model``, puts system prompts in ``systemInstruction``, nests
sampling options in ``generationConfig``, and streams whole ``GenerateContentResponse``
objects (``?alt=sse``) whose usage is cumulative. An invalid key is a 400 with reason
``API_KEY_INVALID`` there, so that case is mapped to PermissionDenied here.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from lakeai.errors import LakeAIError, PermissionDenied
from lakeai.gateway.providers.anthropic import text_of
from lakeai.gateway.providers.base import Provider, ProviderCapabilities, register
from lakeai.gateway.schemas import chat_chunk, chat_response, embeddings_response, new_id, usage

DEFAULT_BASE = "https://generativelanguage.googleapis.com"
FINISH_REASONS = {"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter",
                  "RECITATION": "content_filter", "PROHIBITED_CONTENT": "content_filter",
                  "BLOCKLIST": "content_filter", "SPII": "content_filter"}  # fmt: skip
_CONFIG_FIELDS = {"temperature": "temperature", "top_p": "topP", "top_k": "topK",
                  "max_tokens": "maxOutputTokens", "n": "candidateCount", "seed": "seed"}  # fmt: skip


def to_generate_request(body: dict[str, Any]) -> dict[str, Any]:
    system = [
        text_of(m.get("content")) for m in body["messages"] if m["role"] in ("system", "developer")
    ]
    contents = [
        {"role": "model" if m["role"] == "assistant" else "user",
         "parts": [{"text": text_of(m.get("content"))}]}
        for m in body["messages"] if m["role"] not in ("system", "developer")
    ]  # fmt: skip
    payload: dict[str, Any] = {"contents": contents}
    if system:
        payload["systemInstruction"] = {"parts": [{"text": "\n\n".join(system)}]}
    config = {theirs: body[ours] for ours, theirs in _CONFIG_FIELDS.items() if ours in body}
    stop = body.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    if config:
        payload["generationConfig"] = config
    payload.update(body.get("extra_params") or {})
    return payload


def _text(response: dict[str, Any]) -> tuple[str, str | None]:
    candidates = response.get("candidates") or [{}]
    parts = (candidates[0].get("content") or {}).get("parts") or []
    return "".join(p.get("text", "") for p in parts), candidates[0].get("finishReason")


def _usage(response: dict[str, Any]) -> tuple[int, int]:
    meta = response.get("usageMetadata") or {}
    return int(meta.get("promptTokenCount") or 0), int(meta.get("candidatesTokenCount") or 0)


@register
class GoogleProvider(Provider):
    name = "google"
    config_key = "google_config"
    capabilities = ProviderCapabilities(chat=True, embeddings=True, streaming=True)
    required_fields = ("google_api_key",)
    secret_fields = ("google_api_key",)
    base_url_fields = ("google_api_base",)

    def _url(self, method: str) -> str:
        base = self.config.get("google_api_base") or DEFAULT_BASE
        return f"{base}/v1beta/models/{quote(self.model, safe='')}:{method}"

    def _headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.secret("google_api_key"), "Content-Type": "application/json"}

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        raw = await self.post_json(
            self._url("generateContent"), to_generate_request(body), self._headers()
        )
        text, reason = _text(raw)
        prompt, completion = _usage(raw)
        return chat_response(
            self.model,
            text,
            prompt_tokens=prompt,
            completion_tokens=completion,
            finish_reason=FINISH_REASONS.get(reason or "STOP", "stop"),
            response_id=raw.get("responseId"),
        )

    async def chat_stream(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Each SSE event is a partial response; usage is cumulative, so the last one counts."""
        url = self._url("streamGenerateContent") + "?alt=sse"
        response_id = new_id("chatcmpl")
        counts, reason = (0, 0), None
        yield chat_chunk(self.model, response_id, role="assistant", content="")
        async for _event, raw in self.stream_sse(url, to_generate_request(body), self._headers()):
            text, finish = _text(raw)
            reason = finish or reason
            counts = _usage(raw) if raw.get("usageMetadata") else counts
            if text:
                yield chat_chunk(self.model, response_id, content=text)
        yield chat_chunk(
            self.model,
            response_id,
            finish_reason=FINISH_REASONS.get(reason or "STOP", "stop"),
            usage_counts=usage(*counts),
        )

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        """``batchEmbedContents`` reports no token counts, so usage is 0 (not guessed)."""
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        model = f"models/{self.model}"
        payload = {
            "requests": [{"model": model, "content": {"parts": [{"text": str(t)}]}} for t in texts]
        }
        raw = await self.post_json(self._url("batchEmbedContents"), payload, self._headers())
        vectors = [e.get("values") or [] for e in raw.get("embeddings") or []]
        return embeddings_response(self.model, vectors, prompt_tokens=0)

    def upstream_error(self, status: int, text: str, headers: Any) -> LakeAIError:
        if status == 400 and "API_KEY_INVALID" in text:
            try:
                message = json.loads(text)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = "API key not valid"
            return PermissionDenied(
                f"Provider {self.name} refused the endpoint's credentials: "
                f"{self.clean_message(str(message))}"
            )
        return super().upstream_error(status, text, headers)
