"""Unity Catalog functions (/api/2.1/unity-catalog/functions) and LakeAI's batch execute.

Shapes follow ``databricks.sdk.service.catalog`` (``CreateFunction``, ``FunctionInfo``): a
Python function is ``routine_body: EXTERNAL`` with ``external_language: PYTHON``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lakeai.errors import InvalidParameterValue
from lakeai.server.deps import PrincipalDep, ServicesDep, paginate
from lakeai.server.routers._models import Body

router = APIRouter(tags=["functions"])  # mounted under both Unity Catalog prefixes
unprefixed_router = APIRouter(tags=["functions"])  # LakeAI's own paths, mounted as they are


class Parameter(Body):
    name: str
    type_text: str
    position: int | None = None


class Parameters(Body):
    parameters: list[Parameter] = []


class CreateFunction(Body):
    name: str
    catalog_name: str
    schema_name: str
    input_params: Parameters | None = None
    data_type: str | None = None
    full_data_type: str | None = None
    routine_body: str = "SQL"
    routine_definition: str
    external_language: str | None = None
    comment: str | None = None


class CreateRequest(Body):
    function_info: CreateFunction
    replace: bool = False  # LakeAI's CREATE OR REPLACE (Databricks clients never send it)


class UpdateFunction(Body):
    owner: str | None = None


class ExecuteRequest(Body):
    rows: list[Any]


def _language(info: CreateFunction) -> str:
    body = info.routine_body.upper()
    if body == "SQL":
        return "SQL"
    if body == "EXTERNAL":
        if (info.external_language or "").upper() != "PYTHON":
            raise InvalidParameterValue(
                f"external_language {info.external_language!r} is not supported; use PYTHON."
            )
        return "PYTHON"
    raise InvalidParameterValue(f"routine_body {info.routine_body!r}: use SQL or EXTERNAL.")


@router.post("/functions")
def create_function(body: CreateRequest, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    info = body.function_info
    returns = info.full_data_type or info.data_type
    if not returns:
        raise InvalidParameterValue("full_data_type (the return type) is required.")
    params = sorted(
        (info.input_params.parameters if info.input_params else []),
        key=lambda q: q.position if q.position is not None else 0,
    )
    return s.functions.create(
        p,
        f"{info.catalog_name}.{info.schema_name}.{info.name}",
        params=[{"name": q.name, "type_text": q.type_text} for q in params],
        returns=returns,
        language=_language(info),
        body=info.routine_definition,
        comment=info.comment,
        replace=body.replace,
    ).as_dict()


@router.get("/functions")
def list_functions(
    s: ServicesDep,
    p: PrincipalDep,
    catalog_name: str = "",
    schema_name: str = "",
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    if not catalog_name or not schema_name:
        raise InvalidParameterValue("catalog_name and schema_name are required.")
    items = s.functions.list(p, catalog_name, schema_name)
    return paginate(items, "functions", max_results, page_token)


@router.get("/functions/{name}")
def get_function(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.functions.get(p, name).as_dict()


@router.patch("/functions/{name}")
def update_function(
    name: str, body: UpdateFunction, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return s.functions.update(p, name, owner=body.owner).as_dict()


@router.delete("/functions/{name}")
def delete_function(name: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    s.functions.delete(p, name)
    return {}


@unprefixed_router.post("/api/2.0/lakeai/functions/{name}/execute")
def execute_function(
    name: str, body: ExecuteRequest, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    """``{"rows": [{param: value}, ...]}`` -> ``{"results": [...]}``, one worker job per call."""
    return {"results": s.functions.execute_batch(p, name, body.rows)}
