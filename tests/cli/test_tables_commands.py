"""tables create/load/head/history/get/list/delete, and SQL one-shot and interactive."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.cli.conftest import as_json

CSV = "id,customer,amount\n1,ada,12.5\n2,bob,7.25\n"


def _schema(cli, uid: str) -> str:
    cli("catalogs", "create", f"t{uid}")
    cli("schemas", "create", f"t{uid}.shop")
    return f"t{uid}.shop"


def test_create_load_head_history(cli, uid: str, tmp_path: Path) -> None:
    schema = _schema(cli, uid)
    name = f"{schema}.orders"
    (tmp_path / "orders.csv").write_text(CSV)
    cli(
        "tables", "create", name, "-c", "id:bigint", "-c", "customer:string",
        "--column", "amount:double", "--primary-key", "id",
    )  # fmt: skip
    out = cli("tables", "load", name, str(tmp_path / "orders.csv"))
    assert f"Loaded 2 row(s) into {name} (append)." in out.stdout
    rows = as_json(cli("tables", "head", name, "--json"))
    assert rows == [
        {"id": 1, "customer": "ada", "amount": 12.5},
        {"id": 2, "customer": "bob", "amount": 7.25},
    ]
    (tmp_path / "update.csv").write_text("id,customer,amount\n2,bob,8.0\n3,cy,1\n")
    merged = as_json(
        cli("tables", "load", name, str(tmp_path / "update.csv"), "--mode", "merge", "--json")
    )
    assert merged["num_updated"] == 1 and merged["num_inserted"] == 1
    assert "ada" in cli("tables", "head", name, "--version", "1").stdout
    assert len(as_json(cli("tables", "head", name, "-n", "1", "--json"))) == 1
    history = as_json(cli("tables", "history", name, "--json"))
    assert [h["version"] for h in history] == [2, 1, 0]
    assert "WRITE" in cli("tables", "history", name).stdout
    info = as_json(cli("tables", "get", name, "--json"))
    assert [c["type_text"] for c in info["columns"]] == ["bigint", "string", "double"]
    assert "primary_key" in cli("tables", "get", name).stdout
    assert [t["full_name"] for t in as_json(cli("tables", "list", schema, "--json"))] == [name]
    cli("tables", "delete", name)
    assert cli("tables", "get", name, ok=False).exit_code == 1


def test_a_failed_load_writes_nothing(cli, uid: str, tmp_path: Path) -> None:
    name = f"{_schema(cli, uid)}.t"
    cli("tables", "create", name, "-c", "id:bigint", "-c", "n:int", "--primary-key", "id")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,n\n1,2\n2,not-a-number\n")
    result = cli("tables", "load", name, str(bad), ok=False)
    assert result.exit_code == 1 and "INVALID_PARAMETER_VALUE" in result.stderr
    nulls = tmp_path / "nulls.csv"
    nulls.write_text("id,n\n1,2\n,3\n")
    assert cli("tables", "load", name, str(nulls), ok=False).exit_code == 1
    assert as_json(cli("tables", "history", name, "--json"))[0]["version"] == 0
    assert cli("tables", "load", name, str(bad), "--mode", "upsert", ok=False).exit_code == 1


def test_create_from_parquet_and_a_large_csv(cli, uid: str, tmp_path: Path) -> None:
    schema = _schema(cli, uid)
    pq.write_table(pa.table({"k": [1, 2], "v": ["a", "b"]}), tmp_path / "kv.parquet")
    out = cli("tables", "create", f"{schema}.kv", "--from", str(tmp_path / "kv.parquet"))
    assert "with 2 row(s)" in out.stdout
    big = tmp_path / "big.csv"
    lines = ["k,v"] + [f"{i},{'x' * 40}" for i in range(40_000)]
    big.write_text("\n".join(lines) + "\n")  # > 1 MiB: read in batches under a progress bar
    assert big.stat().st_size > 1 << 20
    loaded = as_json(cli("tables", "load", f"{schema}.kv", str(big), "--json"))
    assert loaded["num_rows"] == 40_000
    json_rows = tmp_path / "rows.jsonl"
    json_rows.write_text('{"k": 7, "v": "j"}\n')
    cli("tables", "load", f"{schema}.kv", str(json_rows))
    count = as_json(cli("sql", f"SELECT count(*) AS n FROM {schema}.kv", "--json"))
    assert count == [{"n": 40_003}]


def test_sql_statement_and_shell(cli, uid: str) -> None:
    schema = _schema(cli, uid)
    cli("tables", "create", f"{schema}.t", "-c", "id:bigint", "-c", "name:string")
    cli("sql", f"INSERT INTO {schema}.t VALUES (1, 'ada'), (2, 'bob')")
    rows = as_json(cli("sql", f"SELECT * FROM {schema}.t ORDER BY id", "--json"))
    assert rows == [{"id": 1, "name": "ada"}, {"id": 2, "name": "bob"}]
    assert "ada" in cli("sql", f"SELECT name FROM {schema}.t").stdout
    script = (
        f"SELECT name\n  FROM {schema}.t\n WHERE id = 2;\n"
        "SELECT * FROM nowhere.at.all;\n"
        "\n"
        "SELECT 40 + 2 AS answer;\n"
        "exit\n"
        "SELECT 'never' AS x;\n"
    )
    shell = cli("sql", input=script)
    assert shell.stdout.count("lakeai> ") == 5  # one per statement, blank line, exit
    assert "bob" in shell.stdout and "42" in shell.stdout and "never" not in shell.stdout
    assert "RESOURCE_DOES_NOT_EXIST" in shell.stderr
    at_eof = cli("sql", "--json", input="SELECT 1 AS one;")
    assert '"one": 1' in at_eof.stdout
