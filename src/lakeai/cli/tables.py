"""``lakeai tables``: create Delta tables, load files into them, look at their rows and history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lakeai.cli.context import workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit, plain, print_arrow, print_rows, wants_json
from lakeai.cli.schemas import split_schema
from lakeai.errors import InvalidParameterValue

app = typer.Typer(help="Create, load, read and delete Delta tables.", no_args_is_help=True)
MODES = ("append", "overwrite", "merge")


def parse_columns(specs: list[str]) -> list[dict[str, Any]]:
    """``name:type`` options as UC column descriptions (``id:bigint``, ``tags:array<string>``)."""
    columns = []
    for spec in specs:
        name, sep, type_text = spec.partition(":")
        if not sep or not name.strip() or not type_text.strip():
            raise InvalidParameterValue(f"--column takes NAME:TYPE (e.g. id:bigint), got {spec!r}.")
        columns.append({"name": name.strip(), "type_text": type_text.strip()})
    return columns


def _primary_key(values: list[str] | None) -> list[str] | None:
    keys = [k.strip() for v in values or [] for k in v.split(",") if k.strip()]
    return keys or None


@app.command("create")
def create(
    ctx: typer.Context,
    full_name: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA.TABLE")],
    column: Annotated[
        list[str] | None, typer.Option("--column", "-c", help="NAME:TYPE, repeatable.")
    ] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="CSV, Parquet or JSON file to create it from.")
    ] = None,
    primary_key: Annotated[
        list[str] | None, typer.Option(help="Primary key column(s), repeatable or a,b.")
    ] = None,
    comment: Annotated[str | None, typer.Option()] = None,
    json: JsonOpt = False,
) -> None:
    """Create a table from --column types and/or a file's rows (needs CREATE_TABLE)."""
    from lakeai.cli.files import read_table

    columns = parse_columns(column or []) or None
    schema = None
    if columns:
        from lakeai.tables.types import schema_from_columns

        schema = schema_from_columns(columns)
    data = read_table(from_file, schema, progress=not json) if from_file else None
    info = workspace(ctx).tables.create(
        full_name,
        schema=columns,
        data=data,
        primary_key=_primary_key(primary_key),
        comment=comment,
    )
    rows = f" with {data.num_rows} row(s)" if data is not None else ""
    done(ctx, json, f"Created table {info.full_name}{rows}.", info)


@app.command("list")
def list_(
    ctx: typer.Context,
    schema: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA")],
    json: JsonOpt = False,
) -> None:
    """Tables of a schema that you can see."""
    infos = workspace(ctx).tables.list(*split_schema(schema))
    emit(ctx, infos, json, ("full_name", "table_type", "owner", "comment"))


@app.command("get")
def get(ctx: typer.Context, full_name: str, json: JsonOpt = False) -> None:
    """A table's details and columns."""
    info = workspace(ctx).tables.get(full_name)
    if wants_json(ctx, json):
        emit(ctx, info, True)
        return
    data = plain(info)
    summary = {k: data.get(k) for k in ("full_name", "table_type", "owner", "storage_location")}
    summary["primary_key"] = ", ".join(info.primary_key) or None
    emit(ctx, summary, False, title=info.full_name)
    print_rows(data.get("columns", []), ("name", "type_text", "nullable", "comment"))


@app.command("delete")
def delete(ctx: typer.Context, full_name: str, json: JsonOpt = False) -> None:
    """Drop a table (a managed table's files go with it)."""
    workspace(ctx).tables.delete(full_name)
    done(ctx, json, f"Deleted table {full_name}.")


@app.command("load")
def load(
    ctx: typer.Context,
    full_name: str,
    file: Annotated[Path, typer.Argument(help="CSV, Parquet or JSON-lines file.")],
    mode: Annotated[str, typer.Option(help="append, overwrite or merge (by primary key).")] = (
        "append"
    ),
    json: JsonOpt = False,
) -> None:
    """Load a file into a table as one commit (a failed load writes nothing)."""
    from lakeai.cli.files import read_table
    from lakeai.tables.types import schema_from_columns

    if mode not in MODES:
        raise InvalidParameterValue(f"--mode must be one of {', '.join(MODES)}.")
    tables = workspace(ctx).tables
    columns = plain(tables.get(full_name)).get("columns") or []
    data = read_table(file, schema_from_columns(columns), progress=not wants_json(ctx, json))
    result = getattr(tables, mode)(full_name, data)
    done(ctx, json, f"Loaded {data.num_rows} row(s) into {full_name} ({mode}).", result)


@app.command("head")
def head(
    ctx: typer.Context,
    full_name: str,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Rows to show.")] = 10,
    version: Annotated[int | None, typer.Option(help="Read this version (time travel).")] = None,
    json: JsonOpt = False,
) -> None:
    """The first rows of a table (needs SELECT)."""
    table = workspace(ctx).tables.read(full_name, version=version, limit=limit)
    print_arrow(ctx, table, json)


@app.command("history")
def history(
    ctx: typer.Context,
    full_name: str,
    limit: Annotated[int | None, typer.Option(help="Newest N versions only.")] = None,
    json: JsonOpt = False,
) -> None:
    """The table's versions: one per commit."""
    entries = workspace(ctx).tables.history(full_name, limit=limit)
    if wants_json(ctx, json):
        emit(ctx, entries, True)
        return
    rows = [{**e, "timestamp": _when(e.get("timestamp"))} for e in entries]
    emit(ctx, rows, False, ("version", "timestamp", "operation"))


def _when(millis: Any) -> Any:
    """Delta's commit time (ms since the epoch) as UTC ISO time, for people."""
    from datetime import UTC, datetime

    if not isinstance(millis, int | float):
        return millis
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="seconds")
