"""``lakeai volumes``: governed folders of files under a schema."""

from __future__ import annotations

from typing import Annotated

import typer

from lakeai.cli.context import workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit
from lakeai.cli.schemas import split_schema
from lakeai.errors import InvalidParameterValue

app = typer.Typer(help="Create, list, inspect and delete volumes.", no_args_is_help=True)
COLUMNS = ("full_name", "volume_type", "owner", "storage_location")


@app.command("create")
def create(
    ctx: typer.Context,
    full_name: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA.VOLUME")],
    volume_type: Annotated[str, typer.Option("--type", help="MANAGED or EXTERNAL.")] = "MANAGED",
    location: Annotated[str | None, typer.Option(help="Storage of an EXTERNAL volume.")] = None,
    comment: Annotated[str | None, typer.Option()] = None,
    json: JsonOpt = False,
) -> None:
    """Create a volume (needs CREATE_VOLUME on the schema)."""
    parts = full_name.split(".")
    if len(parts) != 3:
        raise InvalidParameterValue(f"Expected CATALOG.SCHEMA.VOLUME, got {full_name!r}.")
    info = workspace(ctx).volumes.create(
        *parts, volume_type=volume_type, storage_location=location, comment=comment
    )
    done(ctx, json, f"Created volume {info.full_name}.", info)


@app.command("list")
def list_(
    ctx: typer.Context,
    schema: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA")],
    json: JsonOpt = False,
) -> None:
    """Volumes of a schema that you can read."""
    emit(ctx, workspace(ctx).volumes.list(*split_schema(schema)), json, COLUMNS)


@app.command("get")
def get(ctx: typer.Context, full_name: str, json: JsonOpt = False) -> None:
    """One volume's details."""
    emit(ctx, workspace(ctx).volumes.get(full_name), json)


@app.command("delete")
def delete(ctx: typer.Context, full_name: str, json: JsonOpt = False) -> None:
    """Delete a volume (a managed volume's files go with it)."""
    workspace(ctx).volumes.delete(full_name)
    done(ctx, json, f"Deleted volume {full_name}.")
