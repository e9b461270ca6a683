"""The invocation pipeline: validate, rate-limit, route by traffic, call, fall back, record usage.

Order of a call: the request body is checked against the endpoint's task; every rate limit
that applies to the caller is charged; a served entity is drawn by the traffic split; a call
that fails with a retryable error (5xx, timeout, unreachable) is retried with backoff, and on
429 or after the retries the next entity of the fallback list is tried (when fallbacks are on).
Every call, failed or not, appends a usage row.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from lakeai.core.principals import Principal
from lakeai.errors import LakeAIError, RequestLimitExceeded, RetryableError, TemporarilyUnavailable
from lakeai.gateway.providers.base import ProviderContext
from lakeai.gateway.ratelimit import RateLimiter, RateLimitRule, subject_for
from lakeai.gateway.schemas import token_counts, validate_request
from lakeai.gateway.usage import UsageEvent, UsageRecorder
from lakeai.serving.entities import kind_of
from lakeai.serving.models import AiGatewayConfig, EndpointConfig, ServedEntity


@dataclass(frozen=True)
class EndpointSnapshot:
    """An endpoint's parsed config, as one request sees it."""

    name: str
    task: str
    owner: str
    config: EndpointConfig
    gateway: AiGatewayConfig
    infos: dict[str, tuple[str, str]]  # served entity name -> (provider, model)

    @property
    def rules(self) -> list[RateLimitRule]:
        return [RateLimitRule.parse(r) for r in self.gateway.rate_limits or []]

    @property
    def captures(self) -> bool:
        """Whether calls go to an inference table (auto_capture_config or inference_table_config)."""
        legacy = self.config.auto_capture_config
        table = self.gateway.inference_table_config
        return bool((legacy and legacy.enabled) or (table and table.enabled))

    @property
    def fallbacks_enabled(self) -> bool:
        fallback = self.gateway.fallback_config
        return fallback is None or fallback.enabled  # on unless switched off


@dataclass(frozen=True)
class CapturedCall:
    """One call, as an inference table records it (the hook for payload logging)."""

    endpoint: str
    served_entity: str
    request_id: str
    requester: str
    request: dict[str, Any]
    response: dict[str, Any] | None
    status_code: int
    latency_ms: int
    shadow: bool = False  # a copy sent to a shadow route; its answer was not returned


CaptureHook = Callable[[CapturedCall], None]


@dataclass
class QueryResult:
    response: dict[str, Any]
    served_entity: str


