"""A registered version's files: saved and uploaded by ``log_pyfunc``, copied to disk by
``resolve``.

Uploads go straight to the artifacts destination under the run's proxied path, so the server's
artifact proxy (``mlflow-artifacts:/...``) serves them to remote clients unchanged.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from lakeai.core.clock import now_ms
from lakeai.models.tracking import PROXY_SCHEME, MlflowBackend, mlflow_errors, require_mlflow

MODELS_EXPERIMENT = "/lakeai/models"  # where log_pyfunc's runs go


class ModelFiles:
    def __init__(self, backend: MlflowBackend, cache_root: Path) -> None:
        self.backend = backend
        self.cache_root = cache_root
        self._lock = threading.Lock()

    # -- logging ---------------------------------------------------------------------------
    def log_run(
        self, user: str, full_name: str, python_model: Any, **save_options: Any
    ) -> tuple[str, str]:
        """Save a pyfunc model and log it in a finished run: (run id, model artifact URI)."""
        pyfunc = require_mlflow("mlflow.pyfunc")
        with tempfile.TemporaryDirectory(prefix="lakeai-model-") as tmp:
            local = Path(tmp) / "model"
            with mlflow_errors():
                pyfunc.save_model(path=str(local), python_model=python_model, **save_options)
                return self._upload_run(user, full_name, local)

    def _experiment_id(self) -> str:
        store = self.backend.tracking_store
        experiment = store.get_experiment_by_name(MODELS_EXPERIMENT)
        if experiment is not None:
            return experiment.experiment_id
        try:
            return store.create_experiment(MODELS_EXPERIMENT)
        except Exception:  # created meanwhile by another request
            return store.get_experiment_by_name(MODELS_EXPERIMENT).experiment_id

    def _upload_run(self, user: str, full_name: str, local: Path) -> tuple[str, str]:
        from mlflow.entities import RunStatus, RunTag
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        store = self.backend.tracking_store
        run = store.create_run(
            experiment_id=self._experiment_id(),
            user_id=user,
            start_time=now_ms(),
            tags=[RunTag("lakeai.registered_model", full_name)],
            run_name=f"{full_name.rsplit('.', 1)[-1]}-log",
        )
        source = run.info.artifact_uri.rstrip("/") + "/model"
        get_artifact_repository(self.store_uri(source)).log_artifacts(str(local))
        store.update_run_info(run.info.run_id, RunStatus.FINISHED, now_ms(), None)
        return run.info.run_id, source

    # -- loading ---------------------------------------------------------------------------
    def store_uri(self, location: str) -> str:
        """The artifact store URI of a location, resolving run and proxy URIs."""
        if location.startswith("runs:/"):
            run_id, _, path = location[len("runs:/") :].partition("/")
            with mlflow_errors():
                root = self.backend.tracking_store.get_run(run_id).info.artifact_uri
            location = root.rstrip("/") + "/" + path
        if location.startswith(PROXY_SCHEME):
            location = self.backend.uris.destination_uri(location)
        return location

    def local_path(self, full_name: str, version: int, location: str) -> str:
        """A local directory of the version's files: the store itself when it is local."""
        location = self.store_uri(location)
        local = location[len("file://") :] if location.startswith("file://") else location
        if "://" not in local and (Path(local) / "MLmodel").is_file():
            return local
        target = self.cache_root / full_name / str(version)
        if (target / "MLmodel").is_file():
            return str(target)
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        with self._lock:
            if not (target / "MLmodel").is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=target.parent))
                with mlflow_errors():
                    get_artifact_repository(location).download_artifacts("", str(staging))
                shutil.rmtree(target, ignore_errors=True)
                staging.rename(target)
        return str(target)

    def forget(self, full_name: str, version: int | None = None) -> None:
        """Drop cached copies of a deleted model or version."""
        path = self.cache_root / full_name
        shutil.rmtree(path / str(version) if version is not None else path, ignore_errors=True)
