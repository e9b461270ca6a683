"""Register the chain as ``main.support.bot`` versions 1 and 2 (alias ``champion`` on v2).

Each version is an MLflow "model from code": a three-line file that builds ``SupportBotModel``,
so nothing is pickled, logged with explicit requirements, so MLflow does not run the model to
infer them. In-process the registry's ``log_pyfunc`` logs it; against a server, MLflow's own
client does, pointed at the server (``ws.models.tracking_uri``) with a short-lived token, as any
user would.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from importlib.metadata import version as installed
from pathlib import Path
from typing import Any

from lakeai.errors import NotImplementedFeature, ResourceDoesNotExist

MODEL = "main.support.bot"
DESCRIPTIONS = {
    1: "Support bot v1: prompt + retrieval; always answers.",
    2: "Support bot v2: prompt + retrieval + customer features; offers cancel/return actions.",
}
MODEL_CODE = """\
import mlflow

from lakeai.examples.support_bot.chain import SupportBotModel

mlflow.models.set_model(SupportBotModel({version}))
"""


def models_service(ws: Any) -> Any:
    """``ws.models``, or the in-process registry bound to the acting principal."""
    found = getattr(ws, "models", None)
    if found is None and hasattr(ws, "services") and hasattr(ws.services, "models"):
        from lakeai.workspace import BoundService

        found = BoundService(ws.services.models, ws.principal)
    if found is None:
        raise NotImplementedFeature("This LakeAI has no model registry (ws.models) yet.")
    return found


def register_chain(ws: Any) -> list[int]:
    """Log the versions that are missing; the numbers must come out as 1 and 2."""
    models = models_service(ws)
    try:
        with quiet_mlflow():  # the first use creates MLflow's tables, and says so
            have = {int(v["version"]) for v in models.list_versions(MODEL)}
    except ResourceDoesNotExist:
        have = set()
    for version in (1, 2):
        if version in have:
            continue
        logged = _log_version(ws, models, version)
        if logged != version:
            raise NotImplementedFeature(
                f"{MODEL} got version {logged} where {version} was expected; drop the model "
                "to reload the example."
            )
    models.set_alias(MODEL, "champion", 2)
    return [1, 2]


def _log_version(ws: Any, models: Any, version: int) -> int:
    requirements = [f"lakeai=={installed('lakeai')}", f"mlflow=={installed('mlflow')}"]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"support_bot_v{version}.py"
        source.write_text(MODEL_CODE.format(version=version))
        with warnings.catch_warnings(), quiet_mlflow():  # its advice on signatures
            warnings.filterwarnings("ignore", message=".*type hint", category=UserWarning)
            if hasattr(models, "log_pyfunc"):
                return int(
                    models.log_pyfunc(
                        MODEL,
                        str(source),
                        pip_requirements=requirements,
                        description=DESCRIPTIONS[version],
                    )
                )
            return _log_remote(ws, models, str(source), requirements, version)


def _log_remote(ws: Any, models: Any, source: str, requirements: list[str], version: int) -> int:
    """MLflow's client against the server, as its docs say: tracking URI plus token."""
    mlflow = _mlflow()

    uri = getattr(models, "tracking_uri", None)
    if not uri:
        raise NotImplementedFeature("This server's ws.models names no MLflow tracking URI.")
    token = ws.tokens.create(comment="support-bot example: log the chain", lifetime_seconds=900)
    env = {
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_REGISTRY_URI": getattr(models, "registry_uri", None) or uri,
        "MLFLOW_TRACKING_TOKEN": token["token_value"],
    }
    chatter = io.StringIO()  # MLflow prints "View run ..." links for a notebook user
    with _environment(env), redirect_stdout(chatter), redirect_stderr(chatter), mlflow.start_run():
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=source,
            pip_requirements=requirements,
            registered_model_name=MODEL,
        )
    logged = int(info.registered_model_version)
    models.update_version(MODEL, logged, comment=DESCRIPTIONS[version])
    return logged


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _mlflow() -> Any:
    try:
        with warnings.catch_warnings():  # MLflow's import-time advice on its own type hints
            warnings.simplefilter("ignore", UserWarning)
            import mlflow
            import mlflow.pyfunc
    except ImportError as exc:
        raise NotImplementedFeature(
            "The support-bot chain is an MLflow model: pip install 'lakeai[models]' "
            "(or pip install mlflow)."
        ) from exc
    return mlflow


@contextmanager
def quiet_mlflow() -> Iterator[None]:
    """Hold MLflow's INFO/WARNING log lines back while it does something routine (imported
    first: its import configures its loggers, which would undo this)."""
    _mlflow()
    logger = logging.getLogger("mlflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
