"""Vector Search: both Databricks wire dialects (the VectorSearchClient's and the SDK's).

The VS client sends JSON bodies on GET (query, scan, next page) and DELETE (delete-data) and
creates indexes under ``/endpoints/{ep}/indexes``; the SDK POSTs, passes delete keys as query
parameters and creates under ``/indexes``. Every 2xx answer is JSON.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from lakeai.errors import InvalidParameterValue
from lakeai.server.bodies import json_object
from lakeai.server.deps import PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/2.0/vector-search", tags=["vector search"])

QUERY_FIELDS = (
    "columns",
    "query_vector",
    "query_text",
    "num_results",
    "filters_json",
    "filter_string",
    "score_threshold",
    "query_type",
)


def _with_url(request: Request, index: dict[str, Any]) -> dict[str, Any]:
    if "status" in index:
        base = str(request.base_url).rstrip("/")
        index["status"]["index_url"] = f"{base}/api/2.0/vector-search/indexes/{index['name']}"
    return index


# -- endpoints ---------------------------------------------------------------------------
@router.post("/endpoints")
async def create_endpoint(request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    if not body.get("name"):
        raise InvalidParameterValue("name is required.")
    info = await run_in_threadpool(
        s.vector_search.endpoints.create,
        p,
        body["name"],
        endpoint_type=body.get("endpoint_type", "STANDARD"),
    )
    return {**info, "endpoint": info}


@router.get("/endpoints")
def list_endpoints(s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"endpoints": s.vector_search.endpoints.list(p)}


@router.get("/endpoints/{endpoint}")
def get_endpoint(endpoint: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.vector_search.endpoints.get(p, endpoint)


@router.delete("/endpoints/{endpoint}")
def delete_endpoint(endpoint: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.vector_search.endpoints.delete(p, endpoint)
    return {}


# -- indexes -----------------------------------------------------------------------------
async def _create(request: Request, s: Any, p: Any, endpoint: str | None) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    endpoint = endpoint or body.pop("endpoint_name", None)
    body.pop("endpoint_name", None)
    name = body.pop("name", None)
    if not name or not endpoint:
        raise InvalidParameterValue("name and endpoint_name are required.")
    body = {
        k: v
        for k, v in body.items()
        if k
        in (
            "primary_key",
            "index_type",
            "index_subtype",
            "delta_sync_index_spec",
            "direct_access_index_spec",
            "similarity_metric",
        )
    }
    index = await run_in_threadpool(
        lambda: s.vector_search.create_index(p, name, endpoint_name=endpoint, **body)
    )
    return _with_url(request, index)


@router.post("/endpoints/{endpoint}/indexes")
async def create_index_under_endpoint(
    endpoint: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return await _create(request, s, p, endpoint)


@router.post("/indexes")
async def create_index(request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return await _create(request, s, p, None)


@router.get("/endpoints/{endpoint}/indexes")
def list_indexes_of_endpoint(endpoint: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"vector_indexes": s.vector_search.list_indexes(p, endpoint)}


@router.get("/indexes")
def list_indexes(
    s: ServicesDep, p: PrincipalDep, endpoint_name: str | None = None
) -> dict[str, Any]:
    return {"vector_indexes": s.vector_search.list_indexes(p, endpoint_name)}


@router.get("/endpoints/{endpoint}/indexes/{index}")
@router.get("/indexes/{index}")
def get_index(
    index: str, request: Request, s: ServicesDep, p: PrincipalDep, endpoint: str | None = None
) -> dict[str, Any]:
    return _with_url(request, s.vector_search.get_index(p, index))


@router.patch("/indexes/{index}")
def patch_index(index: str, request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return _with_url(
        request, s.vector_search.get_index(p, index)
    )  # payload logging: accepted, no-op


@router.delete("/endpoints/{endpoint}/indexes/{index}")
@router.delete("/indexes/{index}")
def delete_index(
    index: str, s: ServicesDep, p: PrincipalDep, endpoint: str | None = None
) -> dict[str, Any]:
    s.vector_search.delete_index(p, index)
    return {}


@router.post("/indexes/{index}/sync")
def sync_index(index: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.vector_search.sync_index(p, index)


# -- data plane --------------------------------------------------------------------------
@router.api_route("/indexes/{index}/query", methods=["GET", "POST"])
async def query_index(
    index: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    if "query" in body and "query_text" not in body:
        body["query_text"] = body["query"]  # vectorsearch 0.56 sends both
    args = {k: body[k] for k in QUERY_FIELDS if k in body}
    return await run_in_threadpool(lambda: s.vector_search.query_index(p, index, **args))


@router.api_route("/indexes/{index}/query-next-page", methods=["GET", "POST"])
async def query_next_page(
    index: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    if not body.get("page_token"):
        raise InvalidParameterValue("page_token is required.")
    return await run_in_threadpool(s.vector_search.query_next_page, p, index, body["page_token"])


@router.api_route("/indexes/{index}/scan", methods=["GET", "POST"])
async def scan_index(
    index: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    return await run_in_threadpool(
        lambda: s.vector_search.scan_index(
            p,
            index,
            num_results=body.get("num_results", 10),
            last_primary_key=body.get("last_primary_key"),
        )
    )


@router.post("/indexes/{index}/upsert-data")
async def upsert_data(
    index: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    body = await json_object(request, drop_nulls=True)
    if "inputs_json" not in body:
        raise InvalidParameterValue("inputs_json is required: a JSON string of row objects.")
    return await run_in_threadpool(s.vector_search.upsert_data, p, index, body["inputs_json"])


@router.delete("/indexes/{index}/delete-data")
async def delete_data(
    index: str, request: Request, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    keys = request.query_params.getlist("primary_keys") or (
        await json_object(request, drop_nulls=True)
    ).get("primary_keys")
    return await run_in_threadpool(s.vector_search.delete_data, p, index, keys)
