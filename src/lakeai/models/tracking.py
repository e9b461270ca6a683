"""MLflow's own stores for one workspace, and the switch that points MLflow's server at them.

MLflow's tracking server keeps its stores in module globals, one set per process. A process
may hold several LakeAI workspaces (tests, embedded use), so LakeAI replaces MLflow's store
getters with ones that read a context variable, which the mount sets for each request to the
stores of the app that received it.
"""

from __future__ import annotations

import contextvars
import importlib
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakeai.core.platform import Platform
from lakeai.errors import (
    InvalidParameterValue,
    LakeAIError,
    NotImplementedFeature,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
)

# Experiments get ``mlflow-artifacts:/<id>`` locations: clients up- and download through the
# server's artifact proxy, which maps the path onto the artifacts destination.
PROXY_ROOT = "mlflow-artifacts:/"
PROXY_SCHEME = "mlflow-artifacts:"
DB_SCHEMES = ("sqlite", "postgresql", "mysql", "mssql")


def require_mlflow(module: str = "mlflow") -> Any:
    """Import an MLflow module, or say which package installs it.

    MLflow warns while importing some modules (type-hint inference in ``mlflow.pyfunc``, a
    SQLAlchemy loader its stores use); nothing a LakeAI user can act on, so those are muted.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - mlflow is a dependency of the server
        raise NotImplementedFeature(
            "MLflow is not installed: pip install 'lakeai[models]' (or pip install mlflow)."
        ) from exc


_ERRORS = {
    "RESOURCE_DOES_NOT_EXIST": ResourceDoesNotExist,
    "RESOURCE_ALREADY_EXISTS": ResourceAlreadyExists,
    "INVALID_PARAMETER_VALUE": InvalidParameterValue,
}


@contextmanager
def mlflow_errors() -> Iterator[None]:
    """Translate MLflow's exceptions into LakeAI's, at the one boundary with its stores."""
    mlflow_exception = require_mlflow("mlflow.exceptions").MlflowException
    try:
        yield
    except mlflow_exception as exc:
        raise _ERRORS.get(exc.error_code, LakeAIError)(exc.message) from exc


@dataclass(frozen=True)
class StoreUris:
    """Where one workspace's MLflow data lives."""

    backend_store_uri: str
    registry_store_uri: str
    artifacts_destination: str

    @classmethod
    def of(cls, platform: Platform) -> StoreUris:
        folder = platform.root / "mlflow"
        settings = platform.settings
        backend = settings.mlflow_backend_store_uri or f"sqlite:///{folder / 'mlflow.db'}"
        registry = settings.mlflow_registry_store_uri or backend
        for uri in (backend, registry):
            if uri.split(":", 1)[0].split("+", 1)[0] not in DB_SCHEMES:
                raise InvalidParameterValue(
                    f"mlflow_backend_store_uri / mlflow_registry_store_uri must be a database URL "
                    f"({', '.join(DB_SCHEMES)}); got a {uri.split(':', 1)[0]!r} URI."
                )
        destination = settings.mlflow_artifacts_destination or str(folder / "artifacts")
        return cls(backend, registry, destination)

    def destination_uri(self, proxied: str) -> str:
        """Map ``mlflow-artifacts:/x/y`` (or ``mlflow-artifacts://host/x/y``) onto the store."""
        path = proxied[len(PROXY_SCHEME) :].lstrip("/")
        if proxied.startswith(PROXY_SCHEME + "//"):
            path = path.split("/", 1)[1] if "/" in path else ""
        return self.artifacts_destination.rstrip("/") + "/" + path


