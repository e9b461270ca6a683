"""``lakeai tokens``: personal access tokens, and tokens on behalf of a service principal.

A token's value is shown once, when it is created; the server keeps only its hash.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit, plain, present, print_json, wants_json
from lakeai.errors import NotImplementedFeature

app = typer.Typer(help="Create, list and delete access tokens.", no_args_is_help=True)
COLUMNS = ("token_id", "comment", "creation_time", "expiry_time", "created_by_username")


def token_value(created: Any) -> str:
    data = plain(created)
    if isinstance(data, dict):
        for key in ("token_value", "value", "token"):
            if isinstance(data.get(key), str):
                return data[key]
    raise NotImplementedFeature("The token service answered without a token value.")


def _on_behalf_of(tokens: Any, application_id: str, **kwargs: Any) -> Any:
    for name in ("create_on_behalf_of", "create_obo_token"):
        method = getattr(tokens, name, None)
        if method is not None:
            return method(application_id, **kwargs)
    raise NotImplementedFeature("This workspace cannot create tokens for service principals yet.")


@app.command("create")
def create(
    ctx: typer.Context,
    comment: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
    lifetime_seconds: Annotated[
        int | None, typer.Option(help="Expire after this long (default: never).")
    ] = None,
    for_service_principal: Annotated[
        str | None,
        typer.Option(
            "--for-service-principal",
            metavar="APP_ID",
            help="Create it on behalf of this service principal (admins only).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the token value.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Create a token and print its value once."""
    tokens = service(ctx, "tokens")
    kwargs = {"comment": comment, "lifetime_seconds": lifetime_seconds}
    if for_service_principal:
        created = _on_behalf_of(tokens, for_service_principal, **kwargs)
    else:
        created = tokens.create(**kwargs)
    value = token_value(created)
    if quiet:
        typer.echo(value)
    elif wants_json(ctx, json):
        print_json(created)
    else:
        done(ctx, False, "Created a token; it is shown only now, so store it safely:")
        typer.echo(value)


@app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Your tokens (ids and comments; never the values)."""
    found = service(ctx, "tokens").list()
    emit(ctx, found, json, present(found, COLUMNS))


@app.command("delete")
def delete(ctx: typer.Context, token_id: str, json: JsonOpt = False) -> None:
    """Revoke a token."""
    service(ctx, "tokens").delete(token_id)
    done(ctx, json, f"Deleted token {token_id}.")
