"""The Unity Catalog functions API (raw HTTP and the official databricks-sdk) and LakeAI's
batch execute route."""

from __future__ import annotations

import uuid

import pytest

from tests.server.test_errors import assert_error

UC = "/api/2.1/unity-catalog"


def _info(name: str, body: str, *, python: bool = False, returns: str = "INT") -> dict:
    info = {
        "name": name,
        "catalog_name": "main",
        "schema_name": "default",
        "input_params": {
            "parameters": [{"name": "x", "type_text": "int", "type_name": "INT", "position": 0}]
        },
        "data_type": returns,
        "full_data_type": returns,
        "routine_body": "EXTERNAL" if python else "SQL",
        "routine_definition": body,
        "parameter_style": "S",
        "is_deterministic": True,
        "sql_data_access": "NO_SQL",
        "is_null_call": False,
        "security_type": "DEFINER",
        "specific_name": name,
    }
    if python:
        info["external_language"] = "Python"
    return {"function_info": info}


def test_create_get_list_patch_delete(api):
    created = api.post(f"{UC}/functions", json=_info("add_one", "x + 1"))
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["full_name"] == "main.default.add_one"
    assert body["securable_kind"] == "FUNCTION_STANDARD"
    assert body["input_params"]["parameters"][0]["type_text"] == "int"
    got = api.get("/api/2.0/unity-catalog/functions/main.default.add_one").json()
    assert got["routine_definition"] == "x + 1" and got["routine_body"] == "SQL"
    listed = api.get(f"{UC}/functions?catalog_name=main&schema_name=default").json()
    assert [f["name"] for f in listed["functions"]] == ["add_one"]
    patched = api.patch(f"{UC}/functions/main.default.add_one", json={"owner": "admin"})
    assert patched.status_code == 200 and patched.json()["owner"] == "admin"
    assert api.delete(f"{UC}/functions/main.default.add_one").status_code == 200
    assert_error(api.get(f"{UC}/functions/main.default.add_one"), 404, "RESOURCE_DOES_NOT_EXIST")


def test_execute_route_and_its_errors(api):
    api.app.state.services.functions.runner.timeout = 1.0
    api.post(f"{UC}/functions", json=_info("inc", "return x + 1", python=True))
    path = "/api/2.0/lakeai/functions/main.default.inc/execute"
    ok = api.post(path, json={"rows": [{"x": 1}, {"x": 2}]})
    assert ok.status_code == 200 and ok.json() == {"results": [2, 3]}
    api.post(f"{UC}/functions", json=_info("boom", "raise ValueError('no ' + str(x))", python=True))
    boom = api.post("/api/2.0/lakeai/functions/main.default.boom/execute", json={"rows": [[3]]})
    assert_error(boom, 400, "INVALID_PARAMETER_VALUE", contains="ValueError: no 3")
    assert "Traceback" not in boom.text
    api.post(f"{UC}/functions", json=_info("hang", "while True: pass", python=True))
    hang = api.post("/api/2.0/lakeai/functions/main.default.hang/execute", json={"rows": [[1]]})
    assert_error(hang, 504, "DEADLINE_EXCEEDED")
    assert api.post(path, json={"rows": [[5]]}).json() == {"results": [6]}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_info("f", "x", returns="NOPE"), 400, "INVALID_PARAMETER_VALUE"),
        ({**_info("f", "x")["function_info"]}, 400, "INVALID_PARAMETER_VALUE"),
        (
            {"function_info": {**_info("f", "x")["function_info"], "routine_body": "EXTERNAL"}},
            400,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            {"function_info": {**_info("f", "x")["function_info"], "schema_name": "nope"}},
            404,
            "RESOURCE_DOES_NOT_EXIST",
        ),
    ],
)
def test_create_errors(api, body, status, code):
    assert_error(api.post(f"{UC}/functions", json=body), status, code)


def test_list_needs_catalog_and_schema(api):
    assert_error(api.get(f"{UC}/functions"), 400, "INVALID_PARAMETER_VALUE")


def test_databricks_sdk_functions_api(dbx):
    from databricks.sdk.service import catalog

    name = f"f_{uuid.uuid4().hex[:8]}"
    created = dbx.functions.create(
        function_info=catalog.CreateFunction(
            name=name,
            catalog_name="main",
            schema_name="default",
            input_params=catalog.FunctionParameterInfos(
                parameters=[
                    catalog.FunctionParameterInfo(
                        name="x",
                        type_text="int",
                        type_name=catalog.ColumnTypeName.INT,
                        position=0,
                    )
                ]
            ),
            data_type=catalog.ColumnTypeName.INT,
            full_data_type="INT",
            routine_body=catalog.CreateFunctionRoutineBody.EXTERNAL,
            external_language="Python",
            routine_definition="return x * 3",
            parameter_style=catalog.CreateFunctionParameterStyle.S,
            is_deterministic=True,
            sql_data_access=catalog.CreateFunctionSqlDataAccess.NO_SQL,
            is_null_call=False,
            security_type=catalog.CreateFunctionSecurityType.DEFINER,
            specific_name=name,
            comment="triples",
        )
    )
    full = f"main.default.{name}"
    assert created.full_name == full
    assert created.routine_body == catalog.FunctionInfoRoutineBody.EXTERNAL
    got = dbx.functions.get(full)
    assert got.comment == "triples" and got.data_type == catalog.ColumnTypeName.INT
    assert got.input_params.parameters[0].name == "x"
    assert full in [f.full_name for f in dbx.functions.list("main", "default")]
    assert dbx.functions.update(full, owner="admin").owner == "admin"
    dbx.functions.delete(full)
    assert full not in [f.full_name for f in dbx.functions.list("main", "default")]
