"""``lakeai grants``: read and change who holds which privilege on a securable."""

from __future__ import annotations

from typing import Annotated

import typer

from lakeai.cli.context import workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit

app = typer.Typer(
    help="Privileges on catalogs, schemas, tables, volumes and the metastore.",
    no_args_is_help=True,
)
TypeArg = Annotated[str, typer.Argument(metavar="TYPE", help="catalog, schema, table, volume...")]


def _rows(assignments: list[dict]) -> list[dict]:
    return [
        {"principal": a["principal"], "privileges": ", ".join(a["privileges"])} for a in assignments
    ]


@app.command("get")
def get(
    ctx: typer.Context,
    securable_type: TypeArg,
    full_name: str,
    principal: Annotated[str | None, typer.Option(help="Only this principal's grants.")] = None,
    json: JsonOpt = False,
) -> None:
    """Grants on one securable."""
    found = workspace(ctx).grants.get(securable_type, full_name, only=principal)
    emit(ctx, found if json else _rows(found), json, ("principal", "privileges"))


def _change(
    ctx: typer.Context,
    securable_type: str,
    full_name: str,
    principal: str,
    privileges: list[str],
    verb: str,
    json: bool,
) -> None:
    privs = [p.upper().replace(" ", "_") for p in privileges]
    change = {"principal": principal, verb: privs}
    result = workspace(ctx).grants.update(securable_type, full_name, [change])
    what = "Granted" if verb == "add" else "Revoked"
    where = "to" if verb == "add" else "from"
    message = f"{what} {', '.join(privs)} on {securable_type} {full_name} {where} {principal}."
    done(ctx, json, message, result)


@app.command("grant")
def grant(
    ctx: typer.Context,
    securable_type: TypeArg,
    full_name: str,
    principal: str,
    privileges: Annotated[list[str], typer.Argument(help="e.g. SELECT USE_SCHEMA MODIFY")],
    json: JsonOpt = False,
) -> None:
    """Grant privileges to a principal (needs MANAGE on the securable)."""
    _change(ctx, securable_type, full_name, principal, privileges, "add", json)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    securable_type: TypeArg,
    full_name: str,
    principal: str,
    privileges: Annotated[list[str], typer.Argument()],
    json: JsonOpt = False,
) -> None:
    """Revoke privileges from a principal (needs MANAGE on the securable)."""
    _change(ctx, securable_type, full_name, principal, privileges, "remove", json)
