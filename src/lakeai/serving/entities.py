"""Kinds of served entity, registered like plug-ins.

An endpoint's served entity is an external model (a vendor, or a ``lakeai`` built-in), a
registered model version (``serving.model_kind``) or a feature spec (``features.serving``). A kind validates
an entity at config time and calls it at query time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from lakeai.errors import InvalidParameterValue
from lakeai.gateway.providers.base import Provider, ProviderContext, provider_class
from lakeai.gateway.schemas import CHAT, COMPLETIONS, EMBEDDINGS
from lakeai.serving.models import ServedEntity


@dataclass(frozen=True)
class EntityInfo:
    """What usage rows and headers say about an entity."""

    name: str
    task: str
    provider: str
    model: str


@dataclass(frozen=True)
class EntityScope:
    """The workspace and the acting principal's name, for kinds that read the catalog (feature
    specs): the creator at config time, the endpoint's owner at query time."""

    services: Any
    principal: str
    endpoint: str | None = None  # the endpoint being queried (model kinds find their workers)


ENTITY_SCOPE: ContextVar[EntityScope | None] = ContextVar("lakeai_entity_scope", default=None)


class EntityKind(Protocol):
    kind: ClassVar[str]

    def matches(self, entity: ServedEntity) -> bool: ...

    def validate(self, entity: ServedEntity, *, allow_link_local: bool) -> EntityInfo: ...

    async def call(
        self, entity: ServedEntity, task: str, body: dict[str, Any], ctx: ProviderContext
    ) -> dict[str, Any]: ...

    def stream(
        self, entity: ServedEntity, body: dict[str, Any], ctx: ProviderContext
    ) -> AsyncIterator[dict[str, Any]]: ...

    def can_stream(self, entity: ServedEntity) -> bool: ...


class ExternalModelKind:
    """``external_model: {provider, name, task, <provider>_config}``."""

    kind: ClassVar[str] = "external_model"

    def matches(self, entity: ServedEntity) -> bool:
        return entity.external_model is not None

    @staticmethod
    def _provider_cls(entity: ServedEntity) -> type[Provider]:
        assert entity.external_model is not None
        return provider_class(entity.external_model.provider)

    def validate(self, entity: ServedEntity, *, allow_link_local: bool) -> EntityInfo:
        model = entity.external_model
        assert model is not None
        cls = self._provider_cls(entity)
        if not cls.capabilities.supports(model.task):
            raise InvalidParameterValue(
                f"Provider {cls.name} does not serve {model.task}; it serves "
                f"{', '.join(cls.capabilities.tasks()) or 'nothing'}."
            )
        config = cls.validate_config(
            model.provider_config(cls.config_key), allow_link_local=allow_link_local
        )
        extra = model.model_extra or {}
        stray = [k for k in extra if k.endswith("_config") and k != cls.config_key]
        if stray:
            raise InvalidParameterValue(
                f"Provider {cls.name} takes {cls.config_key}, not {', '.join(stray)}."
            )
        extra[cls.config_key] = config
        return EntityInfo(entity.name or "", model.task, cls.name, model.name)

    def _provider(self, entity: ServedEntity, ctx: ProviderContext) -> Provider:
        model = entity.external_model
        assert model is not None
        cls = self._provider_cls(entity)
        return cls(model.name, model.provider_config(cls.config_key), ctx)

    async def call(
        self, entity: ServedEntity, task: str, body: dict[str, Any], ctx: ProviderContext
    ) -> dict[str, Any]:
        provider = self._provider(entity, ctx)
        if task == CHAT:
            return await provider.chat(body)
        if task == COMPLETIONS:
            return await provider.completions(body)
        if task == EMBEDDINGS:
            return await provider.embeddings(body)
        raise InvalidParameterValue(f"Unknown task {task}.")

    def stream(
        self, entity: ServedEntity, body: dict[str, Any], ctx: ProviderContext
    ) -> AsyncIterator[dict[str, Any]]:
        return self._provider(entity, ctx).chat_stream(body)

    def can_stream(self, entity: ServedEntity) -> bool:
        return self._provider_cls(entity).capabilities.streaming


ENTITY_KINDS: list[EntityKind] = [ExternalModelKind()]


def register_entity_kind(kind: EntityKind) -> None:
    ENTITY_KINDS.append(kind)


_BUILTINS: list[bool] = []


def _register_builtins() -> None:
    """Built-in kinds that live in other packages, registered on first use (no import cycle)."""
    if not _BUILTINS:
        _BUILTINS.append(True)
        from lakeai.features.serving import FeatureSpecKind
        from lakeai.serving.model_kind import RegisteredModelKind

        register_entity_kind(RegisteredModelKind())  # before specs: it claims versionless models
        register_entity_kind(FeatureSpecKind())


def kind_of(entity: ServedEntity) -> EntityKind:
    _register_builtins()
    for kind in ENTITY_KINDS:
        if kind.matches(entity):
            return kind
    raise InvalidParameterValue(
        "A served entity needs an external_model {provider, name, task, <provider>_config}"
        + (
            f" (entity_name {entity.entity_name!r} is not servable yet)"
            if entity.entity_name
            else ""
        )
        + "."
    )


def default_entity_name(entity: ServedEntity) -> str:
    """Databricks derives a name when none is given: the model name, dashes for odd characters."""
    if entity.external_model is not None:
        base = entity.external_model.name
    else:
        base = f"{entity.entity_name or 'entity'}-{entity.entity_version or '1'}"
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in base).strip("-_")
    return cleaned[:63] or "entity"
