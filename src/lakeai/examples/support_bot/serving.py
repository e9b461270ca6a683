"""The example's endpoints: ``support-llm``, the registered chain and ``support-bot`` at 50/50.

``support-llm`` serves the offline ``extractive-chat`` unless ``OPENAI_API_KEY`` is set when the
example is loaded; then the key goes into the secret ``support_bot/openai`` and the endpoint
references it (never the key itself). The chain's served entities get the LakeAI address in
their ``environment_vars``: the workspace folder in-process, or the server's URL with a token
kept in the secret ``support_bot/lakeai_token``.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from lakeai.errors import ResourceAlreadyExists, ResourceDoesNotExist
from lakeai.examples.support_bot.register import MODEL

BOT_ENDPOINT = "support-bot"
SECRET_SCOPE = "support_bot"
OPENAI_MODEL = "gpt-4o-mini"


def _secret(ws: Any, key: str, value: str) -> str:
    with contextlib.suppress(ResourceAlreadyExists):
        ws.secrets.create_scope(SECRET_SCOPE)
    ws.secrets.put(SECRET_SCOPE, key, string_value=value)
    return f"{{{{secrets/{SECRET_SCOPE}/{key}}}}}"


def support_llm_config(ws: Any) -> tuple[dict[str, Any], str]:
    """The chat endpoint's config, and what it serves in words."""
    key = os.environ.get("OPENAI_API_KEY")
    if key:
        model = {
            "provider": "openai",
            "name": OPENAI_MODEL,
            "task": "llm/v1/chat",
            "openai_config": {"openai_api_key": _secret(ws, "openai", key)},
        }
        what = f"openai/{OPENAI_MODEL} (key in secret {SECRET_SCOPE}/openai)"
    else:
        model = {
            "provider": "lakeai",
            "name": "extractive-chat",
            "task": "llm/v1/chat",
            "lakeai_config": {},
        }
        what = "lakeai/extractive-chat (offline; set OPENAI_API_KEY before loading for GPT)"
    return {"served_entities": [{"name": model["name"], "external_model": model}]}, what


def chain_environment(ws: Any) -> dict[str, str]:
    """How the served chain reaches this LakeAI (see ``bot.connect_from_env``)."""
    url = getattr(ws, "url", None)
    if url:  # a RemoteWorkspace: the server's URL and a token of the loading principal
        token = ws.tokens.create(comment="support-bot chain")["token_value"]
        return {"LAKEAI_HOST": url, "LAKEAI_TOKEN": _secret(ws, "lakeai_token", token)}
    return {"LAKEAI_WORKSPACE": str(ws.platform.root)}


def bot_endpoint_config(env: dict[str, str]) -> dict[str, Any]:
    entities = [
        {
            "name": f"bot-v{v}",
            "entity_name": MODEL,
            "entity_version": str(v),
            "workload_size": "Small",
            "scale_to_zero_enabled": True,
            "environment_vars": env,
        }
        for v in (1, 2)
    ]
    routes = [{"served_entity_name": e["name"], "traffic_percentage": 50} for e in entities]
    return {
        "served_entities": entities,
        "traffic_config": {"routes": routes},
        "auto_capture_config": {
            "catalog_name": "main",
            "schema_name": "support",
            "table_name_prefix": "support_bot",
            "enabled": True,
        },
    }


def serve_chain(ws: Any) -> str:
    """Create ``support-bot`` (v1 and v2 at 50/50, inference table) unless it exists."""
    try:
        ws.serving_endpoints.get(BOT_ENDPOINT)
        return f"{BOT_ENDPOINT} kept"
    except ResourceDoesNotExist:
        pass
    ws.serving_endpoints.create(BOT_ENDPOINT, config=bot_endpoint_config(chain_environment(ws)))
    return f"{BOT_ENDPOINT} serves v1 and v2 at 50/50, captured to main.support.support_bot_*"
