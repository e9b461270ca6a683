"""``lakeai functions``: catalog functions (SQL or Python), created, read, called and dropped.

``create NAME BODY`` takes a SQL expression or query; ``--sql-file`` reads it from a file and
``--python-file`` makes a Python function of a file's body. ``execute NAME --arg x=1`` calls
it once (values are JSON when they parse as JSON, text otherwise).
"""

from __future__ import annotations

import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit, print_json, wants_json
from lakeai.cli.schemas import split_schema
from lakeai.errors import InvalidParameterValue

app = typer.Typer(help="Catalog functions: SQL and Python UDFs.", no_args_is_help=True)
COLUMNS = ("full_name", "routine_body", "data_type", "owner")


def _params(specs: list[str]) -> list[dict[str, str]]:
    out = []
    for spec in specs:
        name, sep, type_text = spec.partition(":")
        if not sep or not name.strip() or not type_text.strip():
            raise InvalidParameterValue(f"--param takes NAME:TYPE (e.g. x:int), got {spec!r}.")
        out.append({"name": name.strip(), "type_text": type_text.strip()})
    return out


def key_values(pairs: list[str], option: str) -> dict[str, Any]:
    """``k=v`` pairs as a dict; a value is JSON when it parses as JSON, else text."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise InvalidParameterValue(f"{option} takes NAME=VALUE, got {pair!r}.")
        try:
            out[name] = jsonlib.loads(raw)
        except ValueError:
            out[name] = raw
    return out


def _body(body: str | None, sql_file: Path | None, python_file: Path | None) -> tuple[str, str]:
    given = [x for x in (body, sql_file, python_file) if x is not None]
    if len(given) != 1:
        raise InvalidParameterValue("Give the body as BODY, --sql-file or --python-file (one).")
    if python_file is not None:
        return "PYTHON", _read(python_file)
    if sql_file is not None:
        return "SQL", _read(sql_file)
    return "SQL", str(body)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise InvalidParameterValue(f"Cannot read {path}: {exc.strerror or exc}.") from None


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA.FUNCTION")],
    body: Annotated[str | None, typer.Argument(help="SQL expression or query.")] = None,
    returns: Annotated[str, typer.Option(help="Return type, e.g. int, double, string.")] = "",
    param: Annotated[list[str] | None, typer.Option(help="A parameter NAME:TYPE.")] = None,
    sql_file: Annotated[Path | None, typer.Option(help="Read the SQL body from a file.")] = None,
    python_file: Annotated[
        Path | None, typer.Option(help="A Python function: its body from a file.")
    ] = None,
    comment: Annotated[str | None, typer.Option()] = None,
    replace: Annotated[bool, typer.Option(help="Replace an existing function.")] = False,
    json: JsonOpt = False,
) -> None:
    """Create (or --replace) a function."""
    if not returns:
        raise InvalidParameterValue("--returns TYPE is required (e.g. --returns int).")
    language, text = _body(body, sql_file, python_file)
    info = service(ctx, "functions").create(
        name,
        params=_params(param or []),
        returns=returns,
        language=language,
        body=text,
        comment=comment,
        replace=replace,
    )
    verb = "Replaced" if replace else "Created"
    done(ctx, json, f"{verb} {language.lower()} function {info.full_name}.", info)


@app.command("get")
def get(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """A function's definition."""
    emit(ctx, service(ctx, "functions").get(name), json)


@app.command("list")
def list_(
    ctx: typer.Context,
    schema: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA")],
    json: JsonOpt = False,
) -> None:
    """Functions of a schema that you can see (feature specs included)."""
    emit(ctx, service(ctx, "functions").list(*split_schema(schema)), json, COLUMNS)


@app.command("delete")
def delete(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """Drop a function."""
    service(ctx, "functions").delete(name)
    done(ctx, json, f"Deleted function {name}.")


@app.command("execute")
def execute(
    ctx: typer.Context,
    name: str,
    arg: Annotated[list[str] | None, typer.Option(help="An argument NAME=VALUE.")] = None,
    json: JsonOpt = False,
) -> None:
    """Call a function once and print its result."""
    result = service(ctx, "functions").execute(name, key_values(arg or [], "--arg"))
    if wants_json(ctx, json):
        print_json({"result": result})
    else:
        typer.echo("NULL" if result is None else str(result))
