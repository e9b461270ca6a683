"""The SQL Statement Execution API and warehouses, in-process and through databricks-sdk."""

from __future__ import annotations

import uuid

import pytest

STATEMENTS = "/api/2.0/sql/statements"


def _run(api, statement: str, **extra):
    response = api.post(
        STATEMENTS, json={"statement": statement, "warehouse_id": "lakeai", **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_execute_returns_manifest_and_inline_rows(api):
    _run(api, "CREATE TABLE t (id BIGINT, name STRING, price DECIMAL(5,2), ok BOOLEAN)")
    _run(api, "INSERT INTO t VALUES (1, 'a', 1.50, true), (2, NULL, 2.00, false)")
    body = _run(api, "SELECT * FROM t ORDER BY id", format="JSON_ARRAY", disposition="INLINE")
    assert body["status"] == {"state": "SUCCEEDED"}
    manifest = body["manifest"]
    assert manifest["format"] == "JSON_ARRAY"
    assert manifest["schema"]["column_count"] == 4
    assert [(c["name"], c["type_name"], c["position"]) for c in manifest["schema"]["columns"]] == [
        ("id", "LONG", 0),
        ("name", "STRING", 1),
        ("price", "DECIMAL", 2),
        ("ok", "BOOLEAN", 3),
    ]
    assert manifest["total_row_count"] == 2
    assert manifest["truncated"] is False
    assert body["result"]["data_array"] == [
        ["1", "a", "1.50", "true"],
        ["2", None, "2.00", "false"],
    ]
    assert body["result"]["row_count"] == 2


def test_row_limit_truncates(api):
    body = _run(api, "SELECT * FROM (VALUES (1), (2), (3)) AS v(x)", row_limit=2)
    assert body["manifest"]["truncated"] is True
    assert body["result"]["data_array"] == [["1"], ["2"]]


def test_catalog_schema_and_parameters(api):
    _run(api, "CREATE SCHEMA s")
    _run(api, "CREATE TABLE main.s.t AS SELECT 1 AS id, DATE '2024-01-02' AS d")
    body = _run(
        api,
        "SELECT id FROM t WHERE d = :day",
        catalog="main",
        schema="s",
        parameters=[{"name": "day", "value": "2024-01-02", "type": "DATE"}],
    )
    assert body["result"]["data_array"] == [["1"]]


def test_sql_mistakes_are_failed_statements_not_http_errors(api):
    for statement, code, lakeai_code in [
        ("SELEC 1", "BAD_REQUEST", "INVALID_PARAMETER_VALUE"),
        ("SELECT * FROM nope", "NOT_FOUND", "RESOURCE_DOES_NOT_EXIST"),
        ("SELECT * FROM read_csv('/etc/passwd')", "BAD_REQUEST", "PERMISSION_DENIED"),
    ]:
        body = _run(api, statement)
        assert body["status"]["state"] == "FAILED"
        assert body["status"]["error"]["error_code"] == code
        assert body["status"]["error"]["message"].startswith(f"[{lakeai_code}]")
        assert "manifest" not in body


@pytest.mark.parametrize(
    "extra",
    [{"format": "ARROW_STREAM"}, {"disposition": "EXTERNAL_LINKS"}, {"wait_timeout": "3s"}],
)
def test_unsupported_options_are_400(api, extra):
    response = api.post(STATEMENTS, json={"statement": "SELECT 1", **extra})
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_unknown_warehouse_is_404(api):
    response = api.post(STATEMENTS, json={"statement": "SELECT 1", "warehouse_id": "nope"})
    assert response.status_code == 404


def test_get_and_cancel_only_for_the_principal_who_ran_it(api):
    body = _run(api, "SELECT 42 AS x")
    sid = body["statement_id"]
    again = api.get(f"{STATEMENTS}/{sid}").json()
    assert again == body
    assert api.post(f"{STATEMENTS}/{sid}/cancel").status_code == 200
    platform = api.app.state.services.platform
    eve = platform.principals.create("user", "eve")
    token, _ = platform.principals.create_token(eve.id)
    other = api.get(f"{STATEMENTS}/{sid}", token=token)
    assert other.status_code == 404
    assert api.get(f"{STATEMENTS}/{uuid.uuid4()}").status_code == 404


def test_warehouses(api):
    listed = api.get("/api/2.0/sql/warehouses").json()["warehouses"]
    assert [(w["id"], w["name"], w["state"]) for w in listed] == [("lakeai", "lakeai", "RUNNING")]
    assert api.get("/api/2.0/sql/warehouses/lakeai").json()["state"] == "RUNNING"
    assert api.get("/api/2.0/sql/warehouses/nope").status_code == 404


def test_databricks_sdk_warehouses_and_statements(dbx):
    from databricks.sdk.service.sql import ColumnInfoTypeName, State, StatementState

    warehouses = list(dbx.warehouses.list())
    assert [(w.id, w.state) for w in warehouses] == [("lakeai", State.RUNNING)]
    assert dbx.warehouses.get("lakeai").name == "lakeai"
    name = f"main.default.sdk_{uuid.uuid4().hex[:8]}"
    ex = dbx.statement_execution.execute_statement
    ex(statement=f"CREATE TABLE {name} (id BIGINT, label STRING)", warehouse_id="lakeai")
    ins = ex(statement=f"INSERT INTO {name} VALUES (1, 'x'), (2, 'y')", warehouse_id="lakeai")
    assert ins.status.state == StatementState.SUCCEEDED
    assert ins.result.data_array == [["2", "2"]]
    res = ex(
        statement=f"SELECT * FROM {name} ORDER BY id", warehouse_id="lakeai", wait_timeout="30s"
    )
    assert res.status.state == StatementState.SUCCEEDED
    assert [c.type_name for c in res.manifest.schema.columns] == [
        ColumnInfoTypeName.LONG,
        ColumnInfoTypeName.STRING,
    ]
    assert res.result.data_array == [["1", "x"], ["2", "y"]]
    assert dbx.statement_execution.get_statement(res.statement_id).result.row_count == 2
    failed = ex(statement="SELECT * FROM main.default.nope", warehouse_id="lakeai")
    assert failed.status.state == StatementState.FAILED
    assert failed.status.error.error_code.value == "NOT_FOUND"
