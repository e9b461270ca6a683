"""Fixtures for models: a tiny pyfunc model, principals with tokens, and mlflow's client pointed
at the live server (its global tracking URI is reset afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer

# MLflow warns while importing mlflow.pyfunc (its own type hints), and about its use of a
# SQLAlchemy loader deprecated upstream.
MLFLOW_WARNINGS = (
    pytest.mark.filterwarnings("ignore:.*Any type hint is inferred as AnyType:UserWarning"),
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
)


def add_one_model() -> Any:
    """A pyfunc model adding one to column ``x`` (defined on call, under the warning filter)."""
    import mlflow.pyfunc
    import pandas as pd

    class AddOne(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input: pd.DataFrame, params=None) -> list[int]:
            return [int(x) + 1 for x in model_input["x"]]

    return AddOne()


def make_user(services: Any, name: str, *privileges_on_schema: str) -> str:
    """A user with USE on main/main.default (plus ``privileges_on_schema``); its token."""
    platform = services.platform
    row = platform.principals.create("user", name)
    admin = platform.principals.principal("admin")
    services.grants.update(admin, "catalog", "main", [{"principal": name, "add": ["USE_CATALOG"]}])
    schema_privs = ["USE_SCHEMA", *privileges_on_schema]
    services.grants.update(
        admin, "schema", "main.default", [{"principal": name, "add": schema_privs}]
    )
    token, _ = platform.principals.create_token(row.id)
    return token


@pytest.fixture
def mlflow_live(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """mlflow's client against the live server as its admin; global state restored after."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", live_server.token)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    mlflow.set_tracking_uri(live_server.url)
    try:
        yield live_server
    finally:
        while mlflow.active_run():
            mlflow.end_run()
        mlflow.set_tracking_uri(None)
