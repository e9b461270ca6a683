"""A small time-bounded cache for positive security decisions on hot paths.

Only *positive* answers are cached (a token is valid, a grant is held), for a couple of
seconds, and the process that changes a token or grant clears its cache at once; another
replica sees a revocation within ``ttl`` seconds. Negative answers are never cached, so a
new grant or token works immediately everywhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    def __init__(self, ttl: float = 2.0, maxsize: int = 50_000) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._items: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        found = self._items.get(key)
        if found is None:
            return None
        expires, value = found
        if expires < time.monotonic():
            self._items.pop(key, None)
            return None
        return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            if len(self._items) >= self.maxsize:
                self._items.clear()  # crude but bounded: memory stays flat under any load
            self._items[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
