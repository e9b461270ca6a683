"""ANN engines behind one registry; built-ins register through the same ``register()``."""

from lakeai.vectorsearch.engines.base import (
    ENGINES,
    METRICS,
    AnnEngine,
    get_engine,
    register,
    register_builtins,
)

__all__ = ["ENGINES", "METRICS", "AnnEngine", "get_engine", "register", "register_builtins"]
