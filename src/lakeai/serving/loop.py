"""One background event loop per process, so synchronous callers can run the async gateway.

The server calls the async API on its own loop; ``lakeai.Workspace`` and the CLI call the
synchronous wrappers, which run the coroutine on this loop thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="lakeai-loop", daemon=True)
            thread.start()
            _loop = loop
        return _loop


def run_sync(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run a coroutine to completion from synchronous code (never from inside a loop)."""
    return asyncio.run_coroutine_threadsafe(coro, _background_loop()).result(timeout)
