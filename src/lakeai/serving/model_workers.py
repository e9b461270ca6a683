"""Worker processes that serve registered model versions, apart from the API process.

A model may import anything, hold the GIL, leak memory or crash; none of that may reach the
server. Each served model version gets a ``ModelPool`` of ``_model_worker.py`` processes with
the served entity's environment variables. A pool is started and warmed (model loaded, ready
line read) before an endpoint config points traffic at it; the old pools are drained (no
request in flight, a grace period for snapshots taken just before the swap) and then stopped.

Requests queue per pool, bounded: a full queue answers 503 with ``Retry-After`` at once; a
request waits at most ``serving_model_timeout_seconds`` (504, and its stuck worker is
replaced). A worker that dies fails only the request it was running (500) and is replaced.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

from lakeai.errors import (
    DeadlineExceeded,
    InvalidParameterValue,
    LakeAIError,
    TemporarilyUnavailable,
)

log = logging.getLogger(__name__)
WORKER_SCRIPT = Path(__file__).with_name("_model_worker.py")
LOG_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class PoolSpec:
    """What a pool runs: one model directory, its environment, its size and limits."""

    label: str  # "<endpoint>/<served entity>", for messages
    local_path: str
    env: dict[str, str]
    workers: int
    max_queue: int
    timeout: float
    load_timeout: float
    log_path: str | None = None  # the workers' stderr (the model's prints and logs)


class ModelLoadFailed(InvalidParameterValue):
    """The model could not be loaded in a worker (a broken model or a missing package)."""


@dataclass
class _Job:
    id: int
    line: bytes
    future: concurrent.futures.Future[tuple[int, str]]


def _settle(future: concurrent.futures.Future[Any], result: Any = None, exc: Any = None) -> None:
    """Complete a future unless the waiter gave up on it already (timed out)."""
    try:
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)
    except concurrent.futures.InvalidStateError:
        pass


@contextlib.contextmanager
def _log_file(path: str | None) -> Any:
    """The file a worker's stderr appends to, emptied first once past LOG_MAX_BYTES."""
    if path is None:
        yield subprocess.DEVNULL
        return
    log_path = Path(path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    too_big = log_path.exists() and log_path.stat().st_size > LOG_MAX_BYTES
    with open(log_path, "wb" if too_big else "ab") as handle:
        yield handle


class _Worker:
    """One worker process; its reader thread hands answers back to the pool."""

    def __init__(self, spec: PoolSpec) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEAI_")}
        env.update(spec.env)
        with _log_file(spec.log_path) as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-P", str(WORKER_SCRIPT), spec.local_path],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=env,
                bufsize=0,
            )
        self.job: _Job | None = None

    def wait_ready(self, deadline: float) -> None:
        """Read the ready line; a load error or silence past the deadline fails the start."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(0.0, remaining))[0] if remaining > 0 else []
            if not ready:
                raise ModelLoadFailed(
                    "The model did not load in time (serving_model_load_timeout_seconds)."
                )
            byte = os.read(fd, 1)
            if not byte:
                raise ModelLoadFailed("The model worker exited while loading the model.")
            line += byte
        _, status, payload = line.decode().rstrip("\n").split("\t", 2)
        if status != "200":
            raise ModelLoadFailed(f"The model failed to load: {json.loads(payload)['message']}")

    def send(self, job: _Job) -> None:
        self.job = job
        assert self.proc.stdin is not None
        view = memoryview(job.line)
        with contextlib.suppress(OSError):  # a dead worker: its reader thread fails the job
            while view:  # a raw pipe write may be partial
                view = view[self.proc.stdin.write(view) or 0 :]

    def lines(self) -> Any:
        """The answer lines after the ready line (buffered: answers may be large)."""
        assert self.proc.stdout is not None
        return io.BufferedReader(self.proc.stdout, buffer_size=1 << 16)

    def kill(self, *, close_stdout: bool = False) -> None:
        """Stop the process and close its pipes (stdout only by its reader, or if none)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        pipes = [self.proc.stdin, self.proc.stdout if close_stdout else None]
        for pipe in pipes:
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


