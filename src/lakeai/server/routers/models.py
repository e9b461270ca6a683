"""Registered models: Unity Catalog's /models API, and MLflow's own tracking server.

UC shapes follow ``databricks.sdk.service.catalog`` (``RegisteredModelInfo``,
``ModelVersionInfo``, ``RegisteredModelAlias``); versions are created through MLflow's REST
registry API, which ``unprefixed_router`` serves at the root (and the UI under /mlflow/).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lakeai.errors import InvalidParameterValue
from lakeai.models.mount import API_PREFIXES, UI_PREFIX, MlflowEndpoint, redirect_to_ui
from lakeai.server.deps import PrincipalDep, ServicesDep, paginate
from lakeai.server.routers._models import Body

router = APIRouter(tags=["models"])  # mounted under both Unity Catalog prefixes
unprefixed_router = APIRouter(tags=["mlflow"])  # MLflow's paths, as MLflow's clients call them

for _prefix in API_PREFIXES:
    unprefixed_router.add_route(
        _prefix + "/{rest:path}", MlflowEndpoint(), methods=None, include_in_schema=False
    )
unprefixed_router.add_route(UI_PREFIX, redirect_to_ui, methods=None, include_in_schema=False)
unprefixed_router.add_route(
    UI_PREFIX + "/{rest:path}", MlflowEndpoint(UI_PREFIX), methods=None, include_in_schema=False
)


class CreateModel(Body):
    name: str | None = None
    catalog_name: str | None = None
    schema_name: str | None = None
    full_name: str | None = None
    comment: str | None = None

    def target(self) -> str:
        """``catalog.schema.name`` from its parts (what the SDK sends), else ``full_name``."""
        parts = (self.catalog_name, self.schema_name, self.name)
        if all(parts):
            return ".".join(parts)  # type: ignore[arg-type]
        if self.full_name:
            return self.full_name
        raise InvalidParameterValue("catalog_name, schema_name and name are required.")


class UpdateModel(Body):
    comment: str | None = None
    owner: str | None = None


class UpdateVersion(Body):
    comment: str | None = None


class SetAlias(Body):
    version_num: int


@router.post("/models")
def create_model(body: CreateModel, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.models.create(p, body.target(), comment=body.comment)


@router.get("/models")
def list_models(
    s: ServicesDep,
    p: PrincipalDep,
    catalog_name: str | None = None,
    schema_name: str | None = None,
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    items = s.models.list(p, catalog_name=catalog_name, schema_name=schema_name)
    return paginate(items, "registered_models", max_results, page_token)


@router.get("/models/{full_name}/versions")
def list_versions(
    full_name: str,
    s: ServicesDep,
    p: PrincipalDep,
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    items = s.models.list_versions(p, full_name)
    return paginate(items, "model_versions", max_results, page_token)


@router.get("/models/{full_name}/versions/{version}")
def get_version(full_name: str, version: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.models.get_version(p, full_name, version)


@router.patch("/models/{full_name}/versions/{version}")
def update_version(
    full_name: str, version: str, body: UpdateVersion, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return s.models.update_version(p, full_name, version, comment=body.comment)


@router.delete("/models/{full_name}/versions/{version}")
def delete_version(full_name: str, version: str, s: ServicesDep, p: PrincipalDep) -> dict:
    s.models.delete_version(p, full_name, version)
    return {}


@router.put("/models/{full_name}/aliases/{alias}")
def set_alias(
    full_name: str, alias: str, body: SetAlias, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return s.models.set_alias(p, full_name, alias, body.version_num)


@router.get("/models/{full_name}/aliases/{alias}")
def get_by_alias(full_name: str, alias: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.models.get_by_alias(p, full_name, alias)


@router.delete("/models/{full_name}/aliases/{alias}")
def delete_alias(full_name: str, alias: str, s: ServicesDep, p: PrincipalDep) -> dict:
    s.models.delete_alias(p, full_name, alias)
    return {}


@router.get("/models/{full_name}")
def get_model(
    full_name: str, s: ServicesDep, p: PrincipalDep, include_aliases: bool = False
) -> dict[str, Any]:
    return s.models.get(p, full_name, include_aliases=include_aliases)


@router.patch("/models/{full_name}")
def update_model(
    full_name: str, body: UpdateModel, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return s.models.update(p, full_name, comment=body.comment, owner=body.owner)


@router.delete("/models/{full_name}")
def delete_model(full_name: str, s: ServicesDep, p: PrincipalDep) -> dict:
    s.models.delete(p, full_name)
    return {}
