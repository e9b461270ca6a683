"""``lakeai groups``: sets of principals that grants can name (SCIM Groups)."""

from __future__ import annotations

from typing import Annotated

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit, present

app = typer.Typer(help="Create, list, inspect and delete groups.", no_args_is_help=True)
COLUMNS = ("id", "displayName", "display_name", "name", "members")


@app.command("create")
def create(
    ctx: typer.Context,
    display_name: str,
    member: Annotated[
        list[str] | None, typer.Option("--member", "-m", help="Member id, repeatable.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Create a group (admins only)."""
    members = [int(m) if m.isdigit() else m for m in member or []]
    group = service(ctx, "groups").create(display_name, members=members or None)
    done(ctx, json, f"Created group {display_name}.", group)


@app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """All groups."""
    found = service(ctx, "groups").list()
    emit(ctx, found, json, present(found, COLUMNS))


@app.command("get")
def get(ctx: typer.Context, id_or_name: str, json: JsonOpt = False) -> None:
    """One group, by id or name."""
    emit(ctx, service(ctx, "groups").get(id_or_name), json)


@app.command("delete")
def delete(ctx: typer.Context, id_or_name: str, json: JsonOpt = False) -> None:
    """Delete a group (its members stay)."""
    service(ctx, "groups").delete(id_or_name)
    done(ctx, json, f"Deleted group {id_or_name}.")
