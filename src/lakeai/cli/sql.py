"""``lakeai sql``: run one statement, or an interactive shell when none is given.

The shell reads statements ending with ``;`` (over several lines if need be); ``exit``,
``quit`` or end of input leave it, and an error is printed without leaving.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer

from lakeai.cli.context import workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import error, print_arrow

PROMPT = "lakeai> "
CONTINUE = "   ...> "


def sql(
    ctx: typer.Context,
    statement: Annotated[
        str | None, typer.Argument(help="SQL to run; leave out for an interactive shell.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Run SQL (Databricks dialect) and print the result."""
    ws = workspace(ctx)
    if statement is not None:
        print_arrow(ctx, ws.sql(statement), json)
        return
    shell(lambda s: print_arrow(ctx, ws.sql(s), json))


def _reader() -> Callable[[str], str | None]:
    """``input()`` on a terminal (line editing), plain reads otherwise (pipes, tests)."""
    if sys.stdin.isatty():

        def read_tty(prompt: str) -> str | None:
            try:
                return input(prompt)
            except EOFError:
                return None

        return read_tty

    def read_pipe(prompt: str) -> str | None:
        typer.echo(prompt, nl=False)
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None

    return read_pipe


def shell(run: Callable[[str], None]) -> None:
    """Read-eval-print until exit: statements end with ``;``; errors do not end the shell."""
    from lakeai.errors import LakeAIError

    read = _reader()
    buffer: list[str] = []
    while True:
        try:
            line = read(CONTINUE if buffer else PROMPT)
        except KeyboardInterrupt:  # Ctrl-C drops the statement being typed, not the shell
            buffer.clear()
            typer.echo()
            continue
        if line is None:
            typer.echo()
            return
        if not buffer and line.strip().rstrip(";").lower() in ("exit", "quit"):
            return
        buffer.append(line)
        text = "\n".join(buffer).strip()
        if not text:
            buffer.clear()
            continue
        if not text.endswith(";"):
            continue
        buffer.clear()
        statement = text.rstrip(";").strip()
        if not statement:
            continue
        try:
            run(statement)
        except LakeAIError as exc:
            error(exc.error_code, exc.message)
