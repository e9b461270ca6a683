"""Serving endpoints through REST: lifecycle, validation, governance and audit."""

from __future__ import annotations

import pytest

from tests.serving.conftest import FAKE_KEY, openai_entity

BASE = "/api/2.0/serving-endpoints"


def test_default_endpoints_exist_and_everyone_may_query(api):
    names = [e["name"] for e in api.get(BASE).json()["endpoints"]]
    assert names == ["lakeai-chat", "lakeai-embed"]
    platform = api.app.state.services.platform
    row = platform.principals.create("user", "newbie")
    token, _ = platform.principals.create_token(row.id)
    assert [e["name"] for e in api.get(BASE, token=token).json()["endpoints"]] == names
    assert api.get(f"{BASE}/lakeai-embed").json()["task"] == "llm/v1/embeddings"


def test_lifecycle(api, make_endpoint, upstream):
    created = make_endpoint(
        "chat-a", [openai_entity("a", upstream)], tags=[{"key": "team", "value": "support"}]
    )
    assert created["name"] == "chat-a" and created["state"]["config_update"] == "NOT_UPDATING"
    assert created["task"] == "llm/v1/chat" and created["creator"] == "admin"
    routes = created["config"]["traffic_config"]["routes"]
    assert routes == [{"served_entity_name": "a", "traffic_percentage": 100}]
    updated = api.put(
        f"{BASE}/chat-a/config",
        json={
            "served_entities": [openai_entity("a", upstream), openai_entity("b", upstream)],
            "traffic_config": {
                "routes": [
                    {"served_entity_name": "a", "traffic_percentage": 30},
                    {"served_entity_name": "b", "traffic_percentage": 70},
                ]
            },
        },
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["config"]["config_version"] == 2
    gateway = {
        "rate_limits": [{"calls": 5, "key": "user", "renewal_period": "minute"}],
        "usage_tracking_config": {"enabled": True},
    }
    assert api.put(f"{BASE}/chat-a/ai-gateway", json=gateway).json()["rate_limits"][0]["calls"] == 5
    tags = api.patch(
        f"{BASE}/chat-a/tags",
        json={"add_tags": [{"key": "tier", "value": "gold"}], "delete_tags": ["team"]},
    ).json()
    assert tags == {"tags": [{"key": "tier", "value": "gold"}]}
    assert api.delete(f"{BASE}/chat-a").json() == {}
    assert api.get(f"{BASE}/chat-a").status_code == 404
    audit = api.app.state.services.tables.read(
        api.app.state.bootstrap.admin, "system.access.audit"
    ).to_pylist()
    actions = [
        r["action"]
        for r in sorted(audit, key=lambda r: r["event_time"])
        if r["securable"] == "chat-a"
    ]
    assert actions == [
        "createServingEndpoint",
        "updateServingEndpointConfig",
        "updateServingEndpointAiGateway",
        "updateServingEndpointTags",
        "deleteServingEndpoint",
    ]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"name": "bad name!", "config": {"served_entities": [{}]}}, "Invalid endpoint name"),
        ({"name": "x"}, "config is required"),
        ({"name": "x", "config": {"served_entities": []}}, "at least one served entity"),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {"external_model": {"provider": "nope", "name": "m", "task": "llm/v1/chat"}}
                    ]
                },
            },
            "Unknown provider",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "external_model": {
                                "provider": "openai",
                                "name": "m",
                                "task": "llm/v9/dance",
                            }
                        }
                    ]
                },
            },
            "task",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "external_model": {
                                "provider": "openai",
                                "name": "m",
                                "task": "llm/v1/chat",
                                "openai_config": {},
                            }
                        }
                    ]
                },
            },
            "openai_api_key is required",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "external_model": {
                                "provider": "openai",
                                "name": "m",
                                "task": "llm/v1/chat",
                                "openai_config": {"openai_api_key": "sk-literal"},
                            }
                        }
                    ]
                },
            },
            "secret reference",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "external_model": {
                                "provider": "openai",
                                "name": "m",
                                "task": "llm/v1/chat",
                                "openai_config": {
                                    "openai_api_key": "{{secrets/vendor/openai}}",
                                    "openai_api_base": "http://169.254.169.254/v1",
                                },
                            }
                        }
                    ]
                },
            },
            "link-local",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "external_model": {
                                "provider": "openai",
                                "name": "m",
                                "task": "llm/v1/chat",
                                "openai_config": {"openai_api_key": "{{secrets/vendor/nokey}}"},
                            }
                        }
                    ]
                },
            },
            "nokey",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {"entity_name": "main.default.model", "entity_version": "1"}
                    ]
                },
            },
            "does not exist",  # a registered model version is servable once it exists
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "name": "a",
                            "external_model": {
                                "provider": "lakeai",
                                "name": "extractive-chat",
                                "task": "llm/v1/chat",
                            },
                        }
                    ],
                    "traffic_config": {
                        "routes": [{"served_entity_name": "a", "traffic_percentage": 90}]
                    },
                },
            },
            "sum to 100",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "name": "a",
                            "external_model": {
                                "provider": "lakeai",
                                "name": "extractive-chat",
                                "task": "llm/v1/chat",
                            },
                        }
                    ],
                    "traffic_config": {
                        "routes": [{"served_entity_name": "zz", "traffic_percentage": 100}]
                    },
                },
            },
            "unknown served entities",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "name": "a",
                            "external_model": {
                                "provider": "lakeai",
                                "name": "extractive-chat",
                                "task": "llm/v1/chat",
                            },
                        }
                    ]
                },
                "ai_gateway": {"rate_limits": [{"key": "user", "renewal_period": "minute"}]},
            },
            "calls', 'tokens' or both",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "name": "a",
                            "external_model": {
                                "provider": "lakeai",
                                "name": "extractive-chat",
                                "task": "llm/v1/chat",
                            },
                        }
                    ]
                },
                "ai_gateway": {"rate_limits": [{"calls": 1, "renewal_period": "fortnight"}]},
            },
            "renewal_period",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "name": "a",
                            "external_model": {
                                "provider": "lakeai",
                                "name": "extractive-chat",
                                "task": "llm/v1/chat",
                            },
                        },
                        {
                            "name": "a",
                            "external_model": {
                                "provider": "lakeai",
                                "name": "extractive-chat",
                                "task": "llm/v1/chat",
                            },
                        },
                    ]
                },
            },
            "used twice",
        ),
        (
            {
                "name": "x",
                "config": {
                    "served_entities": [
                        {
                            "name": "a",
                            "external_model": {
                                "provider": "lakeai",
                                "name": "extractive-chat",
                                "task": "llm/v1/chat",
                            },
                        },
                        {
                            "name": "b",
                            "external_model": {
                                "provider": "lakeai",
                                "name": "minilm-embed",
                                "task": "llm/v1/embeddings",
                            },
                        },
                    ]
                },
            },
            "share one task",
        ),
    ],
)
def test_bad_configs_are_400(api, vendor_secret, body, needle):
    response = api.post(BASE, json=body)
    assert response.status_code in (400, 404), response.text
    assert needle in response.json()["message"]
    assert api.get(f"{BASE}/x").status_code == 404  # nothing half-created


