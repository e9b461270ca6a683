"""Brute-force search with numpy: the reference for recall, and the store's exact path.

The store uses ``topk`` directly for small indexes and selective filters: scoring exactly the
allowed rows gives the true top-k, where a filtered graph search can starve.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lakeai.vectorsearch.engines.base import check_metric


def prepare(vectors: np.ndarray, metric: str) -> np.ndarray:
    """float32, 2-D, and unit length for cosine (done once, on the way in)."""
    out = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if out.ndim == 1:
        out = out[None, :]
    if metric == "cosine":
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out = out / np.where(norms == 0, 1.0, norms)
    return out


def scores(matrix: np.ndarray, queries: np.ndarray, metric: str) -> np.ndarray:
    """Score matrix [queries, rows], higher is better (see engines.base for the L2 mapping)."""
    if metric == "l2":
        d2 = (queries**2).sum(1)[:, None] - 2.0 * queries @ matrix.T + (matrix**2).sum(1)[None, :]
        return 1.0 / (1.0 + np.maximum(d2, 0.0))
    return queries @ matrix.T


def topk(
    matrix: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int, metric: str
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k (ties broken by id, so results are deterministic)."""
    k = min(k, len(ids))
    if k == 0:
        empty = np.empty((len(queries), 0))
        return empty.astype(np.int64), empty.astype(np.float32)
    s = scores(matrix, queries, metric)
    order = np.lexsort((np.broadcast_to(ids, s.shape), -s), axis=1)[:, :k]
    return ids[order], np.take_along_axis(s, order, axis=1).astype(np.float32)


class ExactEngine:
    """All vectors in one matrix; ``add`` appends or overwrites, ``remove`` compacts."""

    name = "exact"

    def __init__(self, dim: int, metric: str) -> None:
        self.dim, self.metric = dim, check_metric(metric)
        self._ids = np.empty(0, dtype=np.int64)
        self._matrix = np.empty((0, dim), dtype=np.float32)
        self._pos: dict[int, int] = {}

    @classmethod
    def create(cls, dim: int, metric: str = "cosine", capacity: int = 1024) -> ExactEngine:
        return cls(dim, metric)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        vectors = prepare(vectors, self.metric)
        self.remove(ids)
        start = len(self._ids)
        self._ids = np.concatenate([self._ids, ids])
        self._matrix = np.concatenate([self._matrix, vectors])
        self._pos.update({int(i): start + n for n, i in enumerate(ids)})

    def remove(self, ids: np.ndarray) -> None:
        drop = [self._pos[int(i)] for i in ids if int(i) in self._pos]
        if not drop:
            return
        keep = np.ones(len(self._ids), dtype=bool)
        keep[drop] = False
        self._ids, self._matrix = self._ids[keep], self._matrix[keep]
        self._pos = {int(i): n for n, i in enumerate(self._ids)}

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = prepare(query, self.metric)
        ids, matrix = self._ids, self._matrix
        if allowed is not None:
            mask = np.isin(ids, np.asarray(allowed, dtype=np.int64))
            ids, matrix = ids[mask], matrix[mask]
        return topk(matrix, ids, queries, k, self.metric)

    def save(self, path: Path) -> None:
        np.save(Path(path) / "ids.npy", self._ids)
        np.save(Path(path) / "vectors.npy", self._matrix)
        (Path(path) / "engine.json").write_text(
            json.dumps({"dim": self.dim, "metric": self.metric})
        )

    @classmethod
    def load(cls, path: Path) -> ExactEngine:
        meta = json.loads((Path(path) / "engine.json").read_text())
        engine = cls(meta["dim"], meta["metric"])
        engine._ids = np.load(Path(path) / "ids.npy")
        engine._matrix = np.load(Path(path) / "vectors.npy")
        engine._pos = {int(i): n for n, i in enumerate(engine._ids)}
        return engine

    def __len__(self) -> int:
        return len(self._ids)
