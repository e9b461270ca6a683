"""Querying endpoints: task validation, streaming, traffic split, fallbacks, rate limits, usage."""

from __future__ import annotations

import json
from collections import Counter

from tests.serving.conftest import chat, openai_entity


def _usage_rows(api, endpoint: str) -> list[dict]:
    services = api.app.state.services
    services.serving_endpoints.usage.flush()
    rows = services.tables.read(
        api.app.state.bootstrap.admin, "system.serving.endpoint_usage"
    ).to_pylist()
    return [r for r in rows if r["endpoint_name"] == endpoint]


def test_chat_answers_openai_shape_with_headers_and_usage_row(api, make_endpoint, upstream):
    make_endpoint("q1", [openai_entity("main", upstream)])
    response = chat(api, "q1", "what is the return window")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        body["object"] == "chat.completion" and body["choices"][0]["message"]["role"] == "assistant"
    )
    assert body["usage"]["total_tokens"] > 0
    assert response.headers["served-model-name"] == "main"
    request_id = response.headers["x-request-id"]
    [row] = _usage_rows(api, "q1")
    assert row["request_id"] == request_id and row["status_code"] == 200
    assert (row["input_tokens"], row["output_tokens"]) == (
        body["usage"]["prompt_tokens"],
        body["usage"]["completion_tokens"],
    )
    assert (row["provider"], row["model"], row["requester"]) == ("openai", "gpt-4o-mini", "admin")


def test_body_that_does_not_fit_the_task_is_400(api, make_endpoint, upstream):
    make_endpoint("q2", [openai_entity("main", upstream)])
    for body, field in [
        ({}, "messages"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "role"),
        ({"messages": [{"role": "user", "content": "x"}], "temperature": 9}, "temperature"),
    ]:
        response = api.post("/serving-endpoints/q2/invocations", json=body)
        assert response.status_code == 400, response.text
        assert field in response.json()["message"]
    bad_json = api.post(
        "/serving-endpoints/q2/invocations",
        content=b"{nope",
        headers={"content-type": "application/json"},
    )
    assert bad_json.status_code == 400 and bad_json.json()["error_code"] == "MALFORMED_REQUEST"
    emb = api.post("/serving-endpoints/embeddings", json={"model": "q2", "input": "x"})
    assert emb.status_code == 400 and "serves llm/v1/chat" in emb.json()["message"]
    assert api.post("/serving-endpoints/nope/invocations", json={}).status_code == 404


def _sse(response) -> list[dict]:
    events = []
    lines = [line for line in response.text.split("\n") if line]
    assert all(line.startswith("data: ") for line in lines), lines
    assert lines[-1] == "data: [DONE]"
    for line in lines[:-1]:
        events.append(json.loads(line[6:]))
    return events


def test_streaming_matches_the_plain_answer_and_counts_tokens(api, make_endpoint, upstream):
    make_endpoint("q3", [openai_entity("main", upstream)])
    plain = chat(api, "q3", "tell me about returns").json()
    streamed = chat(api, "q3", "tell me about returns", stream=True)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    chunks = _sse(streamed)
    text = "".join(
        c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices")
    )
    assert text == plain["choices"][0]["message"]["content"]
    rows = _usage_rows(api, "q3")
    assert [r["streamed"] for r in rows] == [False, True]
    assert rows[1]["output_tokens"] == plain["usage"]["completion_tokens"]


def test_traffic_split_uses_both_entities(api, make_endpoint, upstream):
    routes = [
        {"served_entity_name": "a", "traffic_percentage": 50},
        {"served_entity_name": "b", "traffic_percentage": 50},
    ]
    make_endpoint(
        "split",
        [openai_entity("a", upstream), openai_entity("b", upstream)],
        config={"traffic_config": {"routes": routes}},
    )
    served = Counter(chat(api, "split").headers["served-model-name"] for _ in range(60))
    assert set(served) == {"a", "b"}  # each side is chosen with p=1/2: all 60 on one side is 2^-59


