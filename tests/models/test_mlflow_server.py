"""MLflow's own client against a LakeAI server: tracking, registry, artifacts, UI, grants."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from tests.models.conftest import MLFLOW_WARNINGS, add_one_model, make_user

pytestmark = list(MLFLOW_WARNINGS)
TIMEOUT = 60  # the first MLflow call of a process imports its server and creates its tables


def _get(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(url, timeout=TIMEOUT, **kwargs)


def _post(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(url, timeout=TIMEOUT, **kwargs)


def test_log_register_alias_load_and_read_back_with_databricks_sdk(mlflow_live, dbx):
    import mlflow
    from databricks.sdk.errors import NotFound
    from mlflow import MlflowClient

    with mlflow.start_run() as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_metric("rmse", 0.25)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=add_one_model(),
            pip_requirements=["mlflow"],
            registered_model_name="main.default.m",
        )
    assert str(info.registered_model_version) == "1"
    client = MlflowClient()
    logged = client.get_run(run.info.run_id).data
    assert logged.params == {"alpha": "0.5"} and logged.metrics == {"rmse": 0.25}
    client.set_registered_model_alias("main.default.m", "champion", 1)

    model = mlflow.pyfunc.load_model("models:/main.default.m@champion")
    assert list(model.predict(pd.DataFrame({"x": [1, 2]}))) == [2, 3]

    got = dbx.registered_models.get("main.default.m", include_aliases=True)
    assert (got.full_name, got.owner) == ("main.default.m", "admin")
    assert [(a.alias_name, a.version_num) for a in got.aliases] == [("champion", 1)]
    assert "main.default.m" in [m.full_name for m in dbx.registered_models.list()]
    version = dbx.model_versions.get("main.default.m", 1)
    assert (version.version, version.run_id, version.status.value) == (
        1,
        run.info.run_id,
        "READY",
    )
    assert dbx.model_versions.get_by_alias("main.default.m", "champion").version == 1

    client.delete_registered_model_alias("main.default.m", "champion")
    assert client.get_registered_model("main.default.m").aliases == {}
    client.delete_registered_model("main.default.m")
    with pytest.raises(NotFound):
        dbx.registered_models.get("main.default.m")


def test_mlflow_paths_need_a_lakeai_token(live_server):
    for path in (
        "/api/2.0/mlflow/experiments/search?max_results=1",
        "/ajax-api/2.0/mlflow/registered-models/search",
        "/api/2.0/mlflow-artifacts/artifacts/0/x",
        "/mlflow/ajax-api/2.0/mlflow/experiments/search",
        "/mlflow/get-artifact?path=MLmodel&run_uuid=x",
        "/mlflow/model-versions/get-artifact?path=MLmodel&name=main.default.m&version=1",
        "/mlflow/graphql",
    ):
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            answer = _get(live_server.url + path, headers=headers)
            assert answer.status_code == 401, path
            assert answer.json()["error_code"] == "UNAUTHENTICATED"


def test_the_mlflow_ui_answers_html_under_mlflow_with_basic_auth(live_server):
    url = live_server.url
    challenge = _get(url + "/mlflow/")
    assert challenge.status_code == 401
    assert challenge.headers["www-authenticate"].startswith("Basic ")
    page = _get(url + "/mlflow/", auth=("anyone", live_server.token))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    asset = re.search(r'src="(?:\./)?(static-files/[^"]+\.js)"', page.text)
    assert asset and _get(f"{url}/mlflow/{asset.group(1)}").status_code == 200
    assert _get(url + "/mlflow").headers["location"] == "/mlflow/"

    path = "/mlflow/ajax-api/2.0/mlflow/experiments/create"
    body = {"name": "from-another-site"}
    cross = {"Origin": "https://evil.example"}
    refused = _post(url + path, json=body, headers=cross, auth=("u", live_server.token))
    assert (refused.status_code, refused.json()["error_code"]) == (403, "PERMISSION_DENIED")
    same = _post(url + path, json=body, auth=("u", live_server.token))
    assert same.status_code == 200, same.text


def test_tracking_uri_under_mlflow_also_works(mlflow_live, tmp_path):
    import mlflow

    mlflow.set_tracking_uri(mlflow_live.url + "/mlflow")
    (tmp_path / "notes.txt").write_text("hello")
    with mlflow.start_run() as run:
        mlflow.log_param("where", "ui-prefix")
        mlflow.log_artifact(str(tmp_path / "notes.txt"))
    local = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="notes.txt", dst_path=str(tmp_path / "out")
    )
    assert Path(local).read_text() == "hello"
    assert mlflow.get_run(run.info.run_id).data.params == {"where": "ui-prefix"}


def test_registry_grants_through_mlflow(mlflow_live, monkeypatch):
    import mlflow
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    services = mlflow_live.app.state.services
    admin = services.platform.principals.principal("admin")
    services.models.log_pyfunc(
        admin, "main.default.guarded", add_one_model(), pip_requirements=["mlflow"]
    )
    mallory = f"mallory_{uuid.uuid4().hex[:6]}"  # the live server outlives this test
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", make_user(services, mallory))
    client = MlflowClient()
    webhooks = _get(
        mlflow_live.url + "/api/2.0/mlflow/webhooks",
        headers={"Authorization": f"Bearer {make_user(services, mallory + '_t')}"},
    )
    assert (webhooks.status_code, webhooks.json()["error_code"]) == (403, "PERMISSION_DENIED")

    with pytest.raises(MlflowException) as denied:
        client.create_registered_model("main.default.mallorys")
    assert denied.value.error_code == "PERMISSION_DENIED"
    with pytest.raises(MlflowException) as denied:
        mlflow.pyfunc.load_model("models:/main.default.guarded/1")
    assert denied.value.error_code == "PERMISSION_DENIED"
    assert [m.name for m in client.search_registered_models()] == []

    services.grants.update(
        admin, "schema", "main.default", [{"principal": mallory, "add": ["CREATE_MODEL"]}]
    )
    services.grants.update(
        admin, "model", "main.default.guarded", [{"principal": mallory, "add": ["EXECUTE"]}]
    )
    client.create_registered_model("Main.Default.Mallorys")  # names are case-insensitive
    assert services.models.get(admin, "main.default.mallorys")["owner"] == mallory
    model = mlflow.pyfunc.load_model("models:/main.default.guarded/1")
    assert list(model.predict(pd.DataFrame({"x": [41]}))) == [42]
    assert sorted(m.name for m in client.search_registered_models()) == [
        "main.default.guarded",
        "main.default.mallorys",
    ]
    with pytest.raises(MlflowException) as denied:  # EXECUTE is not MANAGE
        client.set_registered_model_alias("main.default.guarded", "mine", 1)
    assert denied.value.error_code == "PERMISSION_DENIED"


def test_registry_names_must_be_three_level(mlflow_live, dbx):
    from databricks.sdk.errors import NotFound
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException) as bad:
        MlflowClient().create_registered_model("default.m")
    assert bad.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(NotFound):
        dbx.registered_models.get("main.default.nope")
    answer = _get(
        mlflow_live.url + "/api/2.1/unity-catalog/models/default.m",
        headers={"Authorization": f"Bearer {mlflow_live.token}"},
    )
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "INVALID_PARAMETER_VALUE"
