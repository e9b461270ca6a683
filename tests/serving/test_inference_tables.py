"""Inference tables over real HTTP: rows, columns, request ids, redaction, truncation, batching."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

PAYLOAD = "main.default.bot_payload"
RAG = "Returns are accepted within 30 days of delivery. Refunds take five business days."


def builtin(name: str = "a", version: str | None = None) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "name": name,
        "external_model": {
            "provider": "lakeai",
            "name": "extractive-chat",
            "task": "llm/v1/chat",
            "lakeai_config": {},
        },
    }
    return entity


def create_captured(api, name: str = "bot", *, legacy: bool = False, **config: Any) -> None:
    table = {"catalog_name": "main", "schema_name": "default", "enabled": True, **config}
    body: dict[str, Any] = {"name": name, "config": {"served_entities": [builtin()]}}
    if legacy:
        body["config"]["auto_capture_config"] = table
    else:
        body["ai_gateway"] = {"inference_table_config": table}
    response = api.post("/api/2.0/serving-endpoints", json=body)
    assert response.status_code == 200, response.text


def ask(api, endpoint: str, question: str = "How long do refunds take?", **extra: Any):
    messages = [{"role": "system", "content": RAG}, {"role": "user", "content": question}]
    response = api.post(
        f"/serving-endpoints/{endpoint}/invocations", json={"messages": messages, **extra}
    )
    assert response.status_code == 200, response.text
    return response


def rows(api, table: str = PAYLOAD) -> list[dict[str, Any]]:
    services = api.app.state.services
    services.inference_tables.writer.flush()
    return services.tables.read(api.app.state.bootstrap.admin, table).to_pylist()


def test_each_call_is_one_row_in_databricks_layout_with_the_response_request_id(api):
    create_captured(api)
    ids = [
        ask(api, "bot", client_request_id=f"client-{i}").headers["x-request-id"] for i in range(8)
    ]
    found = rows(api)
    assert sorted(r["databricks_request_id"] for r in found) == sorted(ids)
    schema = api.app.state.services.tables.get(api.app.state.bootstrap.admin, PAYLOAD)
    assert [(c.name, c.type_name) for c in schema.columns] == [
        ("databricks_request_id", "STRING"),
        ("client_request_id", "STRING"),
        ("date", "DATE"),
        ("timestamp_ms", "LONG"),
        ("status_code", "INT"),
        ("execution_time_ms", "LONG"),
        ("request", "STRING"),
        ("response", "STRING"),
        ("served_entity_id", "STRING"),
        ("request_metadata", "MAP"),
        ("requester", "STRING"),
        ("sampling_fraction", "DOUBLE"),
    ]
    row = next(r for r in found if r["databricks_request_id"] == ids[3])
    assert row["client_request_id"] == "client-3" and row["status_code"] == 200
    assert json.loads(row["request"])["messages"][1]["content"] == "How long do refunds take?"
    assert "five business days" in json.loads(row["response"])["choices"][0]["message"]["content"]
    metadata = dict(row["request_metadata"])
    assert metadata["endpoint_name"] == "bot" and metadata["model_name"] == "extractive-chat"
    assert metadata["served_entity_name"] == "a" == row["served_entity_id"]
    assert row["requester"] == "admin" and row["sampling_fraction"] == 1.0
    assert row["execution_time_ms"] >= 0 and row["date"].isoformat()[:4] >= "2024"


def test_caller_supplied_x_request_id_is_the_row_id(api):
    create_captured(api)
    messages = [{"role": "user", "content": "hi"}]
    response = api.post(
        "/serving-endpoints/bot/invocations",
        json={"messages": messages},
        headers={"x-request-id": "trace-abc-123"},
    )
    assert response.headers["x-request-id"] == "trace-abc-123"
    assert [r["databricks_request_id"] for r in rows(api)] == ["trace-abc-123"]


def test_a_streamed_call_is_one_row_with_its_chunks(api):
    create_captured(api)
    messages = [{"role": "system", "content": RAG}, {"role": "user", "content": "Refunds?"}]
    response = api.post(
        "/serving-endpoints/bot/invocations", json={"messages": messages, "stream": True}
    )
    assert response.status_code == 200 and "data: [DONE]" in response.text
    [row] = rows(api)
    assert row["databricks_request_id"] == response.headers["x-request-id"]
    assert json.loads(row["request"])["stream"] is True
    chunks = json.loads(row["response"])["chunks"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert "five business days" in text


def test_legacy_auto_capture_config_with_default_prefix_and_owner(api):
    create_captured(api, "shop-bot", legacy=True)
    ask(api, "shop-bot")
    assert len(rows(api, "main.default.shop_bot_payload")) == 1
    info = api.get("/api/2.1/unity-catalog/tables/main.default.shop_bot_payload").json()
    assert info["owner"] == "admin"


def test_endpoint_without_capture_writes_nothing(api):
    body = {"name": "plain", "config": {"served_entities": [builtin()]}}
    assert api.post("/api/2.0/serving-endpoints", json=body).status_code == 200
    ask(api, "plain")
    assert api.app.state.services.inference_tables.writer.stats.enqueued == 0


@pytest.mark.parametrize(
    "secret",
    [
        "sk-proj-abcdefghijklmnopqrstuvwxyz0123",
        "Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature",
        "dapi0123456789abcdef0123456789abcdef",
        "AKIAIOSFODNN7EXAMPLE",
    ],
)
def test_secrets_in_a_request_never_reach_the_table(api, secret):
    create_captured(api)
    ask(api, "bot", f"my key is {secret} please help")
    ask(api, "bot", "hello", metadata={"api_key": "plain-looking-value-123"})
    stored = json.dumps(rows(api), default=str)
    assert secret not in stored and "plain-looking-value-123" not in stored
    assert stored.count("[REDACTED]") >= 2
    wal = api.app.state.services.platform.root / "inference_tables"
    assert all(secret.encode() not in p.read_bytes() for p in wal.rglob("*.jsonl"))


def test_configured_pii_patterns_are_redacted(tmp_path):
    from fastapi.testclient import TestClient

    from lakeai.server.app import create_app
    from tests.conftest import Api

    app = create_app(tmp_path / "ws", inference_tables_redact_patterns=r'["\\d{3}-\\d{2}-\\d{4}"]')
    with TestClient(app) as client:
        api = Api(client, app.state.bootstrap.new_admin_token, app)
        create_captured(api)
        ask(api, "bot", "my SSN is 123-45-6789")
        [row] = rows(api)
    assert "123-45-6789" not in row["request"] and "[REDACTED]" in row["request"]


def test_payload_over_the_limit_is_a_truncation_marker(tmp_path):
    from fastapi.testclient import TestClient

    from lakeai.server.app import create_app
    from tests.conftest import Api

    app = create_app(tmp_path / "ws", inference_tables_max_payload_bytes=2000)
    with TestClient(app) as client:
        api = Api(client, app.state.bootstrap.new_admin_token, app)
        create_captured(api)
        ask(api, "bot", "refunds? " + "x" * 5000)
        ask(api, "bot", "small")
        found = {json.loads(r["request"]).get("truncated", False): r for r in rows(api)}
    big = json.loads(found[True]["request"])
    assert big["truncated"] is True and big["size"] > 5000
    assert json.loads(found[False]["request"])["messages"][1]["content"] == "small"


def test_background_thread_commits_without_an_explicit_flush(tmp_path):
    from fastapi.testclient import TestClient

    from lakeai.server.app import create_app
    from tests.conftest import Api

    app = create_app(tmp_path / "ws", inference_tables_flush_seconds=0.05)
    with TestClient(app) as client:
        api = Api(client, app.state.bootstrap.new_admin_token, app)
        create_captured(api)
        for _ in range(5):
            ask(api, "bot")
        stats = app.state.services.inference_tables.writer.stats
        deadline = time.monotonic() + 20
        while stats.committed < 5 and time.monotonic() < deadline:
            time.sleep(0.02)  # polling the writer's counter, bounded by the deadline
        assert stats.committed == 5 and stats.commits <= 5


def test_graceful_shutdown_flushes_and_removes_the_wal(tmp_path):
    from fastapi.testclient import TestClient

    from lakeai import Workspace
    from lakeai.server.app import create_app
    from tests.conftest import Api

    app = create_app(tmp_path / "ws", inference_tables_flush_seconds=3600)
    with TestClient(app) as client:
        api = Api(client, app.state.bootstrap.new_admin_token, app)
        create_captured(api)
        ids = {ask(api, "bot").headers["x-request-id"] for _ in range(6)}
        assert app.state.services.inference_tables.writer.stats.committed == 0
    app.state.services.platform.close()
    with Workspace(tmp_path / "ws") as ws:
        found = ws.tables.read(PAYLOAD).to_pylist()
    assert {r["databricks_request_id"] for r in found} == ids and len(found) == 6
    assert not any((tmp_path / "ws" / "inference_tables" / "wal").iterdir())


def test_hook_costs_microseconds_and_never_fails_the_request(api):
    create_captured(api)
    ask(api, "bot")
    service = api.app.state.services.inference_tables
    snap = api.app.state.services.serving_endpoints.snapshot("bot")
    from lakeai.serving.invoke import CapturedCall

    request = {"messages": [{"role": "user", "content": "How long do refunds take?"}]}
    response = {"choices": [{"message": {"role": "assistant", "content": RAG}}], "usage": {}}
    call = CapturedCall("bot", "a", "rid", "admin", request, response, 200, 3)
    assert snap.captures
    times = []
    for _ in range(2000):
        started = time.perf_counter()
        service.capture(call)
        times.append(time.perf_counter() - started)
    median_us = sorted(times)[len(times) // 2] * 1e6
    assert median_us < 500, median_us  # tens of us on a quiet machine; the median resists noise
    assert service.writer.stats.enqueued >= 2000 and service.hook_errors == 0
    broken = CapturedCall("gone", "a", "rid", "admin", request, response, 200, 3)
    service.capture(broken)  # an unknown endpoint: counted, not raised
    assert service.hook_errors == 1


def test_a_fallback_writes_one_row_per_attempt_under_one_request_id(
    api, make_endpoint, dead_upstream
):
    from tests.serving.conftest import openai_entity

    make_endpoint(
        "fb",
        [openai_entity("dead", dead_upstream), builtin("live")],
        config={
            "traffic_config": {
                "routes": [{"served_entity_name": "dead", "traffic_percentage": 100}]
            }
        },
        ai_gateway={"inference_table_config": {"catalog_name": "main", "enabled": True}},
    )
    response = ask(api, "fb")
    assert response.headers["served-model-name"] == "live"
    found = sorted(rows(api, "main.default.fb_payload"), key=lambda r: r["status_code"])
    assert [(r["served_entity_id"], r["status_code"]) for r in found] == [
        ("live", 200),
        ("dead", 503),
    ]
    assert {r["databricks_request_id"] for r in found} == {response.headers["x-request-id"]}
    assert found[1]["response"] is None
