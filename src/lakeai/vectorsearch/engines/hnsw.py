"""HNSW graphs through hnswlib (M=16, ef_construction=200).

Deletes and updates use hnswlib's ``mark_deleted`` with ``allow_replace_deleted=True``, so the
slots of deleted rows are reused by later inserts and the graph does not grow without bound.
``ef`` is chosen per query (at least ``2k``, more when a filter lets few rows through).
Quantisation (f16/int8) is not offered: hnswlib stores float32 only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lakeai.vectorsearch.engines.base import check_metric
from lakeai.vectorsearch.engines.exact import prepare, topk

SPACES = {"cosine": "ip", "inner_product": "ip", "l2": "l2"}  # cosine: we normalise ourselves
M, EF_CONSTRUCTION, EF_SEARCH, MAX_EF = 16, 200, 128, 4096


def _hnswlib():
    try:
        import hnswlib
    except ImportError as exc:  # pragma: no cover - hnswlib is a core dependency
        from lakeai.errors import NotImplementedFeature

        raise NotImplementedFeature("The hnsw engine needs hnswlib: pip install hnswlib") from exc
    return hnswlib


class HnswEngine:
    """An hnswlib index plus the set of live ids (hnswlib keeps deleted labels around)."""

    name = "hnsw"

    def __init__(self, dim: int, metric: str, index, live: set[int]) -> None:
        self.dim, self.metric = dim, check_metric(metric)
        self.ef_search = EF_SEARCH
        self._index, self._live = index, live

    @classmethod
    def create(cls, dim: int, metric: str = "cosine", capacity: int = 1024) -> HnswEngine:
        index = _hnswlib().Index(space=SPACES[check_metric(metric)], dim=dim)
        index.init_index(
            max_elements=max(capacity, 16),
            M=M,
            ef_construction=EF_CONSTRUCTION,
            random_seed=100,
            allow_replace_deleted=True,
        )
        return cls(dim, metric, index, set())

    def _reserve(self, extra: int) -> None:
        needed = self._index.get_current_count() + extra
        if needed > self._index.get_max_elements():
            self._index.resize_index(max(needed, 2 * self._index.get_max_elements()))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        vectors = prepare(vectors, self.metric)
        self._reserve(len(ids))
        # Existing labels (live or deleted) are updated in place; new ones reuse deleted slots.
        self._index.add_items(vectors, ids, replace_deleted=True)
        self._live.update(int(i) for i in ids)

    def remove(self, ids: np.ndarray) -> None:
        for i in (int(x) for x in np.asarray(ids, dtype=np.int64)):
            if i in self._live:
                self._index.mark_deleted(i)
                self._live.discard(i)

    def _ef(self, k: int, allowed: int | None) -> int:
        ef = max(self.ef_search, 2 * k)
        if allowed:
            ef = max(ef, int(2 * k * len(self) / allowed))
        return min(ef, MAX_EF, max(len(self), k))

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = prepare(query, self.metric)
        pool = len(self) if allowed is None else len(allowed)
        k = min(k, pool)
        if k == 0:
            return topk(queries[:0].T, np.empty(0, np.int64), queries, 0, self.metric)
        allowed_set = None if allowed is None else {int(i) for i in allowed}
        self._index.set_ef(self._ef(k, None if allowed is None else pool))
        try:
            if allowed_set is None:
                labels, dist = self._index.knn_query(queries, k=k)
            else:
                labels, dist = self._index.knn_query(
                    queries, k=k, num_threads=1, filter=allowed_set.__contains__
                )
        except RuntimeError:  # the graph could not produce k hits: score the allowed rows
            live = self._live if allowed_set is None else allowed_set & self._live
            ids = np.asarray(sorted(live), dtype=np.int64)
            matrix = np.asarray(self._index.get_items(ids), dtype=np.float32)
            return topk(matrix, ids, queries, k, self.metric)
        return labels.astype(np.int64), self._to_scores(dist)

    def _to_scores(self, dist: np.ndarray) -> np.ndarray:
        if self.metric == "l2":  # hnswlib returns squared L2
            return (1.0 / (1.0 + np.maximum(dist, 0.0))).astype(np.float32)
        return (1.0 - dist).astype(np.float32)  # hnswlib "ip" distance is 1 - dot

    def save(self, path: Path) -> None:
        self._index.save_index(str(Path(path) / "hnsw.bin"))
        np.save(Path(path) / "live.npy", np.asarray(sorted(self._live), dtype=np.int64))
        (Path(path) / "engine.json").write_text(
            json.dumps({"dim": self.dim, "metric": self.metric})
        )

    @classmethod
    def load(cls, path: Path) -> HnswEngine:
        meta = json.loads((Path(path) / "engine.json").read_text())
        index = _hnswlib().Index(space=SPACES[check_metric(meta["metric"])], dim=meta["dim"])
        index.load_index(str(Path(path) / "hnsw.bin"), allow_replace_deleted=True)
        live = {int(i) for i in np.load(Path(path) / "live.npy")}
        return cls(meta["dim"], meta["metric"], index, live)

    def __len__(self) -> int:
        return len(self._live)
