"""ModelRegistryService in-process: log, version, alias, resolve, grants, bad input, audit."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from lakeai.errors import InvalidParameterValue, PermissionDenied, ResourceDoesNotExist
from tests.models.conftest import MLFLOW_WARNINGS, add_one_model

pytestmark = list(MLFLOW_WARNINGS)


@pytest.fixture
def models(ws):
    return ws.services.models


def _log(models, principal, name: str = "main.default.m") -> int:
    return models.log_pyfunc(principal, name, add_one_model(), pip_requirements=["mlflow"])


def test_versions_aliases_and_resolve(ws, models):
    import mlflow.pyfunc

    admin = ws.principal
    assert models.tracking_uri.startswith("sqlite:///") and models.registry_uri
    assert [_log(models, admin), _log(models, admin)] == [1, 2]
    assert models.set_alias(admin, "main.default.m", "champion", 1)["version_num"] == 1
    resolved = models.resolve(admin, "Main.Default.M", "champion")
    assert (resolved.full_name, resolved.version) == ("main.default.m", 1)
    model = mlflow.pyfunc.load_model(resolved.local_path)
    assert list(model.predict(pd.DataFrame({"x": [1]}))) == [2]
    assert models.resolve(admin, "main.default.m", "2").version == 2

    assert [v["version"] for v in models.list_versions(admin, "main.default.m")] == [2, 1]
    assert models.get_version(admin, "main.default.m", 1)["aliases"] == [
        {"alias_name": "champion", "version_num": 1}
    ]
    info = models.get(admin, "main.default.m")
    assert info["owner"] == "admin" and info["aliases"][0]["alias_name"] == "champion"
    assert [m["full_name"] for m in models.list(admin, catalog_name="main")] == ["main.default.m"]

    models.delete_alias(admin, "main.default.m", "champion")
    with pytest.raises(ResourceDoesNotExist):
        models.resolve(admin, "main.default.m", "champion")
    models.delete(admin, "main.default.m")
    with pytest.raises(ResourceDoesNotExist):
        models.get(admin, "main.default.m")
    actions = {r["action"] for r in ws.tables.read("system.access.audit").to_pylist()}
    assert {"createRegisteredModel", "createModelVersion", "deleteRegisteredModel"} <= actions


def test_a_resolved_model_loads_in_another_process(ws, models):
    _log(models, ws.principal)
    path = models.resolve(ws.principal, "main.default.m", "1").local_path
    code = (
        "import warnings, sys; warnings.simplefilter('ignore');"
        "import mlflow.pyfunc, pandas as pd;"
        "m = mlflow.pyfunc.load_model(sys.argv[1]);"
        "print(list(m.predict(pd.DataFrame({'x': [9]}))))"
    )
    out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[10]"


def test_grants_create_model_execute_and_manage(ws, models):
    ws.platform.principals.create("user", "bob")
    ws.grants.update("catalog", "main", [{"principal": "bob", "add": ["USE_CATALOG"]}])
    ws.grants.update("schema", "main.default", [{"principal": "bob", "add": ["USE_SCHEMA"]}])
    bob = ws.platform.principals.principal("bob")
    _log(models, ws.principal)

    with pytest.raises(PermissionDenied, match="CREATE_MODEL"):
        _log(models, bob, "main.default.bobs")
    with pytest.raises(PermissionDenied, match="EXECUTE"):
        models.resolve(bob, "main.default.m", "1")
    assert models.list(bob) == []

    ws.grants.update("model", "main.default.m", [{"principal": "bob", "add": ["EXECUTE"]}])
    assert models.resolve(bob, "main.default.m", "1").version == 1
    assert [m["full_name"] for m in models.list(bob)] == ["main.default.m"]
    with pytest.raises(PermissionDenied, match="MANAGE"):
        models.set_alias(bob, "main.default.m", "champion", 1)
    with pytest.raises(PermissionDenied, match="MANAGE"):
        _log(models, bob)  # a new version changes the model

    ws.grants.update("schema", "main.default", [{"principal": "bob", "add": ["CREATE_MODEL"]}])
    assert _log(models, bob, "main.default.bobs") == 1
    assert models.get(ws.principal, "main.default.bobs")["owner"] == "bob"
    denied = [
        r
        for r in ws.tables.read("system.access.audit").to_pylist()
        if r["principal"] == "bob" and r["outcome"] == "DENIED"
    ]
    assert denied


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda m, p: m.create(p, "default.m"), InvalidParameterValue),
        (lambda m, p: m.get(p, "main.default.nope"), ResourceDoesNotExist),
        (lambda m, p: m.resolve(p, "main.default.nope", "1"), ResourceDoesNotExist),
        (lambda m, p: m.create(p, "nope.default.m"), ResourceDoesNotExist),
        (lambda m, p: m.get_version(p, "main.default.m", "x"), InvalidParameterValue),
        (lambda m, p: m.get_version(p, "main.default.m", 7), ResourceDoesNotExist),
        (lambda m, p: m.set_alias(p, "main.default.m", "v1", 1), InvalidParameterValue),
    ],
)
def test_bad_input(ws, models, call, error):
    models.create(ws.principal, "main.default.m")
    with pytest.raises(error):
        call(models, ws.principal)
