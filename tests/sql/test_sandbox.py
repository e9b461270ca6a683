"""Everything that would reach past the catalog is refused before DuckDB runs it."""

from __future__ import annotations

import pytest

from lakeai.errors import InvalidParameterValue, PermissionDenied
from lakeai.sql import engine

REFUSED = {
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_csv_auto": "SELECT * FROM read_csv_auto('/etc/passwd')",
    "read_parquet": "SELECT * FROM read_parquet('/tmp/x.parquet')",
    "parquet_scan": "SELECT * FROM parquet_scan('s3://bucket/x.parquet')",
    "read_json": "SELECT * FROM read_json('https://example.com/x.json')",
    "read_text": "SELECT read_text('/etc/passwd')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "file_as_table": "SELECT * FROM '/etc/passwd.csv'",
    "file_in_join": "SELECT * FROM main.default.t JOIN 'data.parquet' p ON true",
    "table_function": "SELECT * FROM range(10)",
    "duckdb_function": "SELECT * FROM duckdb_settings()",
    "duckdb_scalar": "SELECT duckdb_version()",
    "getenv": "SELECT getenv('HOME')",
    "attach": "ATTACH '/tmp/other.duckdb' AS other",
    "detach": "DETACH other",
    "copy_to": "COPY (SELECT 1) TO '/tmp/out.csv'",
    "copy_from": "COPY main.default.t FROM '/tmp/in.csv'",
    "export": "EXPORT DATABASE '/tmp/dump'",
    "import": "IMPORT DATABASE '/tmp/dump'",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "set": "SET threads = 1",
    "reset": "RESET threads",
    "pragma": "PRAGMA database_list",
    "call": "CALL pragma_version()",
    "multiple": "SELECT 1; SELECT 2",
    "multiple_with_ddl": "SELECT 1; DROP TABLE main.default.t",
    "comment_then_attach": "-- hi\nATTACH 'x.db'",
    "information_schema_path": "SELECT * FROM x.y.z.w",
}


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_permission_denied(ws, statement):
    ws.sql("CREATE TABLE IF NOT EXISTS t (x INT)")
    with pytest.raises(PermissionDenied) as info:
        ws.sql(statement)
    assert "not" in info.value.message


def test_refusal_names_what_is_not_allowed(ws):
    with pytest.raises(PermissionDenied, match=r"read_csv\(\)"):
        ws.sql("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(PermissionDenied, match="ATTACH"):
        ws.sql("ATTACH 'x.db'")
    with pytest.raises(PermissionDenied, match="Multiple statements"):
        ws.sql("SELECT 1; SELECT 2")


def test_table_not_in_catalog_is_not_found_not_an_engine_table(ws):
    from lakeai.errors import ResourceDoesNotExist

    with pytest.raises(ResourceDoesNotExist):
        ws.sql("SELECT * FROM pg_tables")
    with pytest.raises(ResourceDoesNotExist):
        ws.sql("SELECT * FROM duckdb_tables")


def test_empty_statement(ws):
    with pytest.raises(InvalidParameterValue):
        ws.sql("  ")


def test_connection_is_locked_down():
    """Even SQL that slipped past the checks cannot read files or change settings."""
    import duckdb

    con = engine.connect()
    try:
        with pytest.raises(duckdb.PermissionException):
            con.sql("SELECT * FROM read_csv('/etc/passwd')").fetchall()
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            con.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.Error):
            con.execute("INSTALL httpfs")
    finally:
        con.close()


def test_engine_permission_error_is_translated():
    with pytest.raises(PermissionDenied):
        engine.run("SELECT * FROM read_csv('/etc/passwd')", {})
