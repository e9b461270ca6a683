"""A pool of worker processes that run catalog Python functions, isolated from the server.

A function may raise, loop forever, exhaust memory or kill its process; none of that may reach
the server. Each worker is a separate interpreter (``_worker.py``) with an address-space limit;
a call waits for its answer at most ``timeout`` seconds. A worker that misses the deadline is
killed and replaced (504 ``DeadlineExceeded``); one that dies is replaced (503
``TemporarilyUnavailable``); a function that raises answers 400 with its exception's type and
message, never a traceback.
"""

from __future__ import annotations

import json
import queue
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from lakeai.errors import (
    DeadlineExceeded,
    InvalidParameterValue,
    TemporarilyUnavailable,
)

WORKER_SCRIPT = Path(__file__).with_name("_worker.py")


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, memory_mb: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(WORKER_SCRIPT), str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        self._pending = b""

    def call(self, job: dict[str, Any], deadline: float) -> dict[str, Any]:
        """Send one job and read its one-line answer; raise on timeout or a dead worker."""
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(job).encode() + b"\n")
        except (BrokenPipeError, OSError):
            raise _Died from None
        return json.loads(self._read_line(deadline))

    def _read_line(self, deadline: float) -> bytes:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _TimedOut
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise _TimedOut
            chunk = self.proc.stdout.read(1 << 16)
            if not chunk:
                raise _Died
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


class _TimedOut(Exception):
    pass


class _Died(Exception):
    pass


class PythonRunner:
    """``workers`` processes, started on first use; each call borrows one for one batch."""

    def __init__(self, *, workers: int = 2, timeout: float = 5.0, memory_mb: int = 1024) -> None:
        self.size = max(1, workers)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        self.replaced = 0  # workers killed or found dead and replaced (for tests and metrics)

    def run(self, source: str, params: list[tuple[str, str]], rows: list[list[Any]]) -> list[Any]:
        """Call the function defined by ``source`` once per row; the values it returned."""
        if not rows:
            return []
        deadline = time.monotonic() + self.timeout
        worker = self._borrow(deadline)
        job = {"source": source, "params": params, "rows": rows}
        try:
            answer = worker.call(job, deadline)
        except _TimedOut:
            self._replace(worker)
            raise DeadlineExceeded(
                f"The function ran longer than {self.timeout:g} s and was stopped "
                "(setting functions_python_timeout_seconds)."
            ) from None
        except (_Died, ValueError):
            self._replace(worker)
            raise TemporarilyUnavailable(
                "The function's worker process died (it exited, crashed or ran out of memory, "
                f"limit {self.memory_mb} MiB); it was replaced, retry or fix the function."
            ) from None
        self._idle.put(worker)
        if "error" in answer:
            raise InvalidParameterValue(f"The function raised {answer['error']}")
        return list(answer["ok"])

    def _borrow(self, deadline: float) -> _Worker:
        with self._lock:
            if self._closed:
                raise TemporarilyUnavailable("The Python function runner is shut down.")
            if self._idle.empty() and self._started < self.size:
                self._started += 1
                return _Worker(self.memory_mb)
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TemporarilyUnavailable(
                f"All {self.size} Python function workers stayed busy for {self.timeout:g} s; "
                "retry, or raise functions_python_workers."
            ) from None

    def _replace(self, worker: _Worker) -> None:
        """Kill a broken worker; its slot is refilled by the next call that needs one."""
        worker.kill()
        with self._lock:
            self._started -= 1
            self.replaced += 1

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return
