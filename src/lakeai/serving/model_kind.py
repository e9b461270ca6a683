"""Registered model versions as served entities: ``{entity_name, entity_version}``.

At config time the version is resolved through the model registry as the creator (EXECUTE),
pinned to its number when an alias was given, and its signature decides the task: a chat
schema (``messages`` in, ``choices`` out) serves ``llm/v1/chat``, anything else ``pyfunc``
(Databricks' ``dataframe_records | dataframe_split | instances | inputs`` bodies, answered
``{"predictions": ...}``). At query time the request goes to the version's worker pool
(``model_deploy``), started as the endpoint's owner.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from pydantic import model_validator

from lakeai.errors import InvalidParameterValue
from lakeai.gateway.schemas import CHAT, REQUEST_MODELS, _Request
from lakeai.serving.entities import ENTITY_SCOPE, EntityInfo
from lakeai.serving.model_workers import answer
from lakeai.serving.models import ServedEntity

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from lakeai.core.principals import Principal
    from lakeai.services import Services

TASK = "pyfunc"
FORMATS = ("dataframe_records", "dataframe_split", "instances", "inputs")
NOT_FOR_THE_MODEL = ("client_request_id", "usage_context")  # recorded by LakeAI, not predicted


class PyfuncRequest(_Request):
    """Exactly one of MLflow's scoring formats, optional ``params``; other keys pass through."""

    passthrough: ClassVar[bool] = True

    dataframe_records: list[dict[str, Any]] | None = None
    dataframe_split: dict[str, Any] | None = None
    instances: list[Any] | dict[str, Any] | None = None
    inputs: Any = None
    params: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one(self) -> PyfuncRequest:
        given = [f for f in FORMATS if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(FORMATS)}")
        return self


REQUEST_MODELS[TASK] = PyfuncRequest


def signature_task(local_path: str) -> str:
    """``llm/v1/chat`` for a chat-completions signature, ``pyfunc`` otherwise (reads MLmodel)."""
    try:
        meta = yaml.safe_load((Path(local_path) / "MLmodel").read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidParameterValue(
            f"The model at {local_path} has no readable MLmodel file."
        ) from exc
    signature = meta.get("signature") or {}

    def names(part: str) -> set[str]:
        raw = signature.get(part)
        try:
            cols = json.loads(raw) if isinstance(raw, str) else raw or []
        except ValueError:
            return set()
        return {c.get("name") for c in cols if isinstance(c, dict)}

    return CHAT if "messages" in names("inputs") and "choices" in names("outputs") else TASK


def _scope() -> tuple[Services, Principal]:
    scope = ENTITY_SCOPE.get()
    if scope is None:
        raise InvalidParameterValue("Registered models are served by a workspace's endpoints only.")
    return scope.services, scope.services.platform.principals.principal(scope.principal)


class RegisteredModelKind:
    """``entity_name`` a registered model (``cat.sch.model``), ``entity_version`` its version."""

    kind: ClassVar[str] = "registered_model"

    def matches(self, entity: ServedEntity) -> bool:
        if entity.external_model is not None or not entity.entity_name:
            return False
        if entity.entity_version is not None:
            return True
        return self._is_model(str(entity.entity_name))  # to say that a version is missing

    @staticmethod
    def _is_model(name: str) -> bool:
        """Whether a versionless entity names a registered model (a recently read securable
        row: ``kind_of`` runs per request, and feature-spec entities come through here too)."""
        scope = ENTITY_SCOPE.get()
        if scope is None or name.count(".") != 2:
            return False
        try:
            row = scope.services.platform.securables.find_recent(name.lower())
        except Exception:  # an invalid name: another kind reports it
            return False
        return row is not None and row.securable_type == "model"

    def validate(self, entity: ServedEntity, *, allow_link_local: bool) -> EntityInfo:
        name = str(entity.entity_name)
        if not entity.entity_version:
            raise InvalidParameterValue(
                f"Served entity {entity.name}: {name} is a registered model; give "
                'entity_version (a version number such as "1").'
            )
        if entity.workers is not None and not 1 <= entity.workers <= 64:
            raise InvalidParameterValue("workers must be between 1 and 64.")
        services, principal = _scope()
        resolved = services.models.resolve(principal, name, str(entity.entity_version))
        entity.entity_version = str(resolved.version)
        task = signature_task(resolved.local_path)
        return EntityInfo(entity.name or "", task, self.kind, f"{name}/{resolved.version}")

    async def call(
        self, entity: ServedEntity, task: str, body: dict[str, Any], ctx: Any
    ) -> dict[str, Any]:
        import asyncio

        scope = ENTITY_SCOPE.get()  # the owner's name only: no metastore read per request
        if scope is None or not scope.endpoint:
            raise InvalidParameterValue("Registered models are served by a workspace's endpoints.")
        deployments = scope.services.serving_endpoints.model_deployments
        pool = deployments.pool(scope.endpoint, entity)
        if pool is None:  # first request on this replica
            pool = await asyncio.to_thread(
                deployments.ensure, scope.endpoint, entity, scope.principal
            )
        request = {k: v for k, v in body.items() if k not in NOT_FOR_THE_MODEL}
        if task == TASK and request.get("params") is None:
            request.pop("params", None)
        return answer(*await pool.call(request))

    def stream(
        self, entity: ServedEntity, body: dict[str, Any], ctx: Any
    ) -> AsyncIterator[dict[str, Any]]:
        raise InvalidParameterValue("Served registered models do not stream.")

    def can_stream(self, entity: ServedEntity) -> bool:
        return False
