"""Gateway rate limits, declared the way Databricks' AI Gateway declares them.

A rule is ``{"calls": 100, "tokens": 50000, "key": "user", "renewal_period": "minute"}``
(calls and/or tokens; ``principal`` optionally narrows it to one principal or group).

Windows are **fixed and aligned to the period** (minute windows start on the minute, day
windows at 00:00 UTC). That is simple, exact under concurrency, and easy to explain: "you
have 100 calls this minute; the next minute starts in 42 s". The price is a possible burst of
twice the budget across a window boundary, which a sliding window would smooth but could not
count exactly with one atomic counter. ``Retry-After`` is the number of seconds to the end of
the current window.

A call is counted by ``acquire`` before it runs; tokens are known only afterwards and are added
by ``add_tokens`` (for a stream, when it ends). A call is refused when its window's call budget
is spent or its token budget is already used up.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, RequestLimitExceeded

KEYS = ("user", "user_group", "service_principal", "endpoint")
PERIODS: dict[str, int] = {"minute": 60, "hour": 3600, "day": 86400}
FIELDS = ("calls", "tokens", "key", "renewal_period", "principal")
_PER = {
    "user": "per user",
    "user_group": "per user group",
    "service_principal": "per service principal",
    "endpoint": "across all callers",
}


def _count(data: Mapping[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidParameterValue(f"Rate limit {name!r} must be a whole number >= 0.")
    return value


@dataclass(frozen=True)
class RateLimitRule:
    """One validated rate limit: a call and/or token budget per fixed window, per subject."""

    key: str
    renewal_period: str
    calls: int | None = None
    tokens: int | None = None
    principal: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any] | RateLimitRule) -> RateLimitRule:
        """Validate a Databricks-shaped rate limit dict; messages list the valid values."""
        if isinstance(data, RateLimitRule):
            return data
        if not isinstance(data, Mapping):
            raise InvalidParameterValue("A rate limit must be an object such as {'calls': 100}.")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise InvalidParameterValue(
                f"Unknown rate limit field(s) {', '.join(unknown)}; valid: {', '.join(FIELDS)}."
            )
        key = data.get("key") or "endpoint"
        if key not in KEYS:
            raise InvalidParameterValue(
                f"Rate limit key {key!r} is not valid; use one of {', '.join(KEYS)}."
            )
        period = data.get("renewal_period")
        if period not in PERIODS:
            raise InvalidParameterValue(
                f"Rate limit renewal_period {period!r} is not valid; "
                f"use one of {', '.join(PERIODS)}."
            )
        calls, tokens = _count(data, "calls"), _count(data, "tokens")
        if calls is None and tokens is None:
            raise InvalidParameterValue("A rate limit needs 'calls', 'tokens' or both.")
        principal = data.get("principal")
        if principal is not None and (not isinstance(principal, str) or not principal.strip()):
            raise InvalidParameterValue("Rate limit 'principal' must be a principal or group name.")
        if key == "endpoint" and principal:
            raise InvalidParameterValue(
                "Rate limit key 'endpoint' counts every caller together; it takes no 'principal'."
            )
        return cls(key, period, calls, tokens, principal)

    @property
    def seconds(self) -> int:
        return PERIODS[self.renewal_period]

    @property
    def rule_id(self) -> str:
        """A short stable id, so two rules of one endpoint never share a counter."""
        text = f"{self.key}|{self.renewal_period}|{self.calls}|{self.tokens}|{self.principal}"
        return hashlib.sha1(text.encode()).hexdigest()[:10]

    def window(self, now: float) -> tuple[int, float]:
        """The index of the fixed window holding ``now`` and the time that window ends."""
        index = int(now // self.seconds)
        return index, float((index + 1) * self.seconds)

    def refusal(self, endpoint: str, what: str, now: float) -> RequestLimitExceeded:
        """The 429 for a spent budget (``what`` is "calls" or "tokens"), with Retry-After."""
        _, end = self.window(now)
        retry = max(1, math.ceil(end - now))
        amount = self.calls if what == "calls" else self.tokens
        scope = f"for {self.principal}" if self.principal else _PER[self.key]
        exc = RequestLimitExceeded(
            f"Endpoint {endpoint} allows {amount} {what} per {self.renewal_period} {scope}; "
            f"retry in {retry} s."
        )
        exc.retry_after_seconds = retry
        return exc


def subject_for(rule: RateLimitRule, principal: Principal) -> str | None:
    """Who a call is counted against under ``rule``, or None when the rule does not apply.

    Subjects are prefixed by kind, so a user and a group of the same name never share a
    counter. A ``user_group`` rule without ``principal`` counts the caller's first group (by
    name); give ``principal`` to limit one specific group.
    """
    if rule.key == "endpoint":
        return "*"
    if rule.key == "service_principal":
        if principal.kind != "service_principal":
            return None
        if rule.principal and rule.principal != principal.name:
            return None
        return f"sp:{principal.name}"
    if rule.key == "user":
        if rule.principal and rule.principal != principal.name:
            return None
        return f"user:{principal.name}"
    groups = sorted(principal.groups)
    if rule.principal:
        return f"group:{rule.principal}" if rule.principal in groups else None
    return f"group:{groups[0]}" if groups else None


class RateLimiter(Protocol):
    """What the serving pipeline calls; both implementations count exactly under concurrency."""

    def acquire(
        self, endpoint: str, subject: str, limit: RateLimitRule, now: float | None = None
    ) -> None: ...

    def add_tokens(
        self,
        endpoint: str,
        subject: str,
        limit: RateLimitRule,
        tokens: int,
        now: float | None = None,
    ) -> None: ...

    def close(self) -> None: ...


class InProcessRateLimiter:
    """Counters in a dict under one lock: exact within one process (one server replica).

    Windows that have ended are swept at most once per second of clock time, so memory holds
    only the current windows however long the process runs.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        # (endpoint, subject, rule_id, window) -> [calls, tokens, window_end]
        self._counters: dict[tuple[str, str, str, int], list[float]] = {}
        self._next_sweep = 0.0

    def __len__(self) -> int:
        return len(self._counters)

    def _counter(self, endpoint: str, subject: str, rule: RateLimitRule, now: float) -> list:
        if now >= self._next_sweep:
            self._counters = {k: v for k, v in self._counters.items() if v[2] > now}
            self._next_sweep = now + 1.0
        index, end = rule.window(now)
        key = (endpoint, subject, rule.rule_id, index)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = [0, 0, end]
        return counter

    def acquire(
        self, endpoint: str, subject: str, limit: RateLimitRule, now: float | None = None
    ) -> None:
        now = self._clock() if now is None else now
        with self._lock:
            counter = self._counter(endpoint, subject, limit, now)
            if limit.tokens is not None and counter[1] >= limit.tokens:
                raise limit.refusal(endpoint, "tokens", now)
            if limit.calls is not None:
                if counter[0] >= limit.calls:
                    raise limit.refusal(endpoint, "calls", now)
                counter[0] += 1

    def add_tokens(
        self,
        endpoint: str,
        subject: str,
        limit: RateLimitRule,
        tokens: int,
        now: float | None = None,
    ) -> None:
        if tokens <= 0 or limit.tokens is None:
            return
        now = self._clock() if now is None else now
        with self._lock:
            self._counter(endpoint, subject, limit, now)[1] += tokens

    def close(self) -> None:
        with self._lock:
            self._counters.clear()


def rate_limiter_from_settings(settings: Any) -> RateLimiter:
    """In-process counters when ``ratelimit_url`` is empty, Redis for ``redis://`` URLs."""
    url = str(getattr(settings, "ratelimit_url", "") or "")
    if not url:
        return InProcessRateLimiter()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from lakeai.gateway.ratelimit_redis import RedisRateLimiter

        return RedisRateLimiter(url)
    raise InvalidParameterValue(
        "Setting ratelimit_url (LAKEAI_RATELIMIT_URL) must be empty (in-process counters) "
        "or a redis://, rediss:// or unix:// URL."
    )