def test_fallback_on_unreachable_and_429(api, make_endpoint, upstream, dead_upstream, upstream_429):
    routes = [
        {"served_entity_name": "dead", "traffic_percentage": 100},
        {"served_entity_name": "ok", "traffic_percentage": 0},
    ]
    make_endpoint(
        "fb",
        [openai_entity("dead", dead_upstream), openai_entity("ok", upstream)],
        config={"traffic_config": {"routes": routes}},
    )
    response = chat(api, "fb")
    assert response.status_code == 200 and response.headers["served-model-name"] == "ok"
    routes = [
        {"served_entity_name": "busy", "traffic_percentage": 100},
        {"served_entity_name": "ok", "traffic_percentage": 0},
    ]
    make_endpoint(
        "fb429",
        [openai_entity("busy", upstream_429), openai_entity("ok", upstream)],
        config={"traffic_config": {"routes": routes}},
    )
    assert chat(api, "fb429").headers["served-model-name"] == "ok"
    statuses = [(r["served_entity_name"], r["status_code"]) for r in _usage_rows(api, "fb429")]
    assert statuses == [("busy", 429), ("ok", 200)]


def test_no_fallback_when_switched_off_and_503_when_all_fail(
    api, make_endpoint, dead_upstream, upstream_429
):
    make_endpoint(
        "solo",
        [openai_entity("busy", upstream_429)],
        ai_gateway={"fallback_config": {"enabled": False}},
    )
    limited = chat(api, "solo")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
    make_endpoint("down", [openai_entity("d1", dead_upstream), openai_entity("d2", dead_upstream)])
    down = chat(api, "down")
    assert down.status_code == 503 and down.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    assert "127.0.0.1" not in down.json()["message"] or "/v1" in down.json()["message"]


def test_call_rate_limit_per_user(api, make_endpoint, upstream):
    limits = {"rate_limits": [{"calls": 3, "key": "user", "renewal_period": "minute"}]}
    make_endpoint("rl", [openai_entity("a", upstream)], ai_gateway=limits)
    codes = [chat(api, "rl").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = chat(api, "rl")
    assert refused.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    platform = api.app.state.services.platform
    row = platform.principals.create("user", "other")
    token, _ = platform.principals.create_token(row.id)
    api.patch(
        "/api/2.1/unity-catalog/permissions/serving_endpoint/rl",
        json={"changes": [{"principal": "other", "add": ["QUERY"]}]},
    )
    body = {"messages": [{"role": "user", "content": "hi"}]}
    assert api.post("/serving-endpoints/rl/invocations", json=body, token=token).status_code == 200


def test_token_budget_counts_streamed_responses(api, make_endpoint, upstream):
    limits = {"rate_limits": [{"tokens": 5, "key": "endpoint", "renewal_period": "hour"}]}
    make_endpoint("tok", [openai_entity("a", upstream)], ai_gateway=limits)
    first = chat(api, "tok", "one two three four five six", stream=True)
    assert first.status_code == 200
    _sse(first)
    over = chat(api, "tok", "again")
    assert over.status_code == 429 and "token" in over.json()["message"]


def test_embeddings_floats_and_base64(api, make_endpoint, upstream):
    make_endpoint(
        "emb",
        [openai_entity("e", upstream, task="llm/v1/embeddings", model="text-embedding-3-small")],
    )
    floats = api.post("/serving-endpoints/emb/invocations", json={"input": ["a", "b"]}).json()
    assert [d["index"] for d in floats["data"]] == [0, 1]
    vector = floats["data"][0]["embedding"]
    encoded = api.post(
        "/serving-endpoints/embeddings",
        json={"model": "emb", "input": ["a", "b"], "encoding_format": "base64"},
    ).json()
    import base64
    import struct

    raw = base64.b64decode(encoded["data"][0]["embedding"])
    assert list(struct.unpack(f"<{len(raw) // 4}f", raw)) == [
        float(struct.unpack("<f", struct.pack("<f", v))[0]) for v in vector
    ]


def test_v1_errors_use_openai_shape(api):
    response = api.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_PARAMETER_VALUE"


def test_inference_table_hook_sees_captured_calls(api, make_endpoint, upstream):
    captured = []
    api.app.state.services.serving_endpoints.invoker.capture_hooks.append(captured.append)
    make_endpoint(
        "cap",
        [openai_entity("a", upstream)],
        config={
            "auto_capture_config": {
                "catalog_name": "main",
                "schema_name": "default",
                "table_name_prefix": "cap",
                "enabled": True,
            }
        },
    )
    make_endpoint("nocap", [openai_entity("a", upstream)])
    response = chat(api, "cap", "log me")
    chat(api, "nocap", "not me")
    [call] = captured
    assert call.request_id == response.headers["x-request-id"]
    assert (
        call.request["messages"][0]["content"] == "log me"
        and call.response["object"] == "chat.completion"
    )
