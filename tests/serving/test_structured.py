"""Structured outputs: validate, retry with the error, fall back, fail typed; each try is a call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.serving.json_schema import validate
from lakeai.serving.structured import (
    StructuredFailure,
    StructuredResult,
    follows_schemas,
    parse_reply,
    structured_call,
)
from tests.fakes.scripted_chat import create_app
from tests.fakes.server import serve

ACTION = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": ["cancel_order", "start_return", "answer"]},
        "order_id": {"type": ["string", "null"]},
        "reply": {"type": "string", "minLength": 1},
    },
    "required": ["action", "order_id", "reply"],
    "additionalProperties": False,
}
GOOD = json.dumps({"action": "answer", "order_id": None, "reply": "Hello."})
MESSAGES = [{"role": "user", "content": "Where is my order?"}]


def _endpoint(ws: Any, name: str, url: str, model: str, **config: Any) -> None:
    entity = {
        "name": model,
        "external_model": {
            "provider": "openai-compatible",
            "name": model,
            "task": "llm/v1/chat",
            "openai_compatible_config": {"api_base": url + "/v1"},
        },
    }
    ws.serving_endpoints.create(name, config={"served_entities": [entity], **config})


def _usage(ws: Any) -> list[tuple[str, int]]:
    ws.services.serving_endpoints.usage.flush()
    rows = ws.sql(
        "SELECT endpoint_name, status_code FROM system.serving.endpoint_usage ORDER BY 1"
    ).to_pylist()
    return [(r["endpoint_name"], r["status_code"]) for r in rows]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"action": "answer", "order_id": None, "reply": "x"}, None),
        ({"action": "refund", "order_id": None, "reply": "x"}, "is not one of"),
        ({"action": "answer", "reply": "x"}, "missing required property 'order_id'"),
        ({"action": "answer", "order_id": 7, "reply": "x"}, "$.order_id: expected string or null"),
        ({"action": "answer", "order_id": None, "reply": ""}, "at least 1 characters"),
        ({"action": "answer", "order_id": None, "reply": "x", "y": 1}, "unexpected property 'y'"),
    ],
)
def test_validator_subset(value: dict, problem: str | None) -> None:
    errors = validate(value, ACTION)
    assert (not errors) if problem is None else any(problem in e for e in errors), errors


def test_parse_reply_accepts_a_fenced_object_and_refuses_prose() -> None:
    assert parse_reply(f"```json\n{GOOD}\n```", ACTION)[0] == json.loads(GOOD)
    assert "not JSON" in parse_reply("Sure! Here it is.", ACTION)[1]
    assert "JSON object" in parse_reply("[1]", ACTION)[1]


def test_retries_with_the_validation_error_then_succeeds(ws: Any) -> None:
    app = create_app({"m": ["not json", json.dumps({"action": "refund"}), GOOD]})
    with serve(app) as url:
        _endpoint(ws, "llm", url, "m")
        result = structured_call(ws, ["llm"], MESSAGES, ACTION)
    assert isinstance(result, StructuredResult)
    assert result.value["reply"] == "Hello." and result.endpoint == "llm"
    assert [a.error is None for a in result.attempts] == [False, False, True]
    first, second, third = app.state.requests
    assert first["response_format"]["json_schema"]["schema"] == ACTION
    assert "JSON Schema" in first["messages"][0]["content"]
    assert "not JSON" in second["messages"][-1]["content"]
    assert "missing required property" in third["messages"][-1]["content"]
    assert _usage(ws) == [("llm", 200)] * 3  # every attempt is its own recorded call


def test_falls_back_to_the_next_endpoint_then_fails_typed(ws: Any) -> None:
    app = create_app({"bad": ["nope"], "good": [GOOD]})
    with serve(app) as url:
        _endpoint(ws, "bad-llm", url, "bad")
        _endpoint(ws, "good-llm", url, "good")
        result = structured_call(ws, ["bad-llm", "good-llm"], MESSAGES, ACTION, retries=1)
        assert isinstance(result, StructuredResult) and result.endpoint == "good-llm"
        assert [a.endpoint for a in result.attempts] == ["bad-llm", "bad-llm", "good-llm"]
        failure = structured_call(ws, ["bad-llm", "missing-llm"], MESSAGES, ACTION, retries=0)
    assert isinstance(failure, StructuredFailure) and not failure.ok
    assert failure.last_content == "nope"
    assert failure.attempts[-1].error_code == "RESOURCE_DOES_NOT_EXIST"
    assert failure.errors[0].startswith("bad-llm#1: the reply is not JSON")


def test_arguments_are_checked(ws: Any) -> None:
    with pytest.raises(InvalidParameterValue, match="at least one endpoint"):
        structured_call(ws, [], MESSAGES, ACTION)
    with pytest.raises(InvalidParameterValue, match="retries"):
        structured_call(ws, ["lakeai-chat"], MESSAGES, ACTION, retries=-1)


def test_the_builtin_extractive_chat_cannot_follow_a_schema(ws: Any) -> None:
    assert not follows_schemas(ws, "lakeai-chat")
    result = structured_call(ws, ["lakeai-chat"], MESSAGES, ACTION, retries=1)
    assert isinstance(result, StructuredFailure)
    assert len(result.attempts) == 2 and all("not JSON" in e for e in result.errors)
    assert _usage(ws) == [("lakeai-chat", 200)] * 2


def test_each_attempt_is_a_row_in_the_inference_table(ws: Any) -> None:
    ws.services.inference_tables.start()  # the capture hook a server installs at start
    capture = {"catalog_name": "main", "schema_name": "default", "table_name_prefix": "form"}
    app = create_app({"m": ["{}", GOOD]})
    with serve(app) as url:
        _endpoint(ws, "form-llm", url, "m", auto_capture_config={**capture, "enabled": True})
        result = structured_call(ws, ["form-llm"], MESSAGES, ACTION)
    assert isinstance(result, StructuredResult) and len(result.attempts) == 2
    ws.services.inference_tables.writer.flush()
    rows = ws.tables.read("main.default.form_payload").to_pylist()
    answers = sorted(json.loads(r["response"])["choices"][0]["message"]["content"] for r in rows)
    assert answers == sorted(["{}", GOOD])
