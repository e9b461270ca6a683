"""``POST /serving-endpoints/{name}/feedback``: rows, validation, privileges, governance."""

from __future__ import annotations

import pytest

from tests.serving.test_inference_tables import ask, builtin, create_captured, rows

FEEDBACK = "main.default.bot_feedback"


def test_feedback_rows_join_the_calls_they_rate(api):
    create_captured(api)
    first, second = (ask(api, "bot").headers["x-request-id"] for _ in range(2))
    for body in (
        {"request_id": first, "rating": 1, "comment": "spot on", "label": "correct"},
        {"request_id": second, "rating": 0.25},
        {"request_id": second, "label": "too long", "comment": None},
    ):
        response = api.post("/serving-endpoints/bot/feedback", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == {"request_id": body["request_id"], "feedback_table": FEEDBACK}
    found = sorted(rows(api, FEEDBACK), key=lambda r: (r["request_id"] != first, r["timestamp_ms"]))
    assert [(r["request_id"], r["rating"], r["comment"], r["label"]) for r in found] == [
        (first, 1.0, "spot on", "correct"),
        (second, 0.25, None, None),
        (second, None, None, "too long"),
    ]
    assert {r["requester"] for r in found} == {"admin"} and all(r["timestamp_ms"] for r in found)
    payload_ids = {r["databricks_request_id"] for r in rows(api)}
    assert {r["request_id"] for r in found} <= payload_ids


def test_feedback_comment_is_redacted(api):
    create_captured(api)
    rid = ask(api, "bot").headers["x-request-id"]
    body = {"request_id": rid, "comment": "my key sk-abcdefghijklmnopqrstuvwxyz leaked"}
    assert api.post("/serving-endpoints/bot/feedback", json=body).status_code == 200
    [row] = rows(api, FEEDBACK)
    assert row["comment"] == "my key [REDACTED] leaked"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "request_id"),
        ({"rating": 1}, "request_id"),
        ({"request_id": "", "rating": 1}, "request_id"),
        ({"request_id": 5, "rating": 1}, "request_id"),
        ({"request_id": "r", "rating": "good"}, "rating"),
        ({"request_id": "r", "rating": True}, "rating"),
        ({"request_id": "r", "comment": 7}, "comment"),
        ({"request_id": "r", "label": "x" * 10_001}, "label"),
        ({"request_id": "r"}, "at least one"),
        ({"request_id": "r", "rating": 1, "stars": 5}, "stars"),
    ],
)
def test_bad_feedback_is_400_naming_the_field(api, body, needle):
    create_captured(api)
    response = api.post("/serving-endpoints/bot/feedback", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert needle in response.json()["message"]


def test_non_object_and_non_json_bodies_are_400(api):
    create_captured(api)
    assert api.post("/serving-endpoints/bot/feedback", json=[1]).status_code == 400
    bad = api.post(
        "/serving-endpoints/bot/feedback",
        content=b"{nope",
        headers={"content-type": "application/json"},
    )
    assert bad.status_code == 400 and bad.json()["error_code"] == "MALFORMED_REQUEST"


def test_unknown_endpoint_is_404_and_no_capture_is_400(api):
    response = api.post("/serving-endpoints/nope/feedback", json={"request_id": "r", "rating": 1})
    assert response.status_code == 404
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    body = {"name": "plain", "config": {"served_entities": [builtin()]}}
    assert api.post("/api/2.0/serving-endpoints", json=body).status_code == 200
    response = api.post("/serving-endpoints/plain/feedback", json={"request_id": "r", "rating": 1})
    assert response.status_code == 400 and "inference_table_config" in response.json()["message"]


def test_feedback_needs_query_and_the_tables_stay_governed(api):
    create_captured(api)
    platform = api.app.state.services.platform
    row = platform.principals.create("user", "quinn")
    token, _ = platform.principals.create_token(row.id)
    body = {"request_id": "r", "rating": 1}
    denied = api.post("/serving-endpoints/bot/feedback", json=body, token=token)
    assert denied.status_code == 403 and "QUERY" in denied.json()["message"]
    grant = {"changes": [{"principal": "quinn", "add": ["QUERY"]}]}
    path = "/api/2.1/unity-catalog/permissions/serving_endpoint/bot"
    assert api.patch(path, json=grant).status_code == 200
    rid = ask_as(api, token)
    body = {"request_id": rid, "rating": 1}
    assert api.post("/serving-endpoints/bot/feedback", json=body, token=token).status_code == 200
    assert [r["requester"] for r in rows(api, FEEDBACK)] == ["quinn"]
    assert [r["requester"] for r in rows(api)] == ["quinn"]
    table = api.get("/api/2.1/unity-catalog/tables/main.default.bot_payload", token=token)
    assert table.status_code == 403  # the caller's calls, yet the owner's table


def ask_as(api, token: str) -> str:
    messages = [{"role": "user", "content": "hello"}]
    response = api.post(
        "/serving-endpoints/bot/invocations", json={"messages": messages}, token=token
    )
    assert response.status_code == 200, response.text
    return response.headers["x-request-id"]
