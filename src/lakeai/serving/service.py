"""EndpointService: serving endpoints as governed securables, and querying them.

Creating needs an authenticated principal (who becomes the owner); changing or deleting needs
MANAGE; querying needs QUERY (owners and admins hold both). Every change is audited with the
changed parts named, never a key.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import AsyncIterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lakeai.catalog.grants import register_securable_type
from lakeai.catalog.names import validate_endpoint_name
from lakeai.catalog.privileges import Privilege
from lakeai.core.audit import AuditEvent
from lakeai.core.clock import new_id, now_ms
from lakeai.core.models import ServingEndpointRow
from lakeai.core.principals import Principal
from lakeai.core.requests import current_request_id
from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from lakeai.serving.config import (
    ENCRYPTED_PREFIX,
    endpoint_json,
    normalize_config,
    parse_ai_gateway,
    parse_model,
    parse_rate_limits,
)
from lakeai.serving.entities import ENTITY_SCOPE, EntityScope, _register_builtins
from lakeai.serving.invoke import EndpointSnapshot, Invoker, QueryResult
from lakeai.serving.loop import run_sync
from lakeai.serving.models import EndpointConfig, ServedEntity, Tag

if TYPE_CHECKING:
    from lakeai.services import Services
    from lakeai.serving.model_deploy import ModelDeployments, PoolKey

log = logging.getLogger(__name__)
SECURABLE = "serving_endpoint"
SNAPSHOT_TTL_SECONDS = 2.0  # how long another replica's config change may take to be seen
LOGS_TAIL_BYTES = 256 * 1024  # of a served model's log, for the logs API


def _owner_of(session: Any, name: str) -> str | None:
    return session.scalar(select(ServingEndpointRow.owner).where(ServingEndpointRow.name == name))


register_securable_type(SECURABLE, _owner_of)


class EndpointService:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.p = services.platform
        settings = self.p.settings
        self._snapshots: dict[str, tuple[float, EndpointSnapshot]] = {}
        self._secret_cache: dict[tuple[str, str], tuple[float, str]] = {}
        self._lock = threading.Lock()
        from lakeai.gateway.ratelimit import rate_limiter_from_settings
        from lakeai.gateway.usage import UsageRecorder

        self.usage = UsageRecorder.for_platform(self.p)
        self.invoker = Invoker(
            rate_limiter_from_settings(settings),
            self.usage,
            self._resolve_secret,
            timeout=float(settings.gateway_timeout_seconds),
            max_retries=int(settings.gateway_max_retries),
            backoff=float(settings.gateway_retry_backoff_seconds),
            allow_link_local=bool(settings.gateway_allow_link_local),
        )

    # -- helpers --------------------------------------------------------------------------
    def _row(self, name: str) -> ServingEndpointRow:
        validate_endpoint_name(name)
        with self.p.metastore.session() as s:
            row = s.get(ServingEndpointRow, name)
        if row is None:
            raise ResourceDoesNotExist(f"Serving endpoint '{name}' does not exist.")
        return row

    def _audit(
        self, principal: Principal, action: str, name: str, detail: str | None = None
    ) -> None:
        self.p.audit.record(AuditEvent(principal.name, action, SECURABLE, name, detail=detail))

    def _require(self, principal: Principal, privilege: Privilege, name: str, action: str) -> None:
        self.p.grants.require(principal, privilege, SECURABLE, name, action=action)

    def _encrypt(self, value: str) -> str:
        return base64.urlsafe_b64encode(self.s.secrets.cipher.encrypt(value.encode())).decode()

    def _resolve_secret(self, owner: str, value: str) -> str:
        """A credential at the moment of use, cached briefly so the hot path stays fast."""
        if value.startswith(ENCRYPTED_PREFIX):
            token = base64.urlsafe_b64decode(value[len(ENCRYPTED_PREFIX) :])
            return self.s.secrets.cipher.decrypt(token).decode()
        if not value.startswith("{{"):
            return value
        key = (owner, value)
        cached = self._secret_cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        plain = self.s.secrets.resolve(self.p.principals.principal(owner), value)
        self._secret_cache[key] = (time.monotonic() + 60.0, plain)
        return plain

    def _check_secret_access(self, principal: Principal, config: EndpointConfig) -> None:
        """The creator must be able to read every secret the config references."""
        for entity in config.served_entities:
            for value in (entity.environment_vars or {}).values():
                if value.startswith("{{"):
                    self.s.secrets.resolve(principal, value)
            for section in (
                (entity.external_model.model_extra or {}).values() if entity.external_model else []
            ):
                if isinstance(section, dict):
                    for value in section.values():
                        if isinstance(value, str) and value.startswith("{{"):
                            self.s.secrets.resolve(principal, value)

    def _validated(self, principal: Principal, raw_config: Any) -> tuple[EndpointConfig, str]:
        scope = ENTITY_SCOPE.set(EntityScope(self.s, principal.name))
        try:
            config, task, _ = normalize_config(
                raw_config,
                allow_link_local=bool(self.p.settings.gateway_allow_link_local),
                encrypt=self._encrypt,
            )
        finally:
            ENTITY_SCOPE.reset(scope)
        self._check_secret_access(principal, config)
        return config, task

    def _invalidate(self, name: str) -> None:
        with self._lock:
            self._snapshots.pop(name, None)

    # -- served model workers -------------------------------------------------------------
    @cached_property
    def model_deployments(self) -> ModelDeployments:
        """Worker pools of served registered models (created on first use)."""
        from lakeai.serving.model_deploy import ModelDeployments

        settings = self.p.settings
        return ModelDeployments(
            default_workers=int(settings.serving_model_workers),
            max_queue=int(settings.serving_max_queue),
            timeout=float(settings.serving_model_timeout_seconds),
            load_timeout=float(settings.serving_model_load_timeout_seconds),
            drain_grace=float(settings.serving_drain_grace_seconds),
            resolve_path=self._model_path,
            resolve_env=lambda owner, env: {
                k: self._resolve_secret(owner, v) for k, v in env.items()
            },
            log_dir=self.p.root / "serving" / "logs",
        )

    def served_model_logs(self, principal: Principal, name: str, served: str) -> dict[str, str]:
        """``{"logs": ...}``: the tail of a served model's worker output (MANAGE)."""
        row = self._row(name)
        self._require(principal, Privilege.MANAGE, name, "getServedModelLogs")
        entities = EndpointConfig.model_validate(row.config).served_entities
        if served not in {e.name for e in entities}:
            raise ResourceDoesNotExist(f"Endpoint {name} has no served entity {served!r}.")
        path = self.model_deployments.log_path(name, served)
        text = (
            path.read_bytes()[-LOGS_TAIL_BYTES:].decode(errors="replace") if path.exists() else ""
        )
        return {"logs": text}

    def _model_path(self, owner: str, entity: ServedEntity) -> str:
        principal = self.p.principals.principal(owner)
        name, version = str(entity.entity_name), str(entity.entity_version)
        return str(self.s.models.resolve(principal, name, version).local_path)

    def _warm(self, name: str, owner: str, config: EndpointConfig) -> list[PoolKey] | None:
        """Start and warm the workers of the config's model versions before it is stored."""
        models = [
            e
            for e in config.served_entities
            if e.external_model is None and e.entity_version is not None
        ]
        if not models and "model_deployments" not in self.__dict__:
            return None
        return self.model_deployments.prepare(name, owner, models)

    def start(self) -> None:
        """After a restart, warm the workers of every endpoint serving model versions (in the
        background: the server answers meanwhile, a request for a cold version waits for it)."""
        with self.p.metastore.session() as s:
            rows = list(s.scalars(select(ServingEndpointRow)))
        targets = []
        for row in rows:
            entities = EndpointConfig.model_validate(row.config).served_entities
            models = [e for e in entities if e.external_model is None and e.entity_version]
            targets += [(row.name, row.owner, e) for e in models]
        if targets:
            threading.Thread(target=self._warm_all, args=(targets,), daemon=True).start()

    def _warm_all(self, targets: list[tuple[str, str, ServedEntity]]) -> None:
        for name, owner, entity in targets:
            try:  # ensure, not prepare: a config update meanwhile must not be undone
                self.model_deployments.ensure(name, entity, owner)
            except Exception as exc:
                log.warning("Serving endpoint %s: %s did not start: %s", name, entity.name, exc)

    def _swap(self, name: str, keys: list[PoolKey] | None) -> None:
        """Traffic now goes to the stored config: retire the workers it no longer uses."""
        if keys is not None:
            self.model_deployments.commit(name, keys)

    # -- CRUD -----------------------------------------------------------------------------
    def create(
        self,
        principal: Principal,
        name: str,
        *,
        config: Any,
        ai_gateway: Any = None,
        rate_limits: list[Any] | None = None,
        tags: list[Any] | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        validate_endpoint_name(name)
        with self.p.metastore.session() as s:
            if s.get(ServingEndpointRow, name) is not None:
                raise ResourceAlreadyExists(f"Serving endpoint '{name}' already exists.")
        parsed, task = self._validated(principal, config)
        gateway = parse_ai_gateway(ai_gateway)
        if rate_limits:
            gateway.rate_limits = parse_rate_limits(rate_limits)
        keys = self._warm(name, principal.name, parsed)
        try:
            row = self._insert(principal, name, parsed, task, gateway, tags, description)
        except BaseException:
            self._swap(name, [] if keys is not None else None)
            raise
        self._swap(name, keys)
        entities = ",".join(e.name or "" for e in parsed.served_entities)
        self._audit(principal, "createServingEndpoint", name, f"task={task} entities={entities}")
        return endpoint_json(row)

    def _insert(
        self,
        principal: Principal,
        name: str,
        parsed: EndpointConfig,
        task: str,
        gateway: Any,
        tags: list[Any] | None,
        description: str | None,
    ) -> ServingEndpointRow:
        now = now_ms()
        row = ServingEndpointRow(
            name=name,
            id=new_id().replace("-", ""),
            task=task,
            owner=principal.name,
            creator=principal.name,
            description=description,
            config=parsed.as_dict(),
            ai_gateway=gateway.as_dict(),
            tags=[parse_model(Tag, t, "tags").as_dict() for t in tags or []],
            config_version=1,
            created_at=now,
            updated_at=now,
        )
        with self.p.metastore.session() as s:
            if s.get(ServingEndpointRow, name) is not None:
                raise ResourceAlreadyExists(f"Serving endpoint '{name}' already exists.")
            s.add(row)
        return row

    def get(self, principal: Principal, name: str) -> dict[str, Any]:
        row = self._row(name)
        self._require(principal, Privilege.QUERY, name, "getServingEndpoint")
        return endpoint_json(row)

    def list(self, principal: Principal) -> list[dict[str, Any]]:
        with self.p.metastore.session() as s:
            rows = list(s.scalars(select(ServingEndpointRow).order_by(ServingEndpointRow.name)))
        return [
            endpoint_json(r, brief=True)
            for r in rows
            if self.p.grants.holds(principal, Privilege.QUERY, SECURABLE, r.name)
        ]

    def _update(
        self, principal: Principal, name: str, action: str, detail: str, **fields: Any
    ) -> ServingEndpointRow:
        self._row(name)
        self._require(principal, Privilege.MANAGE, name, action)
        with self.p.metastore.session() as s:
            row = s.get(ServingEndpointRow, name)
            if row is None:
                raise ResourceDoesNotExist(f"Serving endpoint '{name}' does not exist.")
            for key, value in fields.items():
                setattr(row, key, value)
            row.updated_at = now_ms()
        self._invalidate(name)
        self._audit(principal, action, name, detail)
        return row

    def update_config(self, principal: Principal, name: str, config: Any) -> dict[str, Any]:
        current = self._row(name)
        self._require(principal, Privilege.MANAGE, name, "updateServingEndpointConfig")
        parsed, task = self._validated(principal, config)
        if task != current.task:
            raise InvalidParameterValue(
                f"Endpoint {name} serves {current.task}; a new config cannot change it to {task}."
            )
        before = (
            self.model_deployments.current_keys(name)
            if "model_deployments" in self.__dict__
            else set()
        )
        keys = self._warm(name, current.owner, parsed)  # new versions ready before the swap
        try:
            row = self._update(
                principal,
                name,
                "updateServingEndpointConfig",
                f"config_version={current.config_version + 1}",
                config=parsed.as_dict(),
                config_version=current.config_version + 1,
            )
        except BaseException:
            self._swap(name, list(before) if keys is not None else None)  # stop what started
            raise
        self._swap(name, keys)
        return endpoint_json(row)

    def put_ai_gateway(self, principal: Principal, name: str, ai_gateway: Any) -> dict[str, Any]:
        gateway = parse_ai_gateway(ai_gateway)
        parts = ",".join(k for k in gateway.as_dict()) or "none"
        row = self._update(
            principal,
            name,
            "updateServingEndpointAiGateway",
            f"set {parts}",
            ai_gateway=gateway.as_dict(),
        )
        return row.ai_gateway

    def put_rate_limits(
        self, principal: Principal, name: str, rate_limits: list[Any]
    ) -> list[dict[str, Any]]:
        limits = parse_rate_limits(rate_limits or [])
        gateway = dict(self._row(name).ai_gateway or {})
        gateway["rate_limits"] = limits
        self._update(
            principal,
            name,
            "updateServingEndpointRateLimits",
            f"{len(limits)} limit(s)",
            ai_gateway=gateway,
        )
        return limits

    def patch_tags(
        self,
        principal: Principal,
        name: str,
        *,
        add_tags: list[Any] | None = None,
        delete_tags: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        tags = {t["key"]: t for t in self._row(name).tags or []}
        for key in delete_tags or []:
            tags.pop(key, None)
        for tag in add_tags or []:
            parsed = parse_model(Tag, tag, "add_tags").as_dict()
            tags[parsed["key"]] = parsed
        row = self._update(
            principal,
            name,
            "updateServingEndpointTags",
            f"{len(tags)} tag(s)",
            tags=list(tags.values()),
        )
        return row.tags

    def delete(self, principal: Principal, name: str) -> None:
        self._row(name)
        self._require(principal, Privilege.MANAGE, name, "deleteServingEndpoint")
        with self.p.metastore.session() as s:
            row = s.get(ServingEndpointRow, name)
            if row is not None:
                s.delete(row)
        self.p.grants.drop_all(name, SECURABLE)
        self._invalidate(name)
        if "model_deployments" in self.__dict__:
            self.model_deployments.drop(name)
        self._audit(principal, "deleteServingEndpoint", name)

    # -- queries --------------------------------------------------------------------------
    def snapshot(self, name: str) -> EndpointSnapshot:
        """The endpoint's parsed config, cached for a moment (the hot path reads no metastore)."""
        now = time.monotonic()
        _register_builtins()  # their request shapes (pyfunc, feature-spec) before validation
        cached = self._snapshots.get(name)
        if cached and cached[0] > now:
            return cached[1]
        row = self._row(name)
        config = EndpointConfig.model_validate(row.config)
        infos = {}
        for entity in config.served_entities:
            model = entity.external_model
            if model is not None:
                infos[entity.name or ""] = (model.provider, model.name)
            elif entity.entity_version is not None:
                version = f"{entity.entity_name}/{entity.entity_version}"
                infos[entity.name or ""] = ("registered_model", version)
            else:
                infos[entity.name or ""] = ("", entity.entity_name or "")
        snap = EndpointSnapshot(
            row.name, row.task, row.owner, config, parse_ai_gateway(row.ai_gateway), infos
        )
        with self._lock:
            self._snapshots[name] = (now + SNAPSHOT_TTL_SECONDS, snap)
        return snap

    def _authorize_query(self, principal: Principal, name: str) -> EndpointSnapshot:
        snap = self.snapshot(name)
        self._require(principal, Privilege.QUERY, name, "queryServingEndpoint")
        return snap

    async def aquery(self, principal: Principal, name: str, body: Any) -> QueryResult:
        snap = self._authorize_query(principal, name)
        scope = ENTITY_SCOPE.set(EntityScope(self.s, snap.owner, name))  # specs run as the owner
        try:
            return await self.invoker.invoke(principal, snap, body, current_request_id())
        finally:
            ENTITY_SCOPE.reset(scope)

    async def aquery_stream(
        self, principal: Principal, name: str, body: Any
    ) -> tuple[str, AsyncIterator[dict[str, Any]]]:
        snap = self._authorize_query(principal, name)
        return await self.invoker.invoke_stream(principal, snap, body, current_request_id())

    def query(self, principal: Principal, name: str, body: Any) -> dict[str, Any]:
        """Synchronous query for in-process callers (``ws.serving_endpoints.query(...)``)."""
        return run_sync(self.aquery(principal, name, body)).response

    def task_of(self, principal: Principal, name: str) -> str:
        return self._authorize_query(principal, name).task

    def close(self) -> None:
        if "model_deployments" in self.__dict__:
            self.model_deployments.close()
        self.usage.close()
