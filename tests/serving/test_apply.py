"""``lakeai.serving.apply``: both file formats, reconciling, pruning and refused plain keys."""

from __future__ import annotations

import pytest
import yaml

from lakeai.errors import InvalidParameterValue
from lakeai.serving.apply import apply, parse_document
from tests.serving.conftest import FAKE_KEY


@pytest.fixture
def endpoints(ws):
    ws.secrets.create_scope("vendor")
    ws.secrets.put("vendor", "openai", string_value=FAKE_KEY)
    return ws.serving_endpoints


def databricks_doc(upstream: str, *, calls: int = 5, team: str = "support") -> dict:
    entity = {
        "name": "main",
        "external_model": {
            "provider": "openai",
            "name": "gpt-4o-mini",
            "task": "llm/v1/chat",
            "openai_config": {
                "openai_api_key": "{{secrets/vendor/openai}}",
                "openai_api_base": upstream,
            },
        },
    }
    return {
        "serving_endpoints": [
            {
                "name": "bot",
                "config": {"served_entities": [entity]},
                "ai_gateway": {
                    "rate_limits": [{"calls": calls, "key": "user", "renewal_period": "minute"}]
                },
                "tags": [{"key": "team", "value": team}],
            }
        ]
    }


MLFLOW_YAML = """
endpoints:
  - name: mlchat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: "{{secrets/vendor/openai}}"
        openai_api_base: UPSTREAM
    limit: {calls: 10, renewal_period: minute}
  - name: local-llm
    endpoint_type: llm/v1/chat
    model:
      provider: ollama
      name: llama3
      config: {api_base: "http://127.0.0.1:11434/v1"}
"""


def _actions(changes) -> dict[str, str]:
    return {c.name: c.action for c in changes}


def test_databricks_format_create_update_unchanged(endpoints, upstream):
    specs = parse_document(databricks_doc(upstream))
    assert _actions(apply(endpoints, specs, dry_run=True)) == {"bot": "create"}
    assert all(e["name"] != "bot" for e in endpoints.list())  # dry run changed nothing
    assert _actions(apply(endpoints, specs)) == {"bot": "create"}
    assert endpoints.query("bot", {"messages": [{"role": "user", "content": "hi"}]})["choices"]
    assert _actions(apply(endpoints, specs)) == {"bot": "unchanged"}
    changed = apply(endpoints, parse_document(databricks_doc(upstream, calls=7, team="sales")))
    assert [(c.action, c.parts) for c in changed] == [("update", ["ai_gateway", "tags"])]
    current = endpoints.get("bot")
    assert current["ai_gateway"]["rate_limits"][0]["calls"] == 7
    assert current["tags"] == [{"key": "team", "value": "sales"}]


def test_mlflow_format_maps_providers_and_limits(endpoints, upstream):
    specs = parse_document(yaml.safe_load(MLFLOW_YAML.replace("UPSTREAM", upstream)))
    apply(endpoints, specs)
    chat = endpoints.get("mlchat")
    assert chat["ai_gateway"]["rate_limits"] == [
        {"calls": 10, "key": "endpoint", "renewal_period": "minute"}
    ]
    assert (
        endpoints.query("mlchat", {"messages": [{"role": "user", "content": "yo"}]})["choices"][0][
            "message"
        ]["content"]
        == "You said: yo"
    )
    model = endpoints.get("local-llm")["config"]["served_entities"][0]["external_model"]
    assert model["provider"] == "openai-compatible"
    assert model["openai_compatible_config"] == {"api_base": "http://127.0.0.1:11434/v1"}
    assert _actions(apply(endpoints, specs)) == {"mlchat": "unchanged", "local-llm": "unchanged"}


def test_prune_keeps_the_defaults(endpoints, upstream):
    apply(endpoints, parse_document(yaml.safe_load(MLFLOW_YAML.replace("UPSTREAM", upstream))))
    changes = apply(endpoints, parse_document(databricks_doc(upstream)), prune=True)
    assert _actions(changes) == {"bot": "create", "local-llm": "delete", "mlchat": "delete"}
    assert sorted(e["name"] for e in endpoints.list()) == ["bot", "lakeai-chat", "lakeai-embed"]


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        (
            {
                "endpoints": [
                    {
                        "name": "x",
                        "endpoint_type": "llm/v1/chat",
                        "model": {
                            "provider": "openai",
                            "name": "m",
                            "config": {"openai_api_key": "$OPENAI_API_KEY"},
                        },
                    }
                ]
            },
            "lakeai secrets put",
        ),
        (
            {
                "endpoints": [
                    {
                        "name": "x",
                        "endpoint_type": "llm/v1/chat",
                        "model": {
                            "provider": "openai",
                            "name": "m",
                            "config": {"openai_api_key": "sk-123"},
                        },
                    }
                ]
            },
            "secret reference",
        ),
        (
            {
                "endpoints": [
                    {
                        "name": "x",
                        "endpoint_type": "llm/v1/chat",
                        "model": {"provider": "huggingface-text-generation-inference", "name": "m"},
                    }
                ]
            },
            "no LakeAI equivalent",
        ),
        ({"endpoints": [{"name": "x", "route_type": "llm/v1/chat"}]}, "route_type"),
        ({"serving_endpoints": [{"name": "x"}]}, "needs a name and a config"),
        ({"something": []}, "neither serving_endpoints"),
    ],
)
def test_bad_files_are_refused_with_a_fix(doc, needle):
    with pytest.raises(InvalidParameterValue, match=needle) as info:
        parse_document(doc)
    assert "sk-123" not in str(info.value)  # a literal key is never echoed


def test_gemini_and_bedrock_names_map():
    doc = {
        "endpoints": [
            {
                "name": "g",
                "endpoint_type": "llm/v1/chat",
                "model": {
                    "provider": "gemini",
                    "name": "gemini-2.0-flash",
                    "config": {"gemini_api_key": "{{secrets/v/g}}"},
                },
            },
            {
                "name": "b",
                "endpoint_type": "llm/v1/chat",
                "model": {
                    "provider": "bedrock",
                    "name": "anthropic.claude",
                    "config": {
                        "aws_config": {
                            "aws_region": "us-east-1",
                            "aws_access_key_id": "{{secrets/v/a}}",
                            "aws_secret_access_key": "{{secrets/v/s}}",
                        }
                    },
                },
            },
        ]
    }
    g, b = (s.config["served_entities"][0]["external_model"] for s in parse_document(doc))
    assert g["provider"] == "google" and g["google_config"] == {"google_api_key": "{{secrets/v/g}}"}
    assert (
        b["provider"] == "amazon-bedrock"
        and b["amazon_bedrock_config"]["aws_region"] == "us-east-1"
    )
