"""``lakeai service-principals``: identities for jobs, apps and bots (SCIM ServicePrincipals)."""

from __future__ import annotations

from typing import Annotated

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit, plain, present

app = typer.Typer(help="Create, list, inspect and delete service principals.", no_args_is_help=True)
COLUMNS = ("id", "applicationId", "application_id", "name", "displayName", "display_name")


@app.command("create")
def create(
    ctx: typer.Context,
    display_name: str,
    application_id: Annotated[
        str | None, typer.Option(help="Its application id (generated when left out).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Create a service principal (admins only)."""
    sp = service(ctx, "service_principals").create(application_id, display_name=display_name)
    app_id = plain(sp).get("applicationId") or plain(sp).get("application_id")
    done(ctx, json, f"Created service principal {display_name} (application id {app_id}).", sp)


@app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """All service principals."""
    found = service(ctx, "service_principals").list()
    emit(ctx, found, json, present(found, COLUMNS))


@app.command("get")
def get(ctx: typer.Context, id_or_name: str, json: JsonOpt = False) -> None:
    """One service principal, by id, application id or name."""
    emit(ctx, service(ctx, "service_principals").get(id_or_name), json)


@app.command("delete")
def delete(ctx: typer.Context, id_or_name: str, json: JsonOpt = False) -> None:
    """Delete a service principal and its tokens (admins only)."""
    service(ctx, "service_principals").delete(id_or_name)
    done(ctx, json, f"Deleted service principal {id_or_name}.")
