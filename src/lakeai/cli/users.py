"""``lakeai users``: people who sign in with a token (SCIM Users)."""

from __future__ import annotations

from typing import Annotated

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit, present

app = typer.Typer(help="Create, list, inspect and delete users.", no_args_is_help=True)
COLUMNS = ("id", "userName", "user_name", "name", "displayName", "display_name", "active")


@app.command("create")
def create(
    ctx: typer.Context,
    user_name: Annotated[str, typer.Argument(help="Usually an email address.")],
    display_name: Annotated[str | None, typer.Option()] = None,
    json: JsonOpt = False,
) -> None:
    """Create a user (admins only)."""
    user = service(ctx, "users").create(user_name, display_name=display_name)
    done(ctx, json, f"Created user {user_name}.", user)


@app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """All users."""
    users = service(ctx, "users").list()
    emit(ctx, users, json, present(users, COLUMNS))


@app.command("get")
def get(ctx: typer.Context, id_or_name: str, json: JsonOpt = False) -> None:
    """One user, by id or user name."""
    emit(ctx, service(ctx, "users").get(id_or_name), json)


@app.command("delete")
def delete(ctx: typer.Context, id_or_name: str, json: JsonOpt = False) -> None:
    """Delete a user and their tokens (admins only)."""
    service(ctx, "users").delete(id_or_name)
    done(ctx, json, f"Deleted user {id_or_name}.")