class MlflowBackend:
    """The tracking store, registry store and artifact repository of one workspace."""

    def __init__(self, uris: StoreUris) -> None:
        self.uris = uris
        self._lock = threading.Lock()
        self._stores: tuple[Any, Any, Any] | None = None

    def _open(self) -> tuple[Any, Any, Any]:
        require_mlflow()
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        registry_store = require_mlflow("mlflow.store.model_registry.sqlalchemy_store")
        tracking_store = require_mlflow("mlflow.store.tracking.sqlalchemy_store")

        for uri in (self.uris.backend_store_uri, self.uris.registry_store_uri):
            if uri.startswith("sqlite:///"):
                Path(uri[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
        if "://" not in self.uris.artifacts_destination:
            Path(self.uris.artifacts_destination).mkdir(parents=True, exist_ok=True)
        # The tracking store first: it creates the Default experiment with a proxied location.
        tracking = tracking_store.SqlAlchemyStore(self.uris.backend_store_uri, PROXY_ROOT)
        registry = registry_store.SqlAlchemyStore(self.uris.registry_store_uri)
        artifacts = get_artifact_repository(self.uris.artifacts_destination)
        return tracking, registry, artifacts

    @property
    def opened(self) -> bool:
        return self._stores is not None

    def stores(self) -> tuple[Any, Any, Any]:
        """(tracking store, registry store, artifact repository), opened on first use."""
        if self._stores is None:
            with self._lock:
                if self._stores is None:
                    self._stores = self._open()
        return self._stores

    @property
    def tracking_store(self) -> Any:
        return self.stores()[0]

    @property
    def registry_store(self) -> Any:
        return self.stores()[1]

    @property
    def artifact_repo(self) -> Any:
        return self.stores()[2]

    def close(self) -> None:
        """Dispose the stores' database engines (SQLite files stay closed between tests)."""
        stores, self._stores = self._stores, None
        for store in stores[:2] if stores else ():
            engine = getattr(store, "engine", None)
            if engine is not None:
                engine.dispose()


# -- MLflow's server, pointed per request at one backend ------------------------------------
current_backend: contextvars.ContextVar[MlflowBackend | None] = contextvars.ContextVar(
    "lakeai_mlflow_backend", default=None
)
_server_lock = threading.Lock()
_server_app: Any = None


class _LoggedModels:
    """What the registry store asks of ``MlflowClient()``: a logged model by id."""

    def __init__(self, backend: MlflowBackend) -> None:
        self.backend = backend

    def get_logged_model(self, model_id: str) -> Any:
        return self.backend.tracking_store.get_logged_model(model_id)


def _patch_store_getters() -> None:
    """Make MLflow's server read the request's backend instead of its process globals."""
    from mlflow.server import artifact_router, handlers, otel_api
    from mlflow.store.model_registry import sqlalchemy_store as registry_module

    def _getter(original: Any, pick: Any) -> Any:
        def get(*args: Any, **kwargs: Any) -> Any:
            backend = current_backend.get()
            return original(*args, **kwargs) if backend is None else pick(backend)

        return get

    tracking = _getter(handlers._get_tracking_store, lambda b: b.tracking_store)
    handlers._get_tracking_store = tracking
    otel_api._get_tracking_store = tracking
    handlers._get_model_registry_store = _getter(
        handlers._get_model_registry_store, lambda b: b.registry_store
    )
    handlers._get_artifact_repo_mlflow_artifacts = _getter(
        handlers._get_artifact_repo_mlflow_artifacts, lambda b: b.artifact_repo
    )
    artifact_router._get_artifact_repo = _getter(
        artifact_router._get_artifact_repo, lambda b: b.artifact_repo
    )
    # A version whose source is a logged model (``models:/m-...``, what MLflow 3's log_model
    # registers) is looked up through ``MlflowClient()``, i.e. the process's global tracking
    # URI; point it at the request's tracking store instead.
    registry_module.MlflowClient = _getter(registry_module.MlflowClient, _LoggedModels)
    serving = _getter(handlers._is_serving_proxied_artifacts, lambda b: True)
    handlers._is_serving_proxied_artifacts = serving
    artifact_router._is_serving_proxied_artifacts = serving


def mlflow_server_app(*, imported_only: bool = False) -> Any:
    """MLflow's tracking server (its FastAPI app over the Flask app), imported once.

    ``imported_only`` answers None instead of importing (a request's fast path).
    """
    global _server_app
    if imported_only:
        return _server_app
    if _server_app is None:
        with _server_lock:
            if _server_app is None:
                # (starlette.middleware.wsgi, which MLflow's app uses, warns when imported)
                app = require_mlflow("mlflow.server.fastapi_app").app
                _patch_store_getters()
                _server_app = app
    return _server_app
