"""Rate-limit counters in Redis: exact across every server replica sharing one Redis.

Each (endpoint, subject, rule, window) is one hash ``lakeai:rl:{endpoint}:{subject}:{rule-id}:
{window}`` with fields ``calls`` and ``tokens``, expiring shortly after its window ends. One Lua
script checks the token budget, counts the call and sets the expiry atomically, so concurrent
replicas can neither overshoot a budget nor leave a counter without an expiry.

Redis errors become ``TemporarilyUnavailable``. The client never retries a command on its own:
a retry after a timeout could count one call twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from lakeai.errors import TemporarilyUnavailable
from lakeai.gateway.ratelimit import RateLimitRule

# Returns 0 when the call may go ahead, -1 when the call budget is spent, -2 for tokens.
_ACQUIRE = """
local key = KEYS[1]
local calls_limit = tonumber(ARGV[1])
local tokens_limit = tonumber(ARGV[2])
if tokens_limit >= 0 then
  local used = tonumber(redis.call('HGET', key, 'tokens') or '0')
  if used >= tokens_limit then return -2 end
end
if calls_limit >= 0 then
  local n = redis.call('HINCRBY', key, 'calls', 1)
  redis.call('EXPIRE', key, ARGV[3])
  if n > calls_limit then
    redis.call('HINCRBY', key, 'calls', -1)
    return -1
  end
end
return 0
"""

_ADD_TOKENS = """
redis.call('HINCRBY', KEYS[1], 'tokens', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 0
"""

# Keep a counter this long after its window ends, for clocks a little apart between replicas.
EXPIRY_SLACK_SECONDS = 60


def _ttl(end: float, now: float) -> int:
    """Seconds a counter lives: relative to ``now``, so an injected test clock works too."""
    return max(1, int(end - now)) + EXPIRY_SLACK_SECONDS


class RedisRateLimiter:
    """``RateLimiter`` over Redis; ``prefix`` separates deployments (and tests) sharing one."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "lakeai:rl",
        clock: Callable[[], float] = time.time,
        timeout: float = 2.0,
    ) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.prefix = prefix
        self._clock = clock
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
        self._acquire = self._client.register_script(_ACQUIRE)
        self._add = self._client.register_script(_ADD_TOKENS)

    def key(self, endpoint: str, subject: str, rule: RateLimitRule, window: int) -> str:
        return f"{self.prefix}:{endpoint}:{subject}:{rule.rule_id}:{window}"

    def _run(self, script: Any, keys: list[str], args: list[Any]) -> int:
        import redis

        try:
            return int(script(keys=keys, args=args))
        except redis.RedisError as exc:
            # The message names no URL: it may carry a password.
            raise TemporarilyUnavailable(
                f"The rate-limit store (Redis) is unavailable ({type(exc).__name__}); "
                "retry shortly."
            ) from exc

    def acquire(
        self, endpoint: str, subject: str, limit: RateLimitRule, now: float | None = None
    ) -> None:
        now = self._clock() if now is None else now
        index, end = limit.window(now)
        args = [
            -1 if limit.calls is None else limit.calls,
            -1 if limit.tokens is None else limit.tokens,
            _ttl(end, now),
        ]
        outcome = self._run(self._acquire, [self.key(endpoint, subject, limit, index)], args)
        if outcome == -1:
            raise limit.refusal(endpoint, "calls", now)
        if outcome == -2:
            raise limit.refusal(endpoint, "tokens", now)

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
        index, end = limit.window(now)
        key = self.key(endpoint, subject, limit, index)
        self._run(self._add, [key], [int(tokens), _ttl(end, now)])

    def close(self) -> None:
        self._client.close()
