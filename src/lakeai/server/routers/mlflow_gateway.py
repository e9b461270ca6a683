"""The MLflow deployments-server API, so ``mlflow.deployments.get_deploy_client(url)`` works.

MLflow's client lists ``GET /api/2.0/endpoints/`` (trailing slash, ``page_token`` paging),
reads ``GET /api/2.0/endpoints/{name}`` and predicts with ``POST /endpoints/{name}/invocations``.
Its ``Endpoint`` model requires all five keys (``limit`` may be null but must be present), so
an endpoint is rendered from its serving config here. Queries go through the same handler as
``/serving-endpoints/{name}/invocations``: same governance, rate limits and usage rows. Auth
stays required: MLflow sends ``Authorization: Bearer $MLFLOW_TRACKING_TOKEN``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from lakeai.server.bodies import json_object
from lakeai.server.deps import PrincipalDep, ServicesDep, paginate
from lakeai.server.routers.invocations import _query

router = APIRouter(tags=["mlflow deployments"])

PAGE_SIZE = 3000  # MLflow's own gateway page size


def mlflow_endpoint(endpoint: dict[str, Any]) -> dict[str, Any]:
    """A serving endpoint as MLflow's ``Endpoint``: name, endpoint_type, model, endpoint_url, limit."""
    entities = (endpoint.get("config") or {}).get("served_entities") or [{}]
    first = entities[0]
    external = first.get("external_model") or {}
    model = {
        "name": external.get("name") or first.get("entity_name"),
        "provider": external.get("provider") or "lakeai",
    }
    limits = [
        r for r in ((endpoint.get("ai_gateway") or {}).get("rate_limits") or []) if r.get("calls")
    ]
    limit = None
    if limits:
        rule = limits[0]
        limit = {
            "calls": rule["calls"],
            "key": rule.get("key"),
            "renewal_period": rule.get("renewal_period", "minute"),
        }
    return {
        "name": endpoint["name"],
        "endpoint_type": endpoint.get("task"),
        "model": model,
        "endpoint_url": f"/endpoints/{endpoint['name']}/invocations",
        "limit": limit,
    }


@router.get("/api/2.0/endpoints/")
@router.get("/api/2.0/endpoints", include_in_schema=False)
def list_endpoints(
    s: ServicesDep, p: PrincipalDep, page_token: str | None = None
) -> dict[str, Any]:
    items = [mlflow_endpoint(e) for e in s.serving_endpoints.list(p)]
    return paginate(items, "endpoints", PAGE_SIZE, page_token)


@router.get("/api/2.0/endpoints/{name}")
def get_endpoint(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return mlflow_endpoint(s.serving_endpoints.get(p, name))


async def _invoke(name: str, request: Request, s: ServicesDep, p: PrincipalDep) -> Any:
    return await _query(name, await json_object(request), s, p)


router.add_api_route("/endpoints/{name}/invocations", _invoke, methods=["POST"])
router.add_api_route("/gateway/{name}/invocations", _invoke, methods=["POST"])


@router.get("/health")
def health() -> dict[str, str]:
    """Unauthenticated liveness, as MLflow's gateway answers it."""
    return {"status": "OK"}
