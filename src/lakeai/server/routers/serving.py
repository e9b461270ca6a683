"""Serving endpoints: Databricks' /api/2.0/serving-endpoints paths (with or without a trailing slash)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from lakeai.errors import InvalidParameterValue
from lakeai.server.bodies import json_object
from lakeai.server.deps import PrincipalDep, ServicesDep
from lakeai.server.routers._models import Body

router = APIRouter(prefix="/api/2.0/serving-endpoints", tags=["serving endpoints"])


class CreateEndpoint(Body):
    name: str
    config: dict[str, Any] | None = None
    ai_gateway: dict[str, Any] | None = None
    rate_limits: list[dict[str, Any]] | None = None
    tags: list[dict[str, Any]] | None = None
    description: str | None = None


class RateLimits(Body):
    rate_limits: list[dict[str, Any]] = []


class PatchTags(Body):
    add_tags: list[dict[str, Any]] | None = None
    delete_tags: list[str] | None = None


@router.post("")
@router.post("/", include_in_schema=False)
def create_endpoint(body: CreateEndpoint, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    if body.config is None:
        raise InvalidParameterValue("config is required: {served_entities: [...]}.")
    return s.serving_endpoints.create(
        p,
        body.name,
        config=body.config,
        ai_gateway=body.ai_gateway,
        rate_limits=body.rate_limits,
        tags=body.tags,
        description=body.description,
    )


@router.get("")
@router.get("/", include_in_schema=False)
def list_endpoints(s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"endpoints": s.serving_endpoints.list(p)}


@router.get("/{name}")
def get_endpoint(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.serving_endpoints.get(p, name)


@router.get("/{name}/served-models/{served}/logs")
def served_model_logs(name: str, served: str, s: ServicesDep, p: PrincipalDep) -> dict[str, str]:
    """The tail of a served model's worker output (``serving_endpoints.logs`` in the SDK)."""
    return s.serving_endpoints.served_model_logs(p, name, served)


@router.delete("/{name}")
def delete_endpoint(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.serving_endpoints.delete(p, name)
    return {}


@router.put("/{name}/config")
async def update_config(
    name: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    from starlette.concurrency import run_in_threadpool

    config = await json_object(request)
    return await run_in_threadpool(s.serving_endpoints.update_config, p, name, config)


@router.put("/{name}/ai-gateway")
async def put_ai_gateway(
    name: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    from starlette.concurrency import run_in_threadpool

    gateway = await json_object(request)
    gateway.pop("name", None)
    return await run_in_threadpool(s.serving_endpoints.put_ai_gateway, p, name, gateway)


@router.put("/{name}/rate-limits")
def put_rate_limits(name: str, body: RateLimits, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"rate_limits": s.serving_endpoints.put_rate_limits(p, name, body.rate_limits)}


@router.patch("/{name}/tags")
def patch_tags(name: str, body: PatchTags, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    tags = s.serving_endpoints.patch_tags(
        p, name, add_tags=body.add_tags, delete_tags=body.delete_tags
    )
    return {"tags": tags}
