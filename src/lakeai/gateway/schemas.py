"""The OpenAI wire format every endpoint speaks: request validation and response builders.

Databricks' serving endpoints use the same bodies, so one set of shapes serves the
``/serving-endpoints/{name}/invocations``, ``/serving-endpoints/chat/completions`` and
``/v1/...`` paths alike. Unknown request fields pass through to the provider.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lakeai.errors import InvalidParameterValue

CHAT = "llm/v1/chat"
COMPLETIONS = "llm/v1/completions"
EMBEDDINGS = "llm/v1/embeddings"
TASKS = (CHAT, COMPLETIONS, EMBEDDINGS)


class _Request(BaseModel):
    model_config = ConfigDict(extra="allow")
    # True where the checked body goes on as sent (dataframe formats hold user data of any
    # shape); dumping a validated copy of a batch costs more than the check.
    passthrough: ClassVar[bool] = False


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer", "function"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(_Request):
    messages: list[Message] = Field(min_length=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    n: int | None = Field(default=None, ge=1, le=16)
    stop: str | list[str] | None = None
    stream: bool | None = None


class CompletionsRequest(_Request):
    prompt: str | list[str]
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    n: int | None = Field(default=None, ge=1, le=16)
    stop: str | list[str] | None = None
    stream: bool | None = None


class EmbeddingsRequest(_Request):
    input: str | list[str] | list[int] | list[list[int]]


REQUEST_MODELS: dict[str, type[_Request]] = {
    CHAT: ChatRequest,
    COMPLETIONS: CompletionsRequest,
    EMBEDDINGS: EmbeddingsRequest,
}


def validate_request(task: str, body: Any) -> dict[str, Any]:
    """Check a request body against the endpoint's task; 400 naming the field otherwise."""
    if not isinstance(body, dict):
        raise InvalidParameterValue("The request body must be a JSON object.")
    model = REQUEST_MODELS[task]
    try:
        parsed = model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise InvalidParameterValue(
            f"Invalid {task} request: {field}: {first.get('msg', 'invalid')}."
        ) from None
    if task == EMBEDDINGS and parsed.input in ("", []):
        raise InvalidParameterValue("Invalid llm/v1/embeddings request: input must not be empty.")
    if model.passthrough:
        return {k: v for k, v in body.items() if v is not None}
    return parsed.model_dump(exclude_none=True, mode="json")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def usage(prompt_tokens: int, completion_tokens: int = 0) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def chat_response(
    model: str,
    content: str,
    *,
    prompt_tokens: int,
    completion_tokens: int,
    finish_reason: str = "stop",
    response_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": response_id or new_id("chatcmpl"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": usage(prompt_tokens, completion_tokens),
    }


def chat_chunk(
    model: str,
    response_id: str,
    *,
    content: str | None = None,
    role: str | None = None,
    finish_reason: str | None = None,
    usage_counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    chunk: dict[str, Any] = {
        "id": response_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    if usage_counts is not None:
        chunk["usage"] = usage_counts
    return chunk


def completion_response(
    model: str, texts: list[str], *, prompt_tokens: int, completion_tokens: int
) -> dict[str, Any]:
    return {
        "id": new_id("cmpl"),
        "object": "text_completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": i, "text": text, "finish_reason": "stop"} for i, text in enumerate(texts)
        ],
        "usage": usage(prompt_tokens, completion_tokens),
    }


def embeddings_response(
    model: str, vectors: list[list[float]], *, prompt_tokens: int
) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": vector}
            for i, vector in enumerate(vectors)
        ],
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }


def token_counts(response: dict[str, Any]) -> tuple[int, int]:
    """(input, output) tokens a response reports; 0 where it reports none."""
    counts = response.get("usage") or {}
    return int(counts.get("prompt_tokens") or 0), int(counts.get("completion_tokens") or 0)
