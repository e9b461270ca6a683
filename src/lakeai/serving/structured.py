"""Structured outputs: ask a chat endpoint for JSON that matches a JSON Schema, and make sure.

The "fill a form / call a backend API from a conversation" step of a chain. A model's JSON is
never trusted: ``structured_call`` validates it, asks the same endpoint again with the
validation error appended (``retries`` times), then falls back to the next endpoint, and
finally returns a ``StructuredFailure`` listing every attempt, so the caller decides what to do
instead of catching a parse error. Every attempt is its own endpoint call, so each one appears
in the usage table and (when the endpoint captures) in its inference table.

The schema travels twice: as OpenAI's ``response_format`` (``json_schema``), which vendors that
support structured outputs enforce and the others ignore, and in the system prompt, which every
model reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lakeai.errors import InvalidParameterValue, LakeAIError
from lakeai.gateway.providers.lakeai_builtin import PLAIN_TEXT_CHAT
from lakeai.serving.json_schema import validate

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


@dataclass(frozen=True)
class Attempt:
    """One endpoint call: what came back and why it was refused (``error`` None: accepted)."""

    endpoint: str
    number: int  # 1-based, per endpoint
    content: str | None
    error: str | None
    error_code: str | None = None  # set when the call itself failed (a LakeAIError)


@dataclass(frozen=True)
class StructuredResult:
    value: dict[str, Any]
    endpoint: str
    attempts: list[Attempt]
    ok: bool = True


@dataclass(frozen=True)
class StructuredFailure:
    """Every endpoint failed or never produced valid JSON; ``attempts`` says how."""

    attempts: list[Attempt]
    ok: bool = False
    errors: list[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "errors", [f"{a.endpoint}#{a.number}: {a.error}" for a in self.attempts]
        )

    @property
    def last_content(self) -> str | None:
        """The last text a model answered, for callers that fall back to plain text."""
        return next((a.content for a in reversed(self.attempts) if a.content), None)


def schema_prompt(schema: dict[str, Any]) -> str:
    return (
        "Answer with only one JSON object, no prose and no code fence, that matches this "
        f"JSON Schema:\n{json.dumps(schema, sort_keys=True)}"
    )


def parse_reply(content: str | None, schema: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The JSON object in a reply and '' , or None and why it is not acceptable."""
    text = (content or "").strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text)
    except ValueError as exc:
        return None, f"the reply is not JSON ({exc.msg} at position {exc.pos})"
    if not isinstance(value, dict):
        return None, "the reply must be a JSON object"
    problems = validate(value, schema)
    return (None, "; ".join(problems)) if problems else (value, "")


def _body(messages: list[dict[str, Any]], schema: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "messages": messages,
        "temperature": 0,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema},
        },
    }


def _content(response: dict[str, Any]) -> str | None:
    choices = response.get("choices") or [{}]
    return (choices[0].get("message") or {}).get("content")


def structured_call(
    client: Any,
    endpoints: list[str],
    messages: list[dict[str, Any]],
    schema: dict[str, Any],
    *,
    retries: int = 2,
    schema_name: str = "response",
) -> StructuredResult | StructuredFailure:
    """Ask ``endpoints`` in order for a JSON object matching ``schema``; never raises for a bad
    answer or a failed endpoint. ``client`` is a ``lakeai.Workspace`` or ``lakeai.connect``."""
    if not endpoints or retries < 0:
        raise InvalidParameterValue("structured_call needs at least one endpoint and retries >= 0.")
    attempts: list[Attempt] = []
    base = [{"role": "system", "content": schema_prompt(schema)}, *messages]
    for endpoint in endpoints:
        conversation = list(base)
        for number in range(1, retries + 2):
            try:
                response = client.serving_endpoints.query(
                    endpoint, _body(conversation, schema, schema_name)
                )
            except LakeAIError as exc:  # the endpoint itself failed: try the next one
                attempts.append(Attempt(endpoint, number, None, exc.message, exc.error_code))
                break
            content = _content(response)
            value, problem = parse_reply(content, schema)
            attempts.append(Attempt(endpoint, number, content, problem or None))
            if value is not None:
                return StructuredResult(value, endpoint, attempts)
            conversation += [
                {"role": "assistant", "content": content or ""},
                {
                    "role": "user",
                    "content": f"That reply was refused: {problem}. {schema_prompt(schema)}",
                },
            ]
    return StructuredFailure(attempts)


def follows_schemas(client: Any, endpoint: str) -> bool:
    """Whether every served entity of ``endpoint`` is a model that can write JSON on request."""
    config = client.serving_endpoints.get(endpoint).get("config") or {}
    for entity in config.get("served_entities") or []:
        model = entity.get("external_model") or {}
        if (model.get("provider"), model.get("name")) in PLAIN_TEXT_CHAT:
            return False
    return True
