"""``lakeai secrets``: secret scopes, secrets and who may read them.

A value is given with ``--value``, piped on stdin, or typed at a hidden prompt, so it need not
land in shell history; it is never printed back.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit, present

app = typer.Typer(help="Secret scopes, secrets and their ACLs.", no_args_is_help=True)


@app.command("create-scope")
def create_scope(ctx: typer.Context, scope: str, json: JsonOpt = False) -> None:
    """Create a secret scope."""
    service(ctx, "secrets").create_scope(scope)
    done(ctx, json, f"Created secret scope {scope}.")


@app.command("list-scopes")
def list_scopes(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Secret scopes you can see."""
    scopes = service(ctx, "secrets").list_scopes()
    emit(ctx, scopes, json, present(scopes, ("name", "backend_type")))


@app.command("delete-scope")
def delete_scope(ctx: typer.Context, scope: str, json: JsonOpt = False) -> None:
    """Delete a scope and every secret in it."""
    service(ctx, "secrets").delete_scope(scope)
    done(ctx, json, f"Deleted secret scope {scope}.")


def _read_value() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.read().removesuffix("\n")
    return typer.prompt("Secret value", hide_input=True)


@app.command("put")
def put(
    ctx: typer.Context,
    scope: str,
    key: str,
    value: Annotated[
        str | None, typer.Option(help="The value (else read from stdin or a hidden prompt).")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Store a secret (replaces an existing value)."""
    secret = value if value is not None else _read_value()
    service(ctx, "secrets").put(scope, key, string_value=secret)
    done(ctx, json, f"Stored secret {scope}/{key}.")


@app.command("list")
def list_(ctx: typer.Context, scope: str, json: JsonOpt = False) -> None:
    """Keys in a scope (values are never listed)."""
    found = service(ctx, "secrets").list(scope)
    emit(ctx, found, json, present(found, ("key", "last_updated_timestamp")))


@app.command("delete")
def delete(ctx: typer.Context, scope: str, key: str, json: JsonOpt = False) -> None:
    """Delete one secret."""
    service(ctx, "secrets").delete(scope, key)
    done(ctx, json, f"Deleted secret {scope}/{key}.")


@app.command("put-acl")
def put_acl(
    ctx: typer.Context,
    scope: str,
    principal: str,
    permission: Annotated[str, typer.Argument(help="READ, WRITE or MANAGE.")],
    json: JsonOpt = False,
) -> None:
    """Give a principal READ, WRITE or MANAGE on a scope."""
    service(ctx, "secrets").put_acl(scope, principal, permission.upper())
    done(ctx, json, f"Gave {principal} {permission.upper()} on scope {scope}.")


@app.command("list-acls")
def list_acls(ctx: typer.Context, scope: str, json: JsonOpt = False) -> None:
    """Who holds what on a scope."""
    found = service(ctx, "secrets").list_acls(scope)
    emit(ctx, found, json, present(found, ("principal", "permission")))


@app.command("delete-acl")
def delete_acl(ctx: typer.Context, scope: str, principal: str, json: JsonOpt = False) -> None:
    """Remove a principal's ACL on a scope."""
    service(ctx, "secrets").delete_acl(scope, principal)
    done(ctx, json, f"Removed {principal}'s ACL on scope {scope}.")
