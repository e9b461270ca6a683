"""Online-table fixtures: a store per backend (Redis skipped when no server answers)."""

from __future__ import annotations

import uuid

import pytest

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.2).ping())
    except Exception:
        return False


def open_store(backend: str, tmp_path, keys: list[str], ts: str | None = None):
    if backend == "redis":
        if not redis_available():
            pytest.skip("no Redis server at 127.0.0.1:6379")
        from lakeai.features.online_redis import RedisOnlineStore

        return RedisOnlineStore(REDIS_URL, f"test-{uuid.uuid4().hex}", keys, ts)
    from lakeai.features.online_store import SqliteOnlineStore

    return SqliteOnlineStore(tmp_path / f"{uuid.uuid4().hex}.db", keys, ts)


@pytest.fixture(params=["sqlite", "redis"])
def backend(request) -> str:
    return request.param