class Invoker:
    def __init__(
        self,
        limiter: RateLimiter,
        usage: UsageRecorder,
        resolve_secret: Any,
        *,
        timeout: float,
        max_retries: int,
        backoff: float,
        allow_link_local: bool,
    ) -> None:
        self.limiter = limiter
        self.usage = usage
        self.capture_hooks: list[CaptureHook] = []  # the inference-table writer registers here
        self.resolve_secret = resolve_secret  # (owner, value) -> plaintext
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.allow_link_local = allow_link_local
        self._clients: dict[int, httpx.AsyncClient] = {}
        self._random = random.Random()
        self._shadow_tasks: set[asyncio.Task[None]] = set()

    def _context(self, endpoint: EndpointSnapshot) -> ProviderContext:
        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
            client = self._clients[loop_id] = httpx.AsyncClient(limits=limits)
        return ProviderContext(
            resolve_secret=lambda value: self.resolve_secret(endpoint.owner, value),
            http=client,
            timeout=self.timeout,
            allow_link_local=self.allow_link_local,
        )

    # -- routing --------------------------------------------------------------------------
    def order(
        self, endpoint: EndpointSnapshot, payload: dict[str, Any] | None = None
    ) -> list[ServedEntity]:
        """The entity drawn by the traffic split first, then the others in config order.

        With ``traffic_config.sticky_field`` the draw is a hash of that request field's value,
        so one customer keeps one entity; entities only shadow routes name are never fallbacks.
        """
        entities = {e.name: e for e in endpoint.config.served_entities}
        traffic = endpoint.config.traffic_config
        routes = [r for r in traffic.routes if r.traffic_percentage > 0]
        total = sum(r.traffic_percentage for r in routes) or 1
        sticky = _sticky_value(traffic.sticky_field, payload) if traffic.sticky_field else None
        if sticky is not None:
            digest = hashlib.sha256(f"{endpoint.name}\0{sticky}".encode()).digest()
            pick = int.from_bytes(digest[:8], "big") / 2**64 * total
        else:
            pick = self._random.uniform(0, total)
        first = routes[-1].target if routes else endpoint.config.served_entities[0].name
        for route in routes:
            pick -= route.traffic_percentage
            if pick < 0 or (sticky is None and pick <= 0):
                first = route.target
                break
        if not endpoint.fallbacks_enabled:
            return [entities[first]]
        shadows = {r.target for r in traffic.shadow_routes or []} - {r.target for r in routes}
        rest = [e for e in endpoint.config.served_entities if e.name not in shadows | {first}]
        return [entities[first], *rest]

    def _shadow(
        self,
        endpoint: EndpointSnapshot,
        principal: Principal,
        request_id: str,
        payload: dict[str, Any],
    ) -> None:
        """Copy the request to the shadow routes drawn for it; answers are recorded only."""
        entities = {e.name: e for e in endpoint.config.served_entities}
        for route in endpoint.config.traffic_config.shadow_routes or []:
            if self._random.uniform(0, 100) >= route.traffic_percentage:
                continue
            task = asyncio.create_task(
                self._call_shadow(endpoint, entities[route.target], principal, request_id, payload)
            )
            self._shadow_tasks.add(task)
            task.add_done_callback(self._shadow_tasks.discard)

    async def _call_shadow(
        self,
        endpoint: EndpointSnapshot,
        entity: ServedEntity,
        principal: Principal,
        request_id: str,
        payload: dict[str, Any],
    ) -> None:
        started = time.perf_counter()
        call = (endpoint, entity.name, principal, request_id, started, payload)
        try:
            kind = kind_of(entity)
            response = await kind.call(entity, endpoint.task, payload, self._context(endpoint))
        except Exception as exc:  # a shadow never affects the caller; its failure is recorded
            error = exc if isinstance(exc, LakeAIError) else LakeAIError(type(exc).__name__)
            self._finish(*call, error=error, shadow=True)
            return
        self._finish(*call, response=response, tokens=token_counts(response), shadow=True)

    def _charge(
        self, endpoint: EndpointSnapshot, principal: Principal
    ) -> list[tuple[RateLimitRule, str]]:
        charged = []
        for rule in endpoint.rules:
            subject = subject_for(rule, principal)
            if subject is not None:
                self.limiter.acquire(endpoint.name, subject, rule)
                charged.append((rule, subject))
        return charged

    def _add_tokens(
        self, endpoint: EndpointSnapshot, charged: list[tuple[RateLimitRule, str]], tokens: int
    ) -> None:
        for rule, subject in charged:
            if rule.tokens is not None and tokens:
                self.limiter.add_tokens(endpoint.name, subject, rule, tokens)

    # -- calls ----------------------------------------------------------------------------
    async def _call_with_retries(
        self, endpoint: EndpointSnapshot, entity: ServedEntity, body: dict[str, Any]
    ) -> dict[str, Any]:
        kind = kind_of(entity)
        for attempt in range(self.max_retries + 1):
            try:
                return await kind.call(entity, endpoint.task, body, self._context(endpoint))
            except TemporarilyUnavailable:
                if attempt == self.max_retries:
                    raise
                await asyncio.sleep(self.backoff * (2**attempt))
        raise AssertionError("unreachable")

    async def invoke(
        self, principal: Principal, endpoint: EndpointSnapshot, body: Any, request_id: str
    ) -> QueryResult:
        started = time.perf_counter()
        payload = validate_request(endpoint.task, body)
        payload.pop("stream", None)
        charged = self._charge(endpoint, principal)
        last: LakeAIError | None = None
        if endpoint.config.traffic_config.shadow_routes:
            self._shadow(endpoint, principal, request_id, payload)
        for entity in self.order(endpoint, payload):
            call = (endpoint, entity.name, principal, request_id, started, payload)
            try:
                response = await self._call_with_retries(endpoint, entity, payload)
            except RetryableError as exc:
                last = exc
                self._finish(*call, error=exc)
                continue
            except LakeAIError as exc:
                self._finish(*call, error=exc)
                raise
            tokens_in, tokens_out = token_counts(response)
            self._add_tokens(endpoint, charged, tokens_in + tokens_out)
            self._finish(*call, response=response, tokens=(tokens_in, tokens_out))
            return QueryResult(response, entity.name)
        raise _exhausted(endpoint, last)

    async def invoke_stream(
        self, principal: Principal, endpoint: EndpointSnapshot, body: Any, request_id: str
    ) -> tuple[str, AsyncIterator[dict[str, Any]]]:
        """Open a stream: fall back only before the first chunk; usage recorded when it ends."""
        started = time.perf_counter()
        payload = validate_request(endpoint.task, body)
        payload["stream"] = True
        charged = self._charge(endpoint, principal)
        last: LakeAIError | None = None
        for entity in self.order(endpoint, payload):
            kind = kind_of(entity)
            if not kind.can_stream(entity):
                last = last or TemporarilyUnavailable(f"Served entity {entity.name} cannot stream.")
                continue
            stream = kind.stream(entity, payload, self._context(endpoint)).__aiter__()
            try:
                first = await stream.__anext__()
            except StopAsyncIteration:
                first = None
            except RetryableError as exc:
                last = exc
                self._finish(
                    endpoint,
                    entity.name,
                    principal,
                    request_id,
                    started,
                    payload,
                    error=exc,
                    streamed=True,
                )
                continue
            except LakeAIError as exc:
                self._finish(
                    endpoint,
                    entity.name,
                    principal,
                    request_id,
                    started,
                    payload,
                    error=exc,
                    streamed=True,
                )
                raise
            return entity.name, self._relay(
                endpoint,
                entity.name,
                principal,
                request_id,
                started,
                charged,
                first,
                stream,
                payload,
            )
        raise _exhausted(endpoint, last)

    async def _relay(
        self,
        endpoint: EndpointSnapshot,
        entity_name: str,
        principal: Principal,
        request_id: str,
        started: float,
        charged: list[tuple[RateLimitRule, str]],
        first: dict[str, Any] | None,
        stream: AsyncIterator[dict[str, Any]],
        payload: dict[str, Any],
    ) -> AsyncIterator[dict[str, Any]]:
        tokens = (0, 0)
        error: LakeAIError | None = None
        capture = bool(self.capture_hooks and endpoint.captures)
        chunks: list[dict[str, Any]] = []  # what the inference table gets, when it is on
        try:
            chunk = first
            while chunk is not None:
                if chunk.get("usage"):
                    tokens = token_counts(chunk)
                if capture:
                    chunks.append(chunk)
                yield chunk
                try:
                    chunk = await stream.__anext__()
                except StopAsyncIteration:
                    chunk = None
        except LakeAIError as exc:
            error = exc
            raise
        finally:
            self._add_tokens(endpoint, charged, sum(tokens))
            self._finish(
                endpoint,
                entity_name,
                principal,
                request_id,
                started,
                payload,
                response={"object": "chat.completion.chunks", "chunks": chunks},
                tokens=tokens,
                error=error,
                streamed=True,
            )

    def _record(
        self,
        endpoint: EndpointSnapshot,
        entity_name: str,
        principal: Principal,
        request_id: str,
        started: float,
        *,
        tokens: tuple[int, int] = (0, 0),
        error: LakeAIError | None = None,
        streamed: bool = False,
    ) -> None:
        provider, model = endpoint.infos.get(entity_name, ("", ""))
        self.usage.record(
            UsageEvent(
                request_id=request_id,
                endpoint_name=endpoint.name,
                served_entity_name=entity_name,
                provider=provider,
                model=model,
                requester=principal.name,
                requester_kind=principal.kind,
                input_tokens=tokens[0],
                output_tokens=tokens[1],
                latency_ms=round((time.perf_counter() - started) * 1000),
                status_code=error.http_status if error else 200,
                error_code=error.error_code if error else None,
                streamed=streamed,
            )
        )

    def _finish(
        self,
        endpoint: EndpointSnapshot,
        entity_name: str,
        principal: Principal,
        request_id: str,
        started: float,
        payload: dict[str, Any],
        *,
        response: dict[str, Any] | None = None,
        tokens: tuple[int, int] = (0, 0),
        error: LakeAIError | None = None,
        shadow: bool = False,
        streamed: bool = False,
    ) -> None:
        """One attempt's usage row and inference-table capture."""
        self._record(
            endpoint,
            entity_name,
            principal,
            request_id,
            started,
            tokens=tokens,
            error=error,
            streamed=streamed,
        )
        status = error.http_status if error else 200
        self._capture(
            endpoint,
            entity_name,
            principal,
            request_id,
            started,
            payload,
            response,
            status,
            shadow=shadow,
        )

    def _capture(
        self,
        endpoint: EndpointSnapshot,
        entity_name: str,
        principal: Principal,
        request_id: str,
        started: float,
        request: dict[str, Any],
        response: dict[str, Any] | None,
        status_code: int,
        *,
        shadow: bool = False,
    ) -> None:
        if not self.capture_hooks or not endpoint.captures:
            return
        call = CapturedCall(
            endpoint.name,
            entity_name,
            request_id,
            principal.name,
            request,
            response,
            status_code,
            round((time.perf_counter() - started) * 1000),
            shadow=shadow,
        )
        for hook in self.capture_hooks:
            hook(call)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def _exhausted(endpoint: EndpointSnapshot, last: LakeAIError | None) -> LakeAIError:
    """The error once every served entity failed: the last 429 as is, otherwise a 503."""
    if isinstance(last, RequestLimitExceeded):
        return last
    reason = f" Last error: {last.message}" if last else ""
    error = TemporarilyUnavailable(
        f"Endpoint {endpoint.name}: every served entity failed or is unavailable.{reason}"
    )
    if isinstance(last, RetryableError):  # keep the hint of when to retry (a full queue)
        error.retry_after_seconds = last.retry_after_seconds
    return error


def _sticky_value(field: str, payload: dict[str, Any] | None) -> str | None:
    """The sticky field's value: top-level, or in the first row of a dataframe/instances body."""
    if not payload:
        return None
    value = payload.get(field)
    if value is None:
        records = payload.get("dataframe_records") or payload.get("instances")
        split = payload.get("dataframe_split")
        inputs = payload.get("inputs")
        if isinstance(records, list) and records and isinstance(records[0], dict):
            value = records[0].get(field)
        elif isinstance(split, dict) and field in (split.get("columns") or []):
            rows = split.get("data") or [[]]
            column = split["columns"].index(field)
            value = rows[0][column] if rows and len(rows[0]) > column else None
        elif isinstance(inputs, dict):
            value = inputs.get(field)
            value = value[0] if isinstance(value, list) and value else value
    return None if value is None else json.dumps(value, sort_keys=True, default=str)
