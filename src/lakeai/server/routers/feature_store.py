"""Feature specs: Databricks' ``/api/2.0/feature-store/feature-spec`` paths.

``create`` takes the ``CreateFeatureSpec`` wire body of the feature engineering client and
answers ``{"feature_spec_info": {...}}``; the spec then reads back from the Unity Catalog
functions API with ``securable_kind: FUNCTION_FEATURE_SPEC``. ``GET`` (a LakeAI addition) and
``DELETE`` take the spec's full name.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from lakeai.errors import InvalidParameterValue
from lakeai.server.bodies import json_object
from lakeai.server.deps import PrincipalDep, ServicesDep

router = APIRouter(tags=["feature store"])
BASE = "/api/2.0/feature-store/feature-spec"


@router.post(f"{BASE}/create")
async def create(request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    if not body.get("name"):
        raise InvalidParameterValue("name is required: {name, features: [...]}.")
    info = await run_in_threadpool(
        lambda: s.feature_specs.create(
            p,
            str(body["name"]),
            features=body.get("features"),
            exclude_columns=body.get("exclude_columns"),
        )
    )
    return {"feature_spec_info": info}


@router.get(BASE + "/{name}")
async def get(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"feature_spec_info": await run_in_threadpool(s.feature_specs.get, p, name)}


@router.delete(BASE + "/{name}")
async def delete(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    await run_in_threadpool(s.feature_specs.delete, p, name)
    return {}
