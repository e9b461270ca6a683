"""Rate limits are exact under concurrency, for plain and streamed calls, on a real server."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.serving.conftest import FAKE_KEY, openai_entity


def _setup(live_server, upstream: str, limit: int) -> tuple[str, dict[str, str]]:
    headers = {"Authorization": f"Bearer {live_server.token}"}
    name = f"edge-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=live_server.url, headers=headers) as client:
        client.post("/api/2.0/secrets/scopes/create", json={"scope": "vendor"})
        client.post(
            "/api/2.0/secrets/put",
            json={"scope": "vendor", "key": "openai", "string_value": FAKE_KEY},
        )
        body = {
            "name": name,
            "config": {"served_entities": [openai_entity("a", upstream)]},
            "ai_gateway": {
                "rate_limits": [{"calls": limit, "key": "endpoint", "renewal_period": "hour"}]
            },
        }
        assert client.post("/api/2.0/serving-endpoints", json=body).status_code == 200
    return name, headers


async def _fire(
    url: str, headers: dict[str, str], name: str, count: int, stream: bool
) -> list[int]:
    body = {"messages": [{"role": "user", "content": "hi"}], "stream": stream}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def one() -> int:
            response = await client.post(f"/serving-endpoints/{name}/invocations", json=body)
            await response.aread()
            return response.status_code

        return await asyncio.gather(*(one() for _ in range(count)))


def test_exact_at_the_edge(live_server, upstream):
    name, headers = _setup(live_server, upstream, limit=17)
    codes = asyncio.run(_fire(live_server.url, headers, name, 40, stream=False))
    assert codes.count(200) == 17 and codes.count(429) == 23


def test_exact_for_streams(live_server, upstream):
    name, headers = _setup(live_server, upstream, limit=9)
    codes = asyncio.run(_fire(live_server.url, headers, name, 25, stream=True))
    assert codes.count(200) == 9 and codes.count(429) == 16
