"""``lakeai``: the root command, target selection and the one place errors are printed.

Client commands act on ``--workspace PATH`` in-process, or on a server with ``--host URL``
and ``--token``. ``lakeai serve`` has its own ``--host``/``--port`` (the address to listen
on), given after ``serve``; the root ``--host`` is only ever the URL of a server to talk to.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer
from typer.core import TyperGroup

from lakeai.cli.context import DEFAULT_WORKSPACE, Target
from lakeai.cli.output import error

# (module under lakeai.cli, command name); each module exposes ``app``.
GROUPS = (
    ("catalogs", "catalogs"),
    ("schemas", "schemas"),
    ("tables", "tables"),
    ("volumes", "volumes"),
    ("grants", "grants"),
    ("users", "users"),
    ("service_principals", "service-principals"),
    ("groups", "groups"),
    ("tokens", "tokens"),
    ("secrets", "secrets"),
    ("usage", "usage"),
    ("endpoints", "endpoints"),
    ("vectorsearch", "vector-search"),
    ("features", "features"),
    ("examples", "examples"),
    ("demo", "demo"),
    ("functions", "functions"),
    ("online_tables", "online-tables"),
    ("feature_specs", "feature-specs"),
    ("models", "models"),
)


class LakeAIGroup(TyperGroup):
    """Turns every LakeAI error into one red line and exit code 1."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        from lakeai.errors import LakeAIError

        try:
            return super().invoke(ctx)
        except LakeAIError as exc:
            error(exc.error_code, exc.message)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=LakeAIGroup,
    name="lakeai",
    epilog=(
        "Target: --host URL / LAKEAI_HOST (with --token / LAKEAI_TOKEN) talks to a server; "
        "otherwise --workspace PATH / LAKEAI_WORKSPACE (default ./lakeai-workspace) runs "
        "in-process. 'lakeai serve --host H --port N' takes the address to listen on."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        str | None,
        typer.Option(
            envvar="LAKEAI_WORKSPACE",
            help=f"Workspace folder to open in-process (default {DEFAULT_WORKSPACE}).",
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(
            envvar="LAKEAI_HOST",
            help="URL of a LakeAI server to act on (client commands; serve has its own --host).",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="LAKEAI_TOKEN", help="Access token for --host (or in-process)."),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON for every command.")] = False,
) -> None:
    """LakeAI: catalogs, Delta tables, SQL, identity and secrets from the command line."""
    # An explicit --workspace on the command line beats LAKEAI_HOST from the environment.
    explicit_ws = _source(ctx, "workspace") == "COMMANDLINE"
    if explicit_ws and host and _source(ctx, "token") == "ENVIRONMENT":
        token = None  # that token belongs to the LAKEAI_HOST server being overridden
    target = Target(
        workspace=workspace,
        host=None if explicit_ws else host,
        token=token,
        json=json,
    )
    ctx.obj = target
    ctx.call_on_close(target.close)


def _source(ctx: typer.Context, name: str) -> str:
    """Where an option's value came from: COMMANDLINE, ENVIRONMENT, DEFAULT, ..."""
    return getattr(ctx.get_parameter_source(name), "name", "")


def _register() -> None:
    for module_name, command in GROUPS:
        module = importlib.import_module(f"lakeai.cli.{module_name}")
        app.add_typer(module.app, name=command)
    from lakeai.cli import apply, serve, sql

    app.command("sql")(sql.sql)
    app.command("apply")(apply.apply)
    app.command("serve")(serve.serve)
    app.command("ingest")(importlib.import_module("lakeai.cli.ingest").ingest)


_register()


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
