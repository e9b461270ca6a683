"""``lakeai endpoints`` and ``lakeai apply``, in-process and against the live server."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.cli.conftest import as_json
from tests.serving.conftest import FAKE_KEY, openai_entity, upstream  # noqa: F401 (fixture)


def _secret(cli, uid: str) -> str:
    cli("secrets", "create-scope", f"v{uid}")
    cli("secrets", "put", f"v{uid}", "openai", "--value", FAKE_KEY)
    return f"v{uid}/openai"


def test_create_query_stream_delete(cli, uid: str, upstream: str, tmp_path: Path) -> None:  # noqa: F811
    secret = _secret(cli, uid)
    chat = f"chat-{uid}"
    created = as_json(
        cli(
            "endpoints",
            "create",
            chat,
            "--provider",
            "openai",
            "--model",
            "gpt-4o-mini",
            "--secret",
            secret,
            "--api-base",
            upstream,
            "--json",
        )
    )
    assert created["task"] == "llm/v1/chat"
    assert cli("endpoints", "query", chat, "where is it").stdout.strip() == "You said: where is it"
    assert (
        cli("endpoints", "query", chat, "one two", "--stream").stdout.strip() == "You said: one two"
    )
    answer = as_json(cli("endpoints", "query", chat, "hi", "--json"))
    assert answer["object"] == "chat.completion"
    entity = openai_entity("e", upstream, task="llm/v1/embeddings", model="text-embedding-3-small")
    entity["external_model"]["openai_config"]["openai_api_key"] = f"{{{{secrets/{secret}}}}}"
    config = tmp_path / "embed.json"
    config.write_text(json.dumps({"served_entities": [entity]}))
    cli("endpoints", "create", f"embed-{uid}", "--file", str(config))
    assert "of 8 dimensions" in cli("endpoints", "query", f"embed-{uid}", "text").stdout
    names = [e["name"] for e in as_json(cli("endpoints", "list", "--json"))]
    assert {chat, f"embed-{uid}", "lakeai-chat"} <= set(names)
    assert chat in cli("endpoints", "list").stdout
    assert as_json(cli("endpoints", "get", chat, "--json"))["name"] == chat
    cli("endpoints", "delete", chat)
    missing = cli("endpoints", "get", chat, ok=False)
    assert missing.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in missing.stderr


def test_apply_plan_dry_run_and_prune(cli, uid: str, upstream: str, tmp_path: Path) -> None:  # noqa: F811
    secret = _secret(cli, uid)
    doc = {
        "endpoints": [
            {
                "name": f"gw-{uid}",
                "endpoint_type": "llm/v1/chat",
                "model": {
                    "provider": "openai",
                    "name": "gpt-4o-mini",
                    "config": {
                        "openai_api_key": f"{{{{secrets/{secret}}}}}",
                        "openai_api_base": upstream,
                    },
                },
                "limit": {"calls": 10, "renewal_period": "minute"},
            }
        ]
    }
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(doc))
    plan = as_json(cli("apply", str(path), "--dry-run", "--json"))
    assert plan == {
        "dry_run": True,
        "changes": [{"action": "create", "name": f"gw-{uid}", "parts": []}],
    }
    assert "1 endpoint(s) changed" in cli("apply", str(path)).stdout
    assert "unchanged" in cli("apply", str(path)).stdout
    if cli.target == "local":  # the shared server holds other tests' endpoints
        cli(
            "endpoints",
            "create",
            "extra",
            "--provider",
            "openai",
            "--model",
            "m",
            "--secret",
            secret,
            "--api-base",
            upstream,
        )
        pruned = as_json(cli("apply", str(path), "--prune", "--json"))["changes"]
        assert {c["name"]: c["action"] for c in pruned} == {
            f"gw-{uid}": "unchanged",
            "extra": "delete",
        }
    doc["endpoints"][0]["model"]["config"]["openai_api_key"] = "$OPENAI_API_KEY"
    path.write_text(yaml.safe_dump(doc))
    refused = cli("apply", str(path), ok=False)
    assert refused.exit_code == 1 and "lakeai secrets put" in refused.stderr
