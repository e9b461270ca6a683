"""Validating and normalising an endpoint config, and rendering endpoints as Databricks JSON.

Plaintext credentials (``<field>_plaintext``) are encrypted with the workspace's secrets key
before they are stored and never rendered back; secret references are kept as references.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lakeai.core.models import ServingEndpointRow
from lakeai.errors import InvalidParameterValue
from lakeai.gateway.ratelimit import RateLimitRule
from lakeai.serving.entities import EntityInfo, default_entity_name, kind_of
from lakeai.serving.models import AiGatewayConfig, EndpointConfig, Route, TrafficConfig

ENCRYPTED_PREFIX = "enc:v1:"


M = TypeVar("M", bound=BaseModel)


def parse_model(model: type[M], data: Any, what: str) -> M:
    """Validate a body part; a 400 naming the first bad field otherwise."""
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or what
        raise InvalidParameterValue(
            f"Invalid {what}: {field}: {first.get('msg', 'invalid')}."
        ) from None


def normalize_config(
    raw: Any,
    *,
    allow_link_local: bool,
    encrypt: Callable[[str], str],
) -> tuple[EndpointConfig, str, list[EntityInfo]]:
    """Check every served entity, name them, settle the traffic split; returns (config, task, infos)."""
    config = parse_model(EndpointConfig, raw, "config")
    if not config.served_entities:
        raise InvalidParameterValue("config.served_entities needs at least one served entity.")
    infos: list[EntityInfo] = []
    seen: set[str] = set()
    for entity in config.served_entities:
        entity.name = entity.name or default_entity_name(entity)
        if entity.name in seen:
            raise InvalidParameterValue(f"Served entity name {entity.name!r} is used twice.")
        seen.add(entity.name)
        info = kind_of(entity).validate(entity, allow_link_local=allow_link_local)
        infos.append(EntityInfo(entity.name, info.task, info.provider, info.model))
        _encrypt_plaintext(
            entity.external_model.model_extra if entity.external_model else None, encrypt
        )
    tasks = {i.task for i in infos}
    if len(tasks) > 1:
        raise InvalidParameterValue(
            f"All served entities of an endpoint must share one task; got {', '.join(sorted(tasks))}."
        )
    config.traffic_config = _traffic(config, [i.name for i in infos])
    return config, infos[0].task, infos


def _encrypt_plaintext(extra: dict[str, Any] | None, encrypt: Callable[[str], str]) -> None:
    for section in (extra or {}).values():
        if not isinstance(section, dict):
            continue
        for key, value in list(section.items()):
            if key.endswith("_plaintext") and value and not str(value).startswith(ENCRYPTED_PREFIX):
                section[key] = ENCRYPTED_PREFIX + encrypt(str(value))


def _traffic(config: EndpointConfig, names: list[str]) -> TrafficConfig:
    """The given split (checked), or an even split over the entities when none is given.

    Shadow routes (a LakeAI extension) name entities that get copies; they are left out of the
    even split and their percentages (the share of requests copied) need not sum to 100.
    """
    given = config.traffic_config or TrafficConfig()
    shadows = _checked_routes(given.shadow_routes or [], names, "shadow_routes")
    if given.sticky_field is not None and not given.sticky_field.strip():
        raise InvalidParameterValue("traffic_config.sticky_field must name a request field.")
    extras = {"sticky_field": given.sticky_field, "shadow_routes": shadows or None}
    if not given.routes:
        shadow_only = {r.target for r in shadows}
        live = [n for n in names if n not in shadow_only] or names
        share, rest = divmod(100, len(live))
        routes = [
            Route(served_entity_name=n, traffic_percentage=share + (rest if i == 0 else 0))
            for i, n in enumerate(live)
        ]
        return TrafficConfig(routes=routes, **extras)
    routes = _checked_routes(given.routes, names, "routes")
    total = sum(r.traffic_percentage for r in routes)
    if total != 100:
        raise InvalidParameterValue(f"traffic_config percentages must sum to 100, not {total}.")
    return TrafficConfig(routes=routes, **extras)


def _checked_routes(routes: list[Route], names: list[str], what: str) -> list[Route]:
    unknown = [r.target for r in routes if r.target not in names]
    if unknown:
        raise InvalidParameterValue(
            f"traffic_config {what} name unknown served entities {', '.join(unknown)}; "
            f"served entities: {', '.join(names)}."
        )
    for route in routes:
        route.served_entity_name, route.served_model_name = route.target, None
    return routes


def parse_rate_limits(raw: Any) -> list[dict[str, Any]]:
    """Validated rate limits in their stored form (the gateway's one parser decides)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidParameterValue(
            "rate_limits must be a list of {calls, tokens, key, renewal_period}."
        )
    rules = [RateLimitRule.parse(r) for r in raw]
    return [{k: v for k, v in dataclasses.asdict(rule).items() if v is not None} for rule in rules]


def parse_ai_gateway(raw: Any) -> AiGatewayConfig:
    gateway = parse_model(AiGatewayConfig, raw, "ai_gateway")
    if gateway.rate_limits is not None:
        gateway.rate_limits = parse_rate_limits(gateway.rate_limits)
    return gateway


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("<redacted>" if k.endswith("_plaintext") else _redacted(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


def endpoint_json(row: ServingEndpointRow, *, brief: bool = False) -> dict[str, Any]:
    """``ServingEndpointDetailed`` (or the list item shape with ``brief``)."""
    config = _redacted(row.config)
    entities = [
        {**e, "state": {"deployment": "DEPLOYMENT_READY"}, "creator": row.creator}
        for e in config.get("served_entities", [])
    ]
    body: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "creator": row.creator,
        "creation_timestamp": row.created_at,
        "last_updated_timestamp": row.updated_at,
        "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
        "config": {**config, "served_entities": entities, "config_version": row.config_version},
        "task": row.task,
        "tags": row.tags or None,
        "ai_gateway": row.ai_gateway or None,
        "description": row.description,
        "route_optimized": False,
        "endpoint_url": f"/serving-endpoints/{row.name}/invocations",
    }
    if brief:
        body["config"] = {"served_entities": entities}
    return {k: v for k, v in body.items() if v is not None}