def test_duplicate_is_409(api, make_endpoint, upstream):
    make_endpoint("dup", [openai_entity("a", upstream)])
    response = api.post(
        BASE, json={"name": "dup", "config": {"served_entities": [openai_entity("a", upstream)]}}
    )
    assert response.status_code == 409
    assert response.json()["error_code"] == "RESOURCE_ALREADY_EXISTS"


def test_query_and_manage_are_separate_privileges(api, make_endpoint, upstream):
    make_endpoint("gov", [openai_entity("a", upstream)])
    platform = api.app.state.services.platform
    row = platform.principals.create("user", "quinn")
    token, _ = platform.principals.create_token(row.id)
    body = {"messages": [{"role": "user", "content": "hi"}]}
    denied = api.post("/serving-endpoints/gov/invocations", json=body, token=token)
    assert denied.status_code == 403 and "QUERY" in denied.json()["message"]
    grant = {"changes": [{"principal": "quinn", "add": ["QUERY"]}]}
    assert (
        api.patch("/api/2.1/unity-catalog/permissions/serving_endpoint/gov", json=grant).status_code
        == 200
    )
    assert api.post("/serving-endpoints/gov/invocations", json=body, token=token).status_code == 200
    change = api.put(
        f"{BASE}/gov/ai-gateway", json={"fallback_config": {"enabled": False}}, token=token
    )
    assert change.status_code == 403 and "MANAGE" in change.json()["message"]
    assert api.delete(f"{BASE}/gov", token=token).status_code == 403


def test_keys_never_leave_the_server(api, make_endpoint, upstream):
    plain = {
        "name": "p",
        "external_model": {
            "provider": "openai",
            "name": "gpt-4o-mini",
            "task": "llm/v1/chat",
            "openai_config": {"openai_api_key_plaintext": FAKE_KEY, "openai_api_base": upstream},
        },
    }
    created = make_endpoint("leak", [plain])
    assert FAKE_KEY not in str(created)
    assert FAKE_KEY not in api.get(f"{BASE}/leak").text
    from lakeai.core.models import ServingEndpointRow

    with api.app.state.services.platform.metastore.session() as s:
        stored = s.get(ServingEndpointRow, "leak").config
    assert FAKE_KEY not in str(stored)  # encrypted at rest
    answer = api.post(
        "/serving-endpoints/leak/invocations",
        json={"messages": [{"role": "user", "content": "hi"}]},
    )
    assert answer.status_code == 200, answer.text
    services = api.app.state.services
    services.serving_endpoints.usage.flush()
    admin = api.app.state.bootstrap.admin
    for table in ("system.access.audit", "system.serving.endpoint_usage"):
        assert FAKE_KEY not in str(services.tables.read(admin, table).to_pylist())