class ModelPool:
    """``spec.workers`` processes for one model version, a bounded queue in front of them."""

    def __init__(self, spec: PoolSpec) -> None:
        self.spec = spec
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._workers: list[_Worker] = []
        self._queue: deque[_Job] = deque()
        self._ids = count(1)
        self._closed = False
        self.replaced = 0  # workers found dead or stuck and replaced (tests and metrics)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start every worker and wait until each has loaded the model (raises if one fails)."""
        deadline = time.monotonic() + self.spec.load_timeout
        started = [_Worker(self.spec) for _ in range(max(1, self.spec.workers))]
        try:
            for worker in started:
                worker.wait_ready(deadline)
        except LakeAIError:
            for worker in started:
                worker.kill(close_stdout=True)
            raise
        for worker in started:
            self._adopt(worker)

    def _adopt(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.kill(close_stdout=True)
                return
            self._workers.append(worker)
            self._idle.append(worker)
            self._dispatch()
        threading.Thread(target=self._read, args=(worker,), daemon=True).start()

    def in_flight(self) -> int:
        with self._lock:
            return len(self._queue) + len(self._workers) - len(self._idle)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._workers, self._idle = self._workers, [], []
            queued, self._queue = list(self._queue), deque()
        for job in queued:
            _settle(job.future, exc=TemporarilyUnavailable("The served model was stopped."))
        for worker in workers:
            worker.kill()

    # -- requests -----------------------------------------------------------------------------
    async def call(self, body: dict[str, Any]) -> tuple[int, str]:
        """(status, response JSON text) of one request; 503 when the queue is full, 504 late."""
        job = self._submit(body)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(job.future), self.spec.timeout)
        except TimeoutError:
            self._abandon(job)
            raise DeadlineExceeded(
                f"Served model {self.spec.label} did not answer within {self.spec.timeout:g} s "
                "(setting serving_model_timeout_seconds)."
            ) from None

    def _submit(self, body: dict[str, Any]) -> _Job:
        line = f"{{id}}\t{json.dumps(body, separators=(',', ':'))}\n"
        with self._lock:
            if self._closed:
                raise TemporarilyUnavailable(f"Served model {self.spec.label} is stopped.")
            busy = len(self._workers) - len(self._idle)
            if busy + len(self._queue) >= max(1, self.spec.workers) + self.spec.max_queue:
                error = TemporarilyUnavailable(
                    f"Served model {self.spec.label} is at capacity ({self.spec.workers} "
                    f"worker(s), {self.spec.max_queue} queued); retry later, or raise workers "
                    "or serving_max_queue."
                )
                error.retry_after_seconds = 1
                raise error
            job_id = next(self._ids)
            job = _Job(
                job_id, line.replace("{id}", str(job_id), 1).encode(), concurrent.futures.Future()
            )
            self._queue.append(job)
            self._dispatch()
        return job

    def _dispatch(self) -> None:
        """Hand queued jobs to idle workers (called with the lock held)."""
        while self._queue and self._idle:
            self._idle.pop().send(self._queue.popleft())

    def _abandon(self, job: _Job) -> None:
        """A request timed out: drop it from the queue, or kill the worker stuck on it."""
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                return
            stuck = next((w for w in self._workers if w.job is job), None)
        if stuck is not None:
            stuck.kill()  # its reader thread replaces it

    def _read(self, worker: _Worker) -> None:
        for raw in worker.lines():
            try:
                job_id, status, payload = raw.decode().rstrip("\n").split("\t", 2)
            except ValueError:  # not the protocol: treat the worker as broken
                break
            with self._lock:
                job, worker.job = worker.job, None
                if worker in self._workers:
                    self._idle.append(worker)
                    self._dispatch()
            if job is not None and str(job.id) == job_id:
                _settle(job.future, (int(status), payload))
        self._died(worker)

    def _died(self, worker: _Worker) -> None:
        worker.kill(close_stdout=True)
        with self._lock:
            job, worker.job = worker.job, None
            if worker in self._workers:
                self._workers.remove(worker)
            if worker in self._idle:
                self._idle.remove(worker)
            closed = self._closed
            if not closed:
                self.replaced += 1
        if job is not None:
            _settle(
                job.future,
                exc=LakeAIError(
                    f"The worker of served model {self.spec.label} died while running this "
                    "request (the model crashed or ran out of memory); it was replaced."
                ),
            )
        if not closed:
            threading.Thread(target=self._replace, daemon=True).start()

    def _replace(self) -> None:
        worker = _Worker(self.spec)
        try:
            worker.wait_ready(time.monotonic() + self.spec.load_timeout)
        except LakeAIError as exc:
            worker.kill(close_stdout=True)
            log.error("Served model %s: a replacement worker failed: %s", self.spec.label, exc)
            self._fail_queue_if_empty()
            return
        self._adopt(worker)

    def _fail_queue_if_empty(self) -> None:
        with self._lock:
            if self._workers:
                return
            queued, self._queue = list(self._queue), deque()
        for job in queued:
            _settle(job.future, exc=TemporarilyUnavailable("No worker could load the model."))


def answer(status: int, payload: str) -> dict[str, Any]:
    """A worker's answer as a response body, or the LakeAI error it stands for."""
    body = json.loads(payload) if payload else {}
    if status == 200:
        return body if isinstance(body, dict) else {"predictions": body}
    message = body.get("message", "") if isinstance(body, dict) else str(body)
    if 400 <= status < 500:
        raise InvalidParameterValue(message)
    raise LakeAIError(message)
