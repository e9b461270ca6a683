"""``lakeai serve``: the HTTP server over one workspace.

Its ``--host``/``--port`` are the address to listen on (the root ``--host`` is a server URL
for client commands). On a new workspace the admin token is printed once, with where it was
saved.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from lakeai.cli.context import DEFAULT_WORKSPACE, target
from lakeai.cli.output import console


def _announce(result: object, workspace: Path, was_new: bool) -> None:
    out = console(soft_wrap=True)
    token = getattr(result, "new_admin_token", None)
    if token:
        out.print("[bold]Admin token[/bold] (shown once):", highlight=False)
        typer.echo(token)
        out.print(f"Saved to {getattr(result, 'token_file', None)} (mode 0600).")
    elif was_new and os.environ.get("LAKEAI_ADMIN_TOKEN"):
        out.print("Admin token: the one given in LAKEAI_ADMIN_TOKEN.")
    else:
        out.print(f"Workspace {workspace}; the admin token is in {workspace / '.admin_token'}.")


def serve(
    ctx: typer.Context,
    workspace: Annotated[
        str | None,
        typer.Option(
            help="Workspace folder (default: root --workspace, LAKEAI_WORKSPACE, "
            f"or {DEFAULT_WORKSPACE})."
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Start the LakeAI server (REST API, Databricks-compatible) on HOST:PORT.

    Here --host is the address to listen on; the root 'lakeai --host URL' (LAKEAI_HOST) is the
    URL of a server for client commands and is not used by serve.
    """
    import uvicorn

    from lakeai.server.app import create_app

    path = Path(workspace or target(ctx).workspace or DEFAULT_WORKSPACE).expanduser().resolve()
    was_new = not path.exists() or not any(path.iterdir())
    app = create_app(path)
    _announce(app.state.bootstrap, path, was_new)
    console().print(f"LakeAI listening on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, log_level=log_level)
