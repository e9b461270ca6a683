"""``lakeai catalogs``: the top level of the three-level namespace."""

from __future__ import annotations

from typing import Annotated

import typer

from lakeai.cli.context import workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit

app = typer.Typer(help="Create, list, inspect and delete catalogs.", no_args_is_help=True)
COLUMNS = ("name", "owner", "comment", "catalog_type")


@app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    comment: Annotated[str | None, typer.Option(help="What the catalog holds.")] = None,
    json: JsonOpt = False,
) -> None:
    """Create a catalog (needs CREATE_CATALOG on the metastore)."""
    info = workspace(ctx).catalogs.create(name, comment=comment)
    done(ctx, json, f"Created catalog {info.full_name}.", info)


@app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Catalogs you can use."""
    emit(ctx, workspace(ctx).catalogs.list(), json, COLUMNS)


@app.command("get")
def get(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """One catalog's details."""
    emit(ctx, workspace(ctx).catalogs.get(name), json)


@app.command("update")
def update(
    ctx: typer.Context,
    name: str,
    comment: Annotated[str | None, typer.Option()] = None,
    owner: Annotated[str | None, typer.Option(help="New owner (a principal name).")] = None,
    json: JsonOpt = False,
) -> None:
    """Change a catalog's comment or owner (needs MANAGE)."""
    info = workspace(ctx).catalogs.update(name, comment=comment, owner=owner)
    done(ctx, json, f"Updated catalog {info.full_name}.", info)


@app.command("delete")
def delete(
    ctx: typer.Context,
    name: str,
    force: Annotated[bool, typer.Option(help="Delete its schemas and tables too.")] = False,
    json: JsonOpt = False,
) -> None:
    """Delete a catalog (needs MANAGE; --force when it is not empty)."""
    workspace(ctx).catalogs.delete(name, force=force)
    done(ctx, json, f"Deleted catalog {name}.")
