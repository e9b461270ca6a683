"""Rate limits: rule parsing, subjects, exact counting under concurrency, windows, Retry-After."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

from lakeai.core.config import resolve_settings
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, RequestLimitExceeded, TemporarilyUnavailable
from lakeai.gateway.ratelimit import (
    InProcessRateLimiter,
    RateLimitRule,
    rate_limiter_from_settings,
    subject_for,
)

REDIS_URL = "redis://127.0.0.1:6379/0"
T0 = 1_800_000_000.0  # an instant on a minute, hour and day boundary (UTC)


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.fixture(params=["memory", "redis"])
def limiter(request) -> Iterator:
    if request.param == "memory":
        made = InProcessRateLimiter()
    else:
        if not _redis_up():
            pytest.skip("no Redis server at 127.0.0.1:6379")
        from lakeai.gateway.ratelimit_redis import RedisRateLimiter

        made = RedisRateLimiter(REDIS_URL, prefix=f"lakeai-test:{uuid.uuid4().hex}")
    yield made
    made.close()


def rule(**kw) -> RateLimitRule:
    return RateLimitRule.parse({"renewal_period": "minute", **kw})


def alice(**kw) -> Principal:
    return Principal(id=1, name="alice", kind="user", **kw)


def test_parse_validates_with_the_valid_values_named() -> None:
    r = RateLimitRule.parse({"calls": 10, "key": "user", "renewal_period": "hour"})
    assert (r.calls, r.tokens, r.key, r.seconds) == (10, None, "user", 3600)
    assert RateLimitRule.parse({"tokens": 5, "renewal_period": "day"}).key == "endpoint"
    with pytest.raises(InvalidParameterValue, match="user, user_group, service_principal"):
        RateLimitRule.parse({"calls": 1, "key": "team", "renewal_period": "minute"})
    with pytest.raises(InvalidParameterValue, match="minute, hour, day"):
        RateLimitRule.parse({"calls": 1, "renewal_period": "week"})
    with pytest.raises(InvalidParameterValue, match="'calls', 'tokens' or both"):
        RateLimitRule.parse({"renewal_period": "minute"})
    with pytest.raises(InvalidParameterValue, match="whole number"):
        RateLimitRule.parse({"calls": -1, "renewal_period": "minute"})
    with pytest.raises(InvalidParameterValue, match="valid: calls, tokens"):
        RateLimitRule.parse({"calls": 1, "renewal_period": "minute", "burst": 3})
    assert rule(calls=1).rule_id != rule(calls=2).rule_id


def test_subjects_per_key() -> None:
    sp = Principal(id=2, name="bot", kind="service_principal", groups=frozenset({"eng"}))
    member = alice(groups=frozenset({"eng", "ops"}))
    assert subject_for(rule(calls=1, key="endpoint"), member) == "*"
    assert subject_for(rule(calls=1, key="endpoint"), sp) == "*"
    assert subject_for(rule(calls=1, key="user"), member) == "user:alice"
    assert subject_for(rule(calls=1, key="service_principal"), member) is None
    assert subject_for(rule(calls=1, key="service_principal"), sp) == "sp:bot"
    assert subject_for(rule(calls=1, key="user_group"), member) == "group:eng"
    assert subject_for(rule(calls=1, key="user_group"), alice()) is None
    ops = rule(calls=1, key="user_group", principal="ops")
    assert subject_for(ops, member) == "group:ops"
    assert subject_for(ops, sp) is None
    only_bob = rule(calls=1, key="user", principal="bob")
    assert subject_for(only_bob, member) is None
    assert subject_for(rule(calls=1, key="service_principal", principal="bot"), sp) == "sp:bot"


def test_exact_under_concurrency(limiter) -> None:
    limit = rule(calls=137, key="endpoint", renewal_period="hour")
    now = T0 + 10  # one fixed window for every thread, whatever the wall clock does
    ok, refused = [], []
    barrier = threading.Barrier(50)

    def worker() -> None:
        barrier.wait()
        for _ in range(10):
            try:
                limiter.acquire("chat", "*", limit, now=now)
                ok.append(1)
            except RequestLimitExceeded:
                refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(ok), len(refused)) == (137, 500 - 137)


def test_window_rollover_and_retry_after(limiter) -> None:
    limit = rule(calls=2, key="user")
    limiter.acquire("chat", "user:alice", limit, now=T0 + 1)
    limiter.acquire("chat", "user:alice", limit, now=T0 + 17)
    with pytest.raises(RequestLimitExceeded) as info:
        limiter.acquire("chat", "user:alice", limit, now=T0 + 18)
    assert info.value.retry_after_seconds == 42
    assert info.value.message == (
        "Endpoint chat allows 2 calls per minute per user; retry in 42 s."
    )
    limiter.acquire("chat", "user:bob", limit, now=T0 + 18)  # others have their own budget
    limiter.acquire("other", "user:alice", limit, now=T0 + 18)  # so do other endpoints
    limiter.acquire("chat", "user:alice", limit, now=T0 + 60)  # the next window is fresh
    with pytest.raises(RequestLimitExceeded) as late:
        limiter.acquire("chat", "user:alice", limit, now=T0 + 119.5)
        limiter.acquire("chat", "user:alice", limit, now=T0 + 119.5)
    assert late.value.retry_after_seconds == 1


def test_token_budget(limiter) -> None:
    limit = rule(tokens=100, key="user", renewal_period="hour")
    limiter.acquire("chat", "user:alice", limit, now=T0)
    limiter.add_tokens("chat", "user:alice", limit, 60, now=T0 + 1)
    limiter.acquire("chat", "user:alice", limit, now=T0 + 2)  # 60 < 100: still allowed
    limiter.add_tokens("chat", "user:alice", limit, 40, now=T0 + 3)  # a stream that ended
    with pytest.raises(RequestLimitExceeded, match="100 tokens per hour per user") as info:
        limiter.acquire("chat", "user:alice", limit, now=T0 + 600)
    assert info.value.retry_after_seconds == 3000
    limiter.acquire("chat", "user:alice", limit, now=T0 + 3600)


def test_calls_and_tokens_together(limiter) -> None:
    limit = rule(calls=5, tokens=10, key="user_group", principal="eng")
    limiter.acquire("chat", "group:eng", limit, now=T0)
    limiter.add_tokens("chat", "group:eng", limit, 10, now=T0)
    with pytest.raises(RequestLimitExceeded, match="10 tokens per minute for eng"):
        limiter.acquire("chat", "group:eng", limit, now=T0 + 1)


def test_rules_have_separate_counters(limiter) -> None:
    per_minute, per_day = rule(calls=1, key="user"), rule(calls=3, renewal_period="day")
    limiter.acquire("chat", "user:alice", per_minute, now=T0)
    limiter.acquire("chat", "user:alice", per_day, now=T0)
    with pytest.raises(RequestLimitExceeded, match="per minute"):
        limiter.acquire("chat", "user:alice", per_minute, now=T0)


def test_in_process_memory_stays_bounded() -> None:
    limiter = InProcessRateLimiter()
    limit = rule(calls=1000, tokens=10**9, key="user")
    for minute in range(5000):
        for who in ("a", "b", "c"):
            limiter.acquire("chat", who, limit, now=T0 + minute * 60 + 5)
            limiter.add_tokens("chat", who, limit, 3, now=T0 + minute * 60 + 6)
    assert len(limiter) <= 6  # at most this window and the one just ended


def test_factory_and_unavailable_redis(tmp_path) -> None:
    settings = resolve_settings(workspace=str(tmp_path))
    assert isinstance(rate_limiter_from_settings(settings), InProcessRateLimiter)
    with pytest.raises(InvalidParameterValue, match="LAKEAI_RATELIMIT_URL"):
        rate_limiter_from_settings(resolve_settings(workspace=str(tmp_path), ratelimit_url="x:"))
    dead = rate_limiter_from_settings(
        resolve_settings(workspace=str(tmp_path), ratelimit_url="redis://:pw@127.0.0.1:1/0")
    )
    with pytest.raises(TemporarilyUnavailable) as info:
        dead.acquire("chat", "*", rule(calls=1), now=T0)
    assert "pw" not in info.value.message
    dead.close()
