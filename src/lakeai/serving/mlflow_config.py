"""MLflow AI Gateway endpoint configs translated into Databricks' serving-endpoint shape.

MLflow lets a key be ``$ENV_VAR``, a file path or the key itself; LakeAI stores only secret
references, so anything but ``{{secrets/scope/key}}`` in a credential field is refused with
the commands that fix it (rather than copying a key into the metastore unasked).
"""

from __future__ import annotations

from typing import Any

from lakeai.errors import InvalidParameterValue

# MLflow provider name -> (LakeAI provider, its config key, {mlflow field: our field}).
_OPENAI_FIELDS = {
    k: k
    for k in (
        "openai_api_key",
        "openai_api_base",
        "openai_api_type",
        "openai_api_version",
        "openai_deployment_name",
        "openai_organization",
    )
}
PROVIDERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "openai": ("openai", "openai_config", _OPENAI_FIELDS),
    "azure": ("azure-openai", "openai_config", _OPENAI_FIELDS),
    "anthropic": (
        "anthropic",
        "anthropic_config",
        {"anthropic_api_key": "anthropic_api_key", "anthropic_api_base": "anthropic_api_base"},
    ),
    "cohere": (
        "cohere",
        "cohere_config",
        {"cohere_api_key": "cohere_api_key", "cohere_api_base": "cohere_api_base"},
    ),
    "mistral": (
        "mistral",
        "mistral_config",
        {"mistral_api_key": "mistral_api_key", "mistral_api_base": "mistral_api_base"},
    ),
    "gemini": (
        "google",
        "google_config",
        {"gemini_api_key": "google_api_key", "gemini_api_base": "google_api_base"},
    ),
}
BEDROCK = ("bedrock", "amazon-bedrock")
OPENAI_COMPATIBLE = (
    "ollama",
    "togetherai",
    "groq",
    "deepseek",
    "xai",
    "openrouter",
    "litellm",
    "openai-compatible",
)
SECRET_SUFFIXES = ("_api_key", "_token", "aws_access_key_id", "aws_secret_access_key")
RENEWAL_PERIODS = ("minute", "hour", "day")
RATE_KEYS = ("user", "user_group", "service_principal", "endpoint")


def _secret(endpoint: str, field: str, value: Any) -> str:
    text = str(value or "")
    if text.startswith("{{secrets/") and text.endswith("}}"):
        return text
    hint = text if text.startswith("$") else "<the key>"
    raise InvalidParameterValue(
        f"Endpoint {endpoint}: {field} must be a secret reference, not {hint!r}. Store the key "
        f"with 'lakeai secrets put <scope> <key>' and write {field}: "
        "'{{secrets/<scope>/<key>}}' in the file."
    )


def _map_fields(endpoint: str, config: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    unknown = sorted(set(config) - set(fields))
    if unknown:
        raise InvalidParameterValue(
            f"Endpoint {endpoint}: unsupported model.config keys {', '.join(unknown)}; "
            f"supported: {', '.join(sorted(fields))}."
        )
    out = {}
    for key, value in config.items():
        if value is None:
            continue
        secret = any(key.endswith(s) for s in SECRET_SUFFIXES)
        out[fields[key]] = _secret(endpoint, key, value) if secret else value
    return out


def _provider(
    endpoint: str, provider: str, config: dict[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    if provider in PROVIDERS:
        ours, key, fields = PROVIDERS[provider]
        return ours, key, _map_fields(endpoint, config, fields)
    if provider in BEDROCK:
        aws = dict(config.get("aws_config") or {})
        fields = {
            k: k
            for k in (
                "aws_region",
                "aws_access_key_id",
                "aws_secret_access_key",
                "aws_session_token",
            )
        }
        return "amazon-bedrock", "amazon_bedrock_config", _map_fields(endpoint, aws, fields)
    if provider in OPENAI_COMPATIBLE:
        fields = {"api_key": "api_key", "api_base": "api_base"}
        return (
            "openai-compatible",
            "openai_compatible_config",
            _map_fields(endpoint, config, fields),
        )
    known = sorted([*PROVIDERS, *BEDROCK, *OPENAI_COMPATIBLE])
    raise InvalidParameterValue(
        f"Endpoint {endpoint}: MLflow provider {provider!r} has no LakeAI equivalent; "
        f"supported: {', '.join(known)}."
    )


def _rate_limit(endpoint: str, limit: dict[str, Any]) -> dict[str, Any]:
    period = limit.get("renewal_period", "minute")
    key = limit.get("key") or "endpoint"
    if period not in RENEWAL_PERIODS or key not in RATE_KEYS:
        raise InvalidParameterValue(
            f"Endpoint {endpoint}: limit needs renewal_period in {', '.join(RENEWAL_PERIODS)} "
            f"and key in {', '.join(RATE_KEYS)}; got {period!r}, {key!r}."
        )
    return {"calls": int(limit["calls"]), "key": key, "renewal_period": period}


def endpoint_from_mlflow(item: Any) -> dict[str, Any]:
    """``{name, config, ai_gateway}`` for one MLflow gateway ``endpoints`` item."""
    if not isinstance(item, dict) or "route_type" in item:
        raise InvalidParameterValue(
            "Each endpoints item needs name, endpoint_type and model ('route_type' is the old "
            "spelling of endpoint_type)."
        )
    name, task, model = item.get("name"), item.get("endpoint_type"), item.get("model")
    if not name or not task or not isinstance(model, dict):
        raise InvalidParameterValue("Each endpoints item needs name, endpoint_type and model.")
    provider, config_key, provider_config = _provider(
        name, str(model.get("provider")), dict(model.get("config") or {})
    )
    external = {
        "provider": provider,
        "name": model.get("name"),
        "task": task,
        config_key: provider_config,
    }
    spec: dict[str, Any] = {
        "name": name,
        "config": {"served_entities": [{"name": name, "external_model": external}]},
    }
    if item.get("limit"):
        spec["ai_gateway"] = {"rate_limits": [_rate_limit(name, item["limit"])]}
    return spec
