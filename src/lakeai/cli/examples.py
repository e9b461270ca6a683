"""``lakeai examples load support-bot``: build an example workspace (``make run`` does it first).

The target options may also come after the command (``lakeai examples load support-bot
--workspace ./ws``), as the Makefile writes it. Each step prints a line when it is done, with its
time; a re-run keeps what exists, so it is quick.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from lakeai.cli.context import target, workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, print_json, wants_json

app = typer.Typer(help="Example workspaces: build the support-bot demo.", no_args_is_help=True)

WorkspaceOpt = Annotated[
    str | None, typer.Option("--workspace", help="Workspace folder to build it in (in-process).")
]
HostOpt = Annotated[str | None, typer.Option("--host", help="URL of a LakeAI server instead.")]
TokenOpt = Annotated[str | None, typer.Option("--token", help="Access token for --host.")]


def retarget(ctx: typer.Context, ws: str | None, host: str | None, token: str | None) -> None:
    """Let target options given after the command win over the root ones."""
    chosen = target(ctx)
    if ws:
        chosen.workspace, chosen.host = ws, None
    if host:
        chosen.host = host
    if token:
        chosen.token = token


@app.command("load")
def load(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The example: support-bot.")],
    ws_path: WorkspaceOpt = None,
    host: HostOpt = None,
    token: TokenOpt = None,
    json: JsonOpt = False,
) -> None:
    """Build (or bring up to date) an example in the workspace or server."""
    from rich.markup import escape

    from lakeai.examples import loader

    run = loader(name)
    retarget(ctx, ws_path, host, token)
    as_json = wants_json(ctx, json)
    out = console(stderr=as_json, soft_wrap=True)
    started = time.perf_counter()
    with out.status(f"Loading {name}...") as status:
        last = [time.perf_counter()]

        def progress(step: str, detail: str | None) -> None:
            if detail is None:
                status.update(f"Loading {name}: {step}...")
                last[0] = time.perf_counter()
                return
            seconds = time.perf_counter() - last[0]
            line = f"{step:<14} {escape(detail)} [dim]({seconds:.1f} s)[/dim]"
            out.print(f"[green]✓[/green] {line}")

        opened = workspace(ctx)
        result = run(opened, progress=progress)
    _announce_token(out, opened)
    if as_json:
        print_json(result.as_dict())
        return
    total = time.perf_counter() - started
    out.print(f"[bold]{name} is ready[/bold] in {total:.1f} s. Ask it:")
    out.print('  lakeai demo ask "Please, I want to return my last order" --customer C123')


def _announce_token(out: Any, ws: Any) -> None:
    """A new workspace's admin token, shown once (as ``lakeai serve`` does on a first start)."""
    boot = getattr(ws, "bootstrap", None)
    token = getattr(boot, "new_admin_token", None)
    if token:
        out.print("[bold]Admin token[/bold] (shown once):")
        out.print(token, markup=False, highlight=False)
        out.print(f"Saved to {boot.token_file} (mode 0600).")
