"""Online tables: Databricks' ``/api/2.0/online-tables`` plus LakeAI's lookup and sync paths.

The create body is the OnlineTable itself; the answer carries the top-level ``name`` the
SDK's waiter needs, already ACTIVE when the first sync ran inline, so ``.result()`` returns
without sleeping.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from lakeai.errors import InvalidParameterValue
from lakeai.server.bodies import json_object
from lakeai.server.deps import PrincipalDep, ServicesDep

router = APIRouter(tags=["online tables"])
BASE = "/api/2.0/online-tables"
OWN = "/api/2.0/lakeai/online-tables"


def _with_url(request: Request, table: dict[str, Any]) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    table["table_serving_url"] = f"{base}{OWN}/{table['name']}/lookup"
    return table


@router.post(BASE)
async def create(request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    spec = body.get("spec") or {}
    if not body.get("name") or not isinstance(spec, dict):
        raise InvalidParameterValue("name and spec are required: {name, spec: {...}}.")
    if not spec.get("source_table_full_name"):
        raise InvalidParameterValue("spec.source_table_full_name is required.")
    table = await run_in_threadpool(
        lambda: s.online_tables.create(
            p,
            body["name"],
            source_table_full_name=spec["source_table_full_name"],
            primary_key_columns=spec.get("primary_key_columns") or [],
            run_triggered=spec.get("run_triggered") is not None,
            run_continuously=spec.get("run_continuously") is not None,
            timeseries_key=spec.get("timeseries_key"),
            perform_full_copy=bool(spec.get("perform_full_copy")),
            columns=spec.get("columns"),  # LakeAI: sync only these (and the keys)
        )
    )
    return _with_url(request, table)


@router.get(OWN)
async def list_tables(
    request: Request, s: ServicesDep, p: PrincipalDep, catalog_name: str = "", schema_name: str = ""
) -> dict[str, Any]:
    """The schema's online tables (Databricks has no list route; LakeAI's own path)."""
    if not catalog_name or not schema_name:
        raise InvalidParameterValue("catalog_name and schema_name are required.")
    tables = await run_in_threadpool(s.online_tables.list, p, catalog_name, schema_name)
    return {"online_tables": [_with_url(request, t) for t in tables]}


@router.get(BASE + "/{name}")
def get(name: str, request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return _with_url(request, s.online_tables.get(p, name))


@router.delete(BASE + "/{name}")
def delete(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.online_tables.delete(p, name)
    return {}


@router.post(OWN + "/{name}/lookup")
async def lookup(name: str, request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    keys = body.get("keys")
    if not isinstance(keys, list):
        raise InvalidParameterValue('keys is required: {"keys": [{"id": 1}, ...]}.')
    rows = await run_in_threadpool(s.online_tables.lookup, p, name, keys)
    return {"rows": rows}


@router.post(OWN + "/{name}/sync")
async def sync(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return await run_in_threadpool(s.online_tables.sync, p, name)
