"""The closed-loop HTTP load generator the benchmarks share.

``concurrency`` keep-alive connections send the request bodies in turn, each waiting for its
answer before sending the next; a non-200 answer stops the run (a benchmark that measures
errors measures nothing).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any


async def closed_loop(
    url: str, headers: dict[str, str], bodies: list[Any], concurrency: int
) -> tuple[list[float], float]:
    """Per-request latencies in ms, and the wall time in seconds."""
    import httpx

    latencies: list[float] = []
    todo = iter(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for body in todo:
                start = time.perf_counter()
                response = await client.post(url, content=body)
                latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - began
