"""The ANN engine protocol, the registry and the score conventions shared by every engine.

Scores follow Databricks: higher is better. ``cosine`` is the cosine similarity (vectors are
normalised once, on the way in), ``inner_product`` the raw dot product, and ``l2`` is mapped
to ``1 / (1 + d²)`` with ``d`` the Euclidean distance, a monotone transform into (0, 1].
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np

METRICS = ("cosine", "l2", "inner_product")
ENTRY_POINT_GROUP = "lakeai.ann_engines"


@runtime_checkable
class AnnEngine(Protocol):
    """An in-memory nearest-neighbour index over int64 ids (the store's row ids)."""

    name: str
    dim: int
    metric: str

    @classmethod
    def create(cls, dim: int, metric: str = "cosine", capacity: int = 1024) -> AnnEngine: ...

    @classmethod
    def load(cls, path: Path) -> AnnEngine:
        """Read what ``save`` wrote into the folder ``path``."""
        ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Insert vectors; an id already present has its vector replaced."""
        ...

    def remove(self, ids: np.ndarray) -> None:
        """Forget ids; unknown ids are ignored (deletes are replayed after a crash)."""
        ...

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k ids and scores (best first) per query row; ``allowed`` restricts the ids."""
        ...

    def save(self, path: Path) -> None:
        """Write the engine into the (existing, empty) folder ``path``."""
        ...

    def __len__(self) -> int: ...


ENGINES: dict[str, type[AnnEngine]] = {}


def register(name: str, engine: type[AnnEngine]) -> None:
    """Make an engine available by name (built-ins use this too)."""
    ENGINES[name] = engine


def register_builtins() -> None:
    """Register ``exact`` and ``hnsw`` and any engines from the entry-point group."""
    if "exact" not in ENGINES:
        from lakeai.vectorsearch.engines.exact import ExactEngine
        from lakeai.vectorsearch.engines.hnsw import HnswEngine

        register("exact", ExactEngine)
        register("hnsw", HnswEngine)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            register(ep.name, ep.load())


def get_engine(name: str) -> type[AnnEngine]:
    from lakeai.errors import InvalidParameterValue

    register_builtins()
    if name not in ENGINES:
        raise InvalidParameterValue(
            f"Unknown ANN engine {name!r}; valid engines: {', '.join(sorted(ENGINES))}."
        )
    return ENGINES[name]


def check_metric(metric: str) -> str:
    from lakeai.errors import InvalidParameterValue

    if metric not in METRICS:
        raise InvalidParameterValue(
            f"Unknown metric {metric!r}; valid metrics: {', '.join(METRICS)}."
        )
    return metric
