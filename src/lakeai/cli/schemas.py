"""``lakeai schemas``: the second level, holding tables and volumes."""

from __future__ import annotations

from typing import Annotated

import typer

from lakeai.cli.context import workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit
from lakeai.errors import InvalidParameterValue

app = typer.Typer(help="Create, list, inspect and delete schemas.", no_args_is_help=True)
COLUMNS = ("full_name", "owner", "comment")


def split_schema(full_name: str) -> tuple[str, str]:
    parts = full_name.split(".")
    if len(parts) != 2 or not all(parts):
        raise InvalidParameterValue(f"Expected CATALOG.SCHEMA, got {full_name!r}.")
    return parts[0], parts[1]


@app.command("create")
def create(
    ctx: typer.Context,
    full_name: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA")],
    comment: Annotated[str | None, typer.Option()] = None,
    json: JsonOpt = False,
) -> None:
    """Create a schema (needs CREATE_SCHEMA on the catalog)."""
    catalog, name = split_schema(full_name)
    info = workspace(ctx).schemas.create(catalog, name, comment=comment)
    done(ctx, json, f"Created schema {info.full_name}.", info)


@app.command("list")
def list_(ctx: typer.Context, catalog: str, json: JsonOpt = False) -> None:
    """Schemas of a catalog that you can use."""
    emit(ctx, workspace(ctx).schemas.list(catalog), json, COLUMNS)


@app.command("get")
def get(
    ctx: typer.Context,
    full_name: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA")],
    json: JsonOpt = False,
) -> None:
    """One schema's details."""
    emit(ctx, workspace(ctx).schemas.get(full_name), json)


@app.command("delete")
def delete(
    ctx: typer.Context,
    full_name: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA")],
    force: Annotated[bool, typer.Option(help="Delete its tables and volumes too.")] = False,
    json: JsonOpt = False,
) -> None:
    """Delete a schema (needs MANAGE; --force when it is not empty)."""
    workspace(ctx).schemas.delete(full_name, force=force)
    done(ctx, json, f"Deleted schema {full_name}.")
