"""Printing results: rich tables for people, plain JSON (``--json``) for scripts.

Results may be pydantic models, dicts, lists of either, or Arrow tables; everything is turned
into plain data first so both renderings agree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import typer

from lakeai.cli.context import target


def plain(value: Any) -> Any:
    """JSON-ready data of a model, an Arrow table, a dict or a list of them."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_none=True)
    if hasattr(value, "to_pylist") and hasattr(value, "schema"):
        return value.to_pylist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def wants_json(ctx: typer.Context, flag: bool) -> bool:
    return flag or target(ctx).json


def print_json(value: Any) -> None:
    typer.echo(json.dumps(plain(value), indent=2, default=str))


def console(stderr: bool = False, *, soft_wrap: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=soft_wrap)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def print_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str = "") -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title or None, show_lines=False)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(escape(_cell(row.get(c))) for c in columns))
    console().print(table)


def emit(
    ctx: typer.Context,
    value: Any,
    as_json: bool,
    columns: Sequence[str] | None = None,
    title: str = "",
) -> None:
    """A list as a table of ``columns`` (all keys when None), a record as key/value lines."""
    if wants_json(ctx, as_json):
        print_json(value)
        return
    data = plain(value)
    if isinstance(data, list):
        cols = list(columns or (data[0].keys() if data else []))
        print_rows(data, cols, title)
    elif isinstance(data, dict):
        pairs = [{"field": k, "value": v} for k, v in data.items() if v not in (None, [], {})]
        print_rows(pairs, ["field", "value"], title)
    elif data is not None:
        typer.echo(str(data))


def print_arrow(ctx: typer.Context, table: Any, as_json: bool) -> None:
    if wants_json(ctx, as_json):
        print_json(table.to_pylist())
        return
    print_rows(table.to_pylist(), table.column_names)
    console().print(f"[dim]{table.num_rows} row(s)[/dim]")


def done(ctx: typer.Context, as_json: bool, message: str, value: Any = None) -> None:
    """Confirm a change: a green line for people, the result (or ``{}``) as JSON for scripts."""
    if wants_json(ctx, as_json):
        print_json(value if value is not None else {})
    else:
        from rich.markup import escape

        console().print(f"[green]{escape(message)}[/green]")


def error(code: str, message: str) -> None:
    """One red line on stderr, with the error code; never a traceback."""
    from rich.markup import escape

    text = " ".join(str(message).split())
    console(stderr=True).print(f"[red]Error {escape(code)}: {escape(text)}[/red]", soft_wrap=True)


def present(rows: Any, candidates: Sequence[str]) -> list[str] | None:
    """Those of ``candidates`` some row has (SCIM says ``userName``, models ``user_name``)."""
    data = plain(rows)
    data = data if isinstance(data, list) else [data]
    keys = {k for row in data if isinstance(row, dict) for k in row}
    return [c for c in candidates if c in keys] or None
