"""Feature specs: Databricks' ``/api/2.0/feature-store/feature-spec`` paths.

``create`` takes the ``CreateFeatureSpec`` wire body of the feature engineering client and
answers ``{"feature_spec_info": {...}}``; the spec then reads back from the Unity Catalog
functions API with ``securable_kind: FUNCTION_FEATURE_SPEC``. ``GET`` (a LakeAI addition) and
``DELETE`` take the spec's full name. LakeAI's own paths (``/api/2.0/lakeai/feature-specs``)
list a schema's specs, evaluate one for request rows (what its serving endpoint answers),
build a training set (Arrow in, Arrow out) and check online/offline parity.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from lakeai.errors import InvalidParameterValue
from lakeai.server.bodies import json_object
from lakeai.server.deps import PrincipalDep, ServicesDep

router = APIRouter(tags=["feature store"])
BASE = "/api/2.0/feature-store/feature-spec"
OWN = "/api/2.0/lakeai/feature-specs"


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
            comment=body.get("comment"),
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


@router.get(OWN)
async def list_specs(
    s: ServicesDep, p: PrincipalDep, catalog_name: str = "", schema_name: str = ""
) -> dict[str, Any]:
    if not catalog_name or not schema_name:
        raise InvalidParameterValue("catalog_name and schema_name are required.")
    specs = await run_in_threadpool(s.feature_specs.list, p, catalog_name, schema_name)
    return {"feature_specs": specs}


@router.post(OWN + "/training-set")
async def training_set(
    request: Request,
    s: ServicesDep,
    p: PrincipalDep,
    features: str,
    timestamp_column: str | None = None,
    exclude_columns: str = "[]",
) -> Response:
    """Labels as an Arrow stream in; the training set as an Arrow stream out."""
    from lakeai.server.routers.table_data import arrow_response, decode_body

    labels = decode_body(request.headers.get("content-type", ""), await request.body())
    spec = _json_param("features", features) if features.lstrip().startswith("[") else features
    table = await run_in_threadpool(
        lambda: s.feature_specs.create_training_set(
            p,
            labels,
            spec,
            timestamp_column=timestamp_column,
            exclude_columns=_json_param("exclude_columns", exclude_columns),
        )
    )
    return arrow_response(table)


@router.post(OWN + "/{name}/evaluate")
async def evaluate(name: str, request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    """``{"rows": [{key: value}, ...]}`` -> ``{"outputs": [...]}``, one per row."""
    rows = (await json_object(request)).get("rows")
    if not isinstance(rows, list):
        raise InvalidParameterValue('rows is required: {"rows": [{"customer_id": 1}, ...]}.')
    return {"outputs": await run_in_threadpool(s.feature_specs.evaluate, p, name, rows)}


@router.post(OWN + "/{name}/check-parity")
async def check_parity(
    name: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    """``{sample?, seed?, request?}`` -> the parity report of ``features.parity``."""
    body = await json_object(request, drop_nulls=True)
    unknown = set(body) - {"sample", "seed", "request"}
    if unknown:
        raise InvalidParameterValue(
            f"Unknown fields {sorted(unknown)}; valid: sample, seed, request."
        )
    return await run_in_threadpool(lambda: s.feature_specs.check_parity(p, name, **body))


def _json_param(what: str, raw: str) -> Any:
    import json

    try:
        return json.loads(raw)
    except ValueError:
        raise InvalidParameterValue(f"{what} must be JSON, got {raw[:80]!r}.") from None
