"""Provider ``lakeai``: the built-in local models, served offline on the CPU.

``minilm-embed`` (llm/v1/embeddings) is all-MiniLM-L6-v2 in numpy; ``extractive-chat``
(llm/v1/chat, streaming) is the grounded extractive baseline. Both live in
``lakeai.gateway.local`` and are imported on first request, never by ``import lakeai``. Model
work runs in a worker thread so the event loop keeps serving other requests; the embedding
model is loaded once per process (``minilm.get_model``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

import anyio.to_thread

from lakeai.errors import InvalidParameterValue
from lakeai.gateway import schemas
from lakeai.gateway.providers.base import (
    Provider,
    ProviderCapabilities,
    ProviderContext,
    register,
)

EMBED_MODEL = "minilm-embed"
CHAT_MODEL = "extractive-chat"
MODELS: dict[str, str] = {EMBED_MODEL: schemas.EMBEDDINGS, CHAT_MODEL: schemas.CHAT}
# Chat models that quote text and cannot write JSON to a schema (structured outputs ask them for
# plain text instead of burning retries): (provider, model).
PLAIN_TEXT_CHAT = {("lakeai", CHAT_MODEL)}


@register
class LakeAIBuiltinProvider(Provider):
    """The ``lakeai`` provider: no secrets, no network; config ``lakeai_config`` is empty."""

    name = "lakeai"
    config_key = "lakeai_config"
    capabilities: ClassVar[ProviderCapabilities] = ProviderCapabilities(
        chat=True, embeddings=True, streaming=True
    )

    def __init__(self, model: str, config: dict[str, Any], ctx: ProviderContext) -> None:
        if model not in MODELS:
            valid = ", ".join(f"{m} ({t})" for m, t in MODELS.items())
            raise InvalidParameterValue(
                f"Unknown model {model!r} for provider lakeai; valid: {valid}."
            )
        super().__init__(model, config, ctx)

    def _require(self, task: str) -> None:
        if MODELS[self.model] != task:
            raise InvalidParameterValue(
                f"Model {self.model} serves {MODELS[self.model]}, not {task}; use "
                f"{next(m for m, t in MODELS.items() if t == task)}."
            )

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        self._require(schemas.CHAT)
        result = await anyio.to_thread.run_sync(_answer, body)
        return schemas.chat_response(
            self.model,
            result.content,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            finish_reason=result.finish_reason,
        )

    async def chat_stream(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """The same reply as ``chat``, word by word; the last chunk carries the usage."""
        from lakeai.gateway.local.extractive import stream_words

        self._require(schemas.CHAT)
        result = await anyio.to_thread.run_sync(_answer, body)
        response_id = schemas.new_id("chatcmpl")
        yield schemas.chat_chunk(self.model, response_id, role="assistant", content="")
        for word in stream_words(result.content):
            yield schemas.chat_chunk(self.model, response_id, content=word)
        yield schemas.chat_chunk(
            self.model,
            response_id,
            finish_reason=result.finish_reason,
            usage_counts=schemas.usage(result.prompt_tokens, result.completion_tokens),
        )

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        self._require(schemas.EMBEDDINGS)
        texts = _texts(body.get("input"))
        vectors, counts = await anyio.to_thread.run_sync(_embed, texts)
        return schemas.embeddings_response(self.model, vectors, prompt_tokens=sum(counts))


def _answer(body: dict[str, Any]) -> Any:
    from lakeai.gateway.local.extractive import answer

    messages = [m if isinstance(m, dict) else dict(m) for m in body.get("messages") or []]
    return answer(messages, max_tokens=body.get("max_tokens"), stop=body.get("stop"))


def _embed(texts: list[str]) -> tuple[list[list[float]], list[int]]:
    from lakeai.gateway.local.minilm import get_model

    vectors, counts = get_model().encode(texts)
    return vectors.tolist(), counts


def _texts(value: Any) -> list[str]:
    """The input as a list of strings; token-id inputs are refused (no shared vocabulary)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise InvalidParameterValue(
        f"{EMBED_MODEL} takes input as a string or a list of strings, not token ids."
    )
