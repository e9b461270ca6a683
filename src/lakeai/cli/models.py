"""``lakeai models``: registered models (``catalog.schema.model``), versions and aliases.

Logging and loading models is MLflow's job: point ``mlflow.set_tracking_uri`` at the server.
"""

from __future__ import annotations

from typing import Annotated

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit

app = typer.Typer(help="List and inspect registered models; move aliases.", no_args_is_help=True)
COLUMNS = ("full_name", "owner", "comment")
VERSION_COLUMNS = ("version", "status", "run_id", "source")
ModelArg = Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA.MODEL")]


@app.command("list")
def list_(
    ctx: typer.Context,
    catalog: Annotated[str | None, typer.Option(help="Only this catalog's models.")] = None,
    schema: Annotated[str | None, typer.Option(help="Only this schema (with --catalog).")] = None,
    json: JsonOpt = False,
) -> None:
    """Registered models that you can see."""
    models = service(ctx, "models").list(catalog_name=catalog, schema_name=schema)
    emit(ctx, models, json, COLUMNS)


@app.command("get")
def get(ctx: typer.Context, full_name: ModelArg, json: JsonOpt = False) -> None:
    """One registered model, with its aliases."""
    emit(ctx, service(ctx, "models").get(full_name, include_aliases=True), json)


@app.command("versions")
def versions(ctx: typer.Context, full_name: ModelArg, json: JsonOpt = False) -> None:
    """A model's versions, newest first (needs EXECUTE)."""
    emit(ctx, service(ctx, "models").list_versions(full_name), json, VERSION_COLUMNS)


@app.command("set-alias")
def set_alias(
    ctx: typer.Context,
    full_name: ModelArg,
    alias: Annotated[str, typer.Argument(help="For example champion.")],
    version: Annotated[int, typer.Argument(help="The version the alias points at.")],
    json: JsonOpt = False,
) -> None:
    """Point an alias at a version (needs MANAGE); ``models:/NAME@ALIAS`` then loads it."""
    info = service(ctx, "models").set_alias(full_name, alias, version)
    done(ctx, json, f"{full_name}@{alias} -> version {version}.", info)


@app.command("delete-alias")
def delete_alias(
    ctx: typer.Context, full_name: ModelArg, alias: str, json: JsonOpt = False
) -> None:
    """Remove an alias (needs MANAGE)."""
    service(ctx, "models").delete_alias(full_name, alias)
    done(ctx, json, f"Removed alias {alias} of {full_name}.")
