"""Which worker pools exist for which endpoint, and swapping them when a config changes.

A pool is keyed by what makes it different: the endpoint, the served entity's name, model,
version, worker count and environment variables (as written, references unresolved). An
endpoint config change ``prepare``s the pools its new config needs (unchanged entities keep
theirs), and only once all are warm is the config stored and ``commit`` called, which retires
the pools the endpoint no longer uses: they keep answering requests that drew the old config
for a grace period and until idle, then stop. A replica that never saw the change starts the
pools it is asked for on first use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from lakeai.errors import TemporarilyUnavailable
from lakeai.serving.model_workers import ModelPool, PoolSpec
from lakeai.serving.models import ServedEntity

PoolKey = tuple[Any, ...]


class ModelDeployments:
    """The pools of one server process."""

    def __init__(
        self,
        *,
        default_workers: int,
        max_queue: int,
        timeout: float,
        load_timeout: float,
        drain_grace: float,
        resolve_path: Callable[[str, ServedEntity], str],
        resolve_env: Callable[[str, dict[str, str]], dict[str, str]],
        log_dir: Path | None = None,
    ) -> None:
        self.default_workers = default_workers
        self.max_queue = max_queue
        self.timeout = timeout
        self.load_timeout = load_timeout
        self.drain_grace = drain_grace
        self._resolve_path = resolve_path  # (owner, entity) -> model directory (checks EXECUTE)
        self._resolve_env = resolve_env  # (owner, environment_vars) -> plaintext values
        self.log_dir = log_dir
        self._lock = threading.Lock()
        self._pools: dict[PoolKey, ModelPool] = {}
        self._starting: dict[PoolKey, Future[ModelPool]] = {}
        self._retiring: set[PoolKey] = set()
        self._current: dict[str, set[PoolKey]] = {}
        self._stopped = threading.Event()

    def key(self, endpoint: str, entity: ServedEntity) -> PoolKey:
        env = tuple(sorted((entity.environment_vars or {}).items()))
        workers = self.workers_of(entity)
        return (endpoint, entity.name, entity.entity_name, entity.entity_version, workers, env)

    def workers_of(self, entity: ServedEntity) -> int:
        return int(entity.workers or self.default_workers)

    # -- requests -----------------------------------------------------------------------------
    def pool(self, endpoint: str, entity: ServedEntity) -> ModelPool | None:
        """The running pool for a served entity, retiring ones included (a request may hold the
        config it drew just before a swap)."""
        return self._pools.get(self.key(endpoint, entity))

    def ensure(
        self, endpoint: str, entity: ServedEntity, owner: str, *, fresh: bool = False
    ) -> ModelPool:
        """The pool for a served entity, started and warmed now if there is none (blocking).

        ``fresh`` ignores a retiring pool with the same key (a config swap must not reuse one).
        """
        key = self.key(endpoint, entity)
        if self._stopped.is_set():
            raise TemporarilyUnavailable("Model serving is shut down.")
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None and not (fresh and key in self._retiring):
                return pool
            starting = self._starting.get(key)
            mine = starting is None
            if mine:
                starting = self._starting[key] = Future()
        assert starting is not None
        if not mine:
            return starting.result()
        try:
            pool = self._start(endpoint, entity, owner)
        except BaseException as exc:
            starting.set_exception(exc)
            with self._lock:
                self._starting.pop(key, None)
            raise
        with self._lock:
            self._starting.pop(key, None)
            stopped = self._stopped.is_set()
            if not stopped:
                self._pools[key] = pool
                self._retiring.discard(key)
                self._current.setdefault(endpoint, set()).add(key)
        if stopped:  # closed while this pool was starting
            pool.close()
            error = TemporarilyUnavailable("Model serving is shut down.")
            starting.set_exception(error)
            raise error
        starting.set_result(pool)
        return pool

    def _start(self, endpoint: str, entity: ServedEntity, owner: str) -> ModelPool:
        spec = PoolSpec(
            label=f"{endpoint}/{entity.name}",
            local_path=self._resolve_path(owner, entity),
            env=self._resolve_env(owner, dict(entity.environment_vars or {})),
            workers=self.workers_of(entity),
            max_queue=self.max_queue,
            timeout=self.timeout,
            load_timeout=self.load_timeout,
            log_path=str(self.log_path(endpoint, str(entity.name))) if self.log_dir else None,
        )
        pool = ModelPool(spec)
        pool.start()
        return pool

    def log_path(self, endpoint: str, entity: str) -> Path:
        """Where a served entity's workers write stderr (endpoint names are validated)."""
        assert self.log_dir is not None
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in entity)
        return self.log_dir / endpoint / f"{safe or '_'}.log"

    # -- config changes -----------------------------------------------------------------------
    def prepare(self, endpoint: str, owner: str, entities: list[ServedEntity]) -> list[PoolKey]:
        """Start and warm the pools a new config needs, in parallel; raise if one fails."""
        before = self.current_keys(endpoint)
        results: list[BaseException | None] = [None] * len(entities)

        def start(i: int, entity: ServedEntity) -> None:
            try:
                self.ensure(endpoint, entity, owner, fresh=True)
            except BaseException as exc:
                results[i] = exc

        threads = [
            threading.Thread(target=start, args=(i, e), daemon=True) for i, e in enumerate(entities)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        keys = [self.key(endpoint, e) for e in entities]
        failed = next((r for r in results if r is not None), None)
        if failed is not None:
            self.commit(endpoint, before)  # stop what this attempt started, keep the old
            raise failed
        return keys

    def current_keys(self, endpoint: str) -> set[PoolKey]:
        """The keys an endpoint uses now."""
        with self._lock:
            return set(self._current.get(endpoint, set()))

    def commit(self, endpoint: str, keys: list[PoolKey] | set[PoolKey]) -> None:
        """The endpoint now uses exactly ``keys``: retire its other pools."""
        with self._lock:
            old = self._current.get(endpoint, set()) - set(keys)
            self._current[endpoint] = set(keys)
            if not keys:
                self._current.pop(endpoint, None)
            retire = [(k, self._pools[k]) for k in old if k in self._pools]
            self._retiring.update(k for k, _ in retire)
        for key, pool in retire:
            threading.Thread(target=self._drain, args=(key, pool), daemon=True).start()

    def drop(self, endpoint: str) -> None:
        self.commit(endpoint, set())

    def _drain(self, key: PoolKey, pool: ModelPool) -> None:
        """Stop a retired pool once the grace period is over and nothing is in flight."""
        deadline = time.monotonic() + self.drain_grace + self.timeout
        if not self._stopped.wait(self.drain_grace):
            while pool.in_flight() and time.monotonic() < deadline:
                if self._stopped.wait(0.05):
                    break
        with self._lock:
            if self._pools.get(key) is pool:
                del self._pools[key]
                self._retiring.discard(key)
        pool.close()

    def close(self) -> None:
        """Stop every worker now (server shutdown)."""
        self._stopped.set()
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
            self._current.clear()
            self._retiring.clear()
        for pool in pools:
            pool.close()
