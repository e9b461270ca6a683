"""The provider interface, its registry, and the one HTTP boundary where vendor errors become ours.

A provider turns OpenAI-shaped requests (``schemas``) into a vendor's wire format and back.
Built-ins register through the same ``register()`` a third party uses, or through the entry
point group ``lakeai.gateway_providers``. The router chooses by ``capabilities``, never by
catching ``NotImplementedError``.
"""

from __future__ import annotations

import json
import re
from abc import ABC
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, ClassVar

import httpx

from lakeai.errors import (
    InvalidParameterValue,
    LakeAIError,
    PermissionDenied,
    RequestLimitExceeded,
    ResourceDoesNotExist,
    TemporarilyUnavailable,
)
from lakeai.gateway.schemas import CHAT, COMPLETIONS, EMBEDDINGS
from lakeai.gateway.urls import redact_url, validate_base_url

ENTRY_POINT_GROUP = "lakeai.gateway_providers"
SECRET_REFERENCE = re.compile(r"^\{\{\s*secrets/[^/\s]+/[^/\s]+\s*\}\}$")


@dataclass(frozen=True)
class ProviderCapabilities:
    chat: bool = False
    completions: bool = False
    embeddings: bool = False
    streaming: bool = False

    def supports(self, task: str) -> bool:
        return {CHAT: self.chat, COMPLETIONS: self.completions, EMBEDDINGS: self.embeddings}.get(
            task, False
        )

    def tasks(self) -> list[str]:
        return [t for t in (CHAT, COMPLETIONS, EMBEDDINGS) if self.supports(t)]


@dataclass(frozen=True)
class ProviderContext:
    """What the platform hands a provider: secret resolution, a shared HTTP client, limits."""

    resolve_secret: Callable[[str], str]
    http: httpx.AsyncClient
    timeout: float = 60.0
    allow_link_local: bool = False


