"""Unity Catalog's /models API through databricks-sdk, LakeAI's SDK and CLI."""

from __future__ import annotations

import json
import uuid

import pytest

from lakeai.errors import InvalidParameterValue, ResourceDoesNotExist
from tests.models.conftest import MLFLOW_WARNINGS, add_one_model

pytestmark = list(MLFLOW_WARNINGS)


@pytest.fixture
def name() -> str:
    return f"main.default.m_{uuid.uuid4().hex[:8]}"


def test_databricks_sdk_registered_models_and_versions(live_server, dbx, name):
    from databricks.sdk.errors import InvalidParameterValue as SdkInvalid
    from databricks.sdk.errors import NotFound

    services = live_server.app.state.services
    admin = services.platform.principals.principal("admin")
    catalog, schema, short = name.split(".")
    created = dbx.registered_models.create(
        catalog_name=catalog, schema_name=schema, name=short, comment="first"
    )
    assert (created.full_name, created.owner, created.comment) == (name, "admin", "first")
    services.models.log_pyfunc(admin, name, add_one_model(), pip_requirements=["mlflow"])

    alias = dbx.registered_models.set_alias(name, "champion", 1)
    assert (alias.alias_name, alias.version_num, alias.model_name) == ("champion", 1, short)
    assert dbx.registered_models.update(name, comment="second").comment == "second"
    assert [v.version for v in dbx.model_versions.list(name)] == [1]
    assert dbx.model_versions.get_by_alias(name, "champion").version == 1
    listed = dbx.registered_models.list(catalog_name="main", schema_name="default")
    assert name in [m.full_name for m in listed]

    dbx.registered_models.delete_alias(name, "champion")
    with pytest.raises(NotFound):
        dbx.model_versions.get_by_alias(name, "champion")
    with pytest.raises(NotFound):
        dbx.model_versions.get(name, 2)
    with pytest.raises(SdkInvalid):
        dbx.registered_models.get("default.m")
    dbx.model_versions.delete(name, 1)
    dbx.registered_models.delete(name)
    with pytest.raises(NotFound):
        dbx.registered_models.get(name)


def test_lakeai_sdk_and_cli(live_server, name):
    from typer.testing import CliRunner

    import lakeai
    from lakeai.cli.main import app

    with lakeai.connect(live_server.url, live_server.token) as ws:
        assert ws.models.tracking_uri == live_server.url
        assert ws.models.create(name, comment="c")["full_name"] == name
        assert name in [m["full_name"] for m in ws.models.list(catalog_name="main")]
        assert ws.models.list_versions(name) == []
        with pytest.raises(InvalidParameterValue):
            ws.models.create("default.m")
        with pytest.raises(ResourceDoesNotExist):
            ws.models.get("main.default.nope")

        prefix = ["--host", live_server.url, "--token", live_server.token]
        out = CliRunner().invoke(app, [*prefix, "models", "get", name, "--json"])
        assert out.exit_code == 0, out.stdout
        assert json.loads(out.stdout)["full_name"] == name
        out = CliRunner().invoke(app, [*prefix, "models", "list", "--json"])
        assert name in [m["full_name"] for m in json.loads(out.stdout)]
        out = CliRunner().invoke(app, [*prefix, "models", "set-alias", name, "prod", "1"])
        assert out.exit_code == 1 and "RESOURCE_DOES_NOT_EXIST" in out.stderr + out.stdout
        ws.models.delete(name)
