"""``lakeai apply FILE``: reconcile serving endpoints with a YAML file (Databricks or MLflow format).

Prints the plan (create / update / unchanged / delete) and then carries it out, unless
``--dry-run``. Works in-process and against a server alike: the changes go through the
target's ``serving_endpoints`` service, so grants and the audit log apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, print_json, wants_json

COLOURS = {"create": "green", "update": "yellow", "delete": "red", "unchanged": "dim"}


def apply(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="YAML with serving_endpoints: or endpoints:.")],
    prune: Annotated[
        bool,
        typer.Option(help="Delete endpoints the file does not name (never lakeai-chat/-embed)."),
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Print the plan only; change nothing.")] = False,
    json: JsonOpt = False,
) -> None:
    """Create, update (and with --prune delete) serving endpoints to match FILE."""
    from lakeai.serving.apply import apply as reconcile
    from lakeai.serving.apply import load_file

    specs = load_file(file)
    changes = reconcile(service(ctx, "serving_endpoints"), specs, prune=prune, dry_run=dry_run)
    changes += _apply_vector_search(ctx, file, dry_run)
    if wants_json(ctx, json):
        print_json({"dry_run": dry_run, "changes": [c.as_dict() for c in changes]})
        return
    rows = [
        {
            "action": f"[{COLOURS[c.action]}]{c.action}[/{COLOURS[c.action]}]",
            "endpoint": c.name,
            "parts": ", ".join(c.parts),
        }
        for c in changes
    ]
    _print_plan(rows)
    pending = sum(c.action != "unchanged" for c in changes)
    verb = "would change" if dry_run else "changed"
    console().print(f"{pending} endpoint(s) {verb}, {len(changes) - pending} unchanged.")


def _apply_vector_search(ctx: typer.Context, file: Path, dry_run: bool) -> list:
    """The file's vector_search_endpoints / vector_indexes, created when missing."""
    import yaml

    from lakeai.vectorsearch.apply import execute_vector, parse_vector_document, plan_vector

    data = yaml.safe_load(file.read_text()) or {}
    endpoints, indexes = parse_vector_document(data, str(file))
    if not endpoints and not indexes:
        return []
    vs, vs_endpoints = service(ctx, "vector_search"), service(ctx, "vector_search_endpoints")
    changes = plan_vector(vs, vs_endpoints, endpoints, indexes)
    if not dry_run:
        execute_vector(vs, vs_endpoints, endpoints, indexes, changes)
    return changes


def _print_plan(rows: list[dict[str, str]]) -> None:
    from rich.table import Table

    table = Table(title="Plan")
    for column in ("action", "endpoint", "parts"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["action"], row["endpoint"], row["parts"])
    console().print(table)