class Provider(ABC):
    """One vendor. Subclasses set the class attributes and implement what they declare."""

    name: ClassVar[str]
    config_key: ClassVar[str]  # the external_model field holding its config, e.g. "openai_config"
    capabilities: ClassVar[ProviderCapabilities]
    required_fields: ClassVar[tuple[str, ...]] = ()
    optional_fields: ClassVar[tuple[str, ...]] = ()
    # Fields holding credentials: given as {{secrets/scope/key}} (or as <field>_plaintext).
    secret_fields: ClassVar[tuple[str, ...]] = ()
    base_url_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, model: str, config: dict[str, Any], ctx: ProviderContext) -> None:
        self.model = model
        self.config = config
        self.ctx = ctx

    # -- configuration --------------------------------------------------------------------
    @classmethod
    def validate_config(
        cls, config: dict[str, Any] | None, *, allow_link_local: bool = False
    ) -> dict[str, Any]:
        """Check required and unknown fields, secret references and base URLs at config time."""
        config = dict(config or {})
        known = set(cls.required_fields) | set(cls.optional_fields) | set(cls.secret_fields)
        known |= {f"{f}_plaintext" for f in cls.secret_fields} | set(cls.base_url_fields)
        unknown = sorted(set(config) - known)
        if unknown:
            raise InvalidParameterValue(
                f"Unknown {cls.config_key} fields: {', '.join(unknown)}; valid: {', '.join(sorted(known))}."
            )
        for field in cls.required_fields:
            if field in cls.secret_fields:
                if not config.get(field) and not config.get(f"{field}_plaintext"):
                    raise InvalidParameterValue(
                        f"{cls.config_key}.{field} is required: a secret reference like "
                        f"'{{{{secrets/<scope>/<key>}}}}' (or {field}_plaintext)."
                    )
            elif config.get(field) in (None, ""):
                raise InvalidParameterValue(f"{cls.config_key}.{field} is required.")
        for field in cls.secret_fields:
            value = config.get(field)
            if value and not SECRET_REFERENCE.match(str(value)):
                raise InvalidParameterValue(
                    f"{cls.config_key}.{field} must be a secret reference like "
                    f"'{{{{secrets/<scope>/<key>}}}}'; put a literal key in {field}_plaintext."
                )
        for field in cls.base_url_fields:
            if config.get(field):
                config[field] = validate_base_url(
                    str(config[field]), allow_link_local=allow_link_local
                )
        return config

    def secret(self, field: str) -> str:
        """The credential in ``field``, resolved now (references) or as given (plaintext)."""
        reference = self.config.get(field)
        if reference:
            return self.ctx.resolve_secret(str(reference))
        plain = self.config.get(f"{field}_plaintext")
        if plain:  # stored encrypted by the serving layer; the context decrypts it
            return self.ctx.resolve_secret(str(plain))
        raise InvalidParameterValue(f"{self.config_key}.{field} is not set.")

    # -- tasks (implement what ``capabilities`` declares) -----------------------------------
    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        raise InvalidParameterValue(f"Provider {self.name} does not serve llm/v1/chat.")

    def chat_stream(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        raise InvalidParameterValue(f"Provider {self.name} does not stream.")

    async def completions(self, body: dict[str, Any]) -> dict[str, Any]:
        raise InvalidParameterValue(f"Provider {self.name} does not serve llm/v1/completions.")

    async def embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        raise InvalidParameterValue(f"Provider {self.name} does not serve llm/v1/embeddings.")

    async def aclose(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release anything the provider holds (local models, clients)."""

    # -- HTTP boundary --------------------------------------------------------------------
    async def post_json(
        self, url: str, payload: dict[str, Any] | bytes, headers: dict[str, str]
    ) -> dict[str, Any]:
        """POST JSON (a dict, or bytes already serialised, e.g. because they were signed)."""
        body = {"content": payload} if isinstance(payload, bytes) else {"json": payload}
        try:
            response = await self.ctx.http.post(
                url, headers=headers, timeout=self.ctx.timeout, **body
            )
        except httpx.HTTPError as exc:
            raise self.transport_error(exc, url) from exc
        if response.status_code >= 400:
            raise self.upstream_error(response.status_code, response.text, response.headers)
        try:
            return response.json()
        except ValueError as exc:
            raise TemporarilyUnavailable(
                f"Provider {self.name} answered a body that is not JSON."
            ) from exc

    async def stream_sse(
        self, url: str, payload: dict[str, Any], headers: dict[str, str]
    ) -> AsyncIterator[tuple[str | None, dict[str, Any]]]:
        """POST and yield ``(event, data)`` from a server-sent-event stream; ``[DONE]`` ends it."""
        try:
            async with self.ctx.http.stream(
                "POST", url, json=payload, headers=headers, timeout=self.ctx.timeout
            ) as response:
                if response.status_code >= 400:
                    text = (await response.aread()).decode(errors="replace")
                    raise self.upstream_error(response.status_code, text, response.headers)
                event: str | None = None
                async for line in response.aiter_lines():
                    if not line:
                        event = None
                        continue
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data = line[5:].strip()
                        if data == "[DONE]":
                            return
                        try:
                            yield event, json.loads(data)
                        except ValueError:
                            continue
        except httpx.HTTPError as exc:
            raise self.transport_error(exc, url) from exc

    def transport_error(self, exc: httpx.HTTPError, url: str) -> TemporarilyUnavailable:
        """A timeout or a connection failure: retryable, named without credentials."""
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "is unreachable"
        return TemporarilyUnavailable(f"Provider {self.name} {what} ({redact_url(url)}).")

    def upstream_error(self, status: int, text: str, headers: Any) -> LakeAIError:
        """A vendor's error, with its status class and a cleaned message (no key, no URL)."""
        message = self.clean_message(_error_message(text))
        label = f"Provider {self.name} answered {status}: {message}"
        if status == 429:
            error: LakeAIError = RequestLimitExceeded(label)
            error.retry_after_seconds = _retry_after(headers)
            return error
        if status >= 500 or status == 408:
            return TemporarilyUnavailable(label)
        if status in (401, 403):
            return PermissionDenied(
                f"Provider {self.name} refused the endpoint's credentials: {message}"
            )
        if status == 404:
            return ResourceDoesNotExist(label)
        return InvalidParameterValue(label)

    def clean_message(self, message: str) -> str:
        """Strip anything that looks like a credential or a URL from a vendor's message."""
        for field in self.secret_fields:
            try:
                value = self.secret(field)
            except LakeAIError:
                continue
            if value:
                message = message.replace(value, "***")
        message = re.sub(r"https?://\S+", "<url>", message)
        message = re.sub(r"\b(sk|key|dapi|AKIA)[-_A-Za-z0-9]{8,}", "***", message)
        return message[:500]


def _error_message(text: str) -> str:
    try:
        body = json.loads(text)
    except ValueError:
        return text.strip()[:300] or "no message"
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or err.get("error_description") or err)[:300]
        if isinstance(err, str):
            return body.get("message") or err
        return str(body.get("message") or body)[:300]
    return str(body)[:300]


def _retry_after(headers: Any) -> float | None:
    value = headers.get("retry-after") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


PROVIDERS: dict[str, type[Provider]] = {}
_loaded = False


def register(cls: type[Provider]) -> type[Provider]:
    """Add a provider class to the registry (a decorator for built-ins and plug-ins alike)."""
    PROVIDERS[cls.name] = cls
    return cls


BUILTIN_MODULES = (
    "openai",
    "azure_openai",
    "anthropic",
    "cohere",
    "mistral",
    "google",
    "bedrock",
    "openai_compatible",
    "lakeai_builtin",
)


def load_providers() -> dict[str, type[Provider]]:
    """Import the built-ins and entry-point plug-ins once; the registry after that."""
    global _loaded
    if not _loaded:
        import importlib

        for module in BUILTIN_MODULES:
            try:
                importlib.import_module(f"lakeai.gateway.providers.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"lakeai.gateway.providers.{module}":
                    raise
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            register(ep.load())
        _loaded = True
    return PROVIDERS


def provider_class(name: str) -> type[Provider]:
    providers = load_providers()
    try:
        return providers[name]
    except KeyError:
        raise InvalidParameterValue(
            f"Unknown provider {name!r}; valid: {', '.join(sorted(providers))}."
        ) from None
