"""``lakeai apply FILE``: reconcile a workspace with a YAML file.

Sections: ``functions``, ``online_tables``, ``feature_specs`` (applied first, in that order,
since a spec uses functions and online tables and an endpoint may serve a spec), serving
endpoints (Databricks ``serving_endpoints`` or MLflow ``endpoints``), then
``vector_search_endpoints`` and ``vector_indexes``. Prints the plan (create / update /
unchanged / delete) and then carries it out, unless ``--dry-run``. Works in-process and against
a server alike: the changes go through the target's services, so grants and the audit log apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, print_json, wants_json
from lakeai.errors import InvalidParameterValue

COLOURS = {"create": "green", "update": "yellow", "delete": "red", "unchanged": "dim"}
SERVING_KEYS = ("serving_endpoints", "endpoints", "vector_search_endpoints", "vector_indexes")
FEATURE_KEYS = ("functions", "online_tables", "feature_specs")


def apply(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="YAML with serving_endpoints:/endpoints:, functions:, ... sections."),
    ],
    prune: Annotated[
        bool,
        typer.Option(help="Delete endpoints the file does not name (never lakeai-chat/-embed)."),
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Print the plan only; change nothing.")] = False,
    json: JsonOpt = False,
) -> None:
    """Create, update (and with --prune delete) what FILE declares."""
    from lakeai.serving.apply import apply as reconcile
    from lakeai.serving.apply import parse_document

    data = _load(file)
    changes = _apply_functions(ctx, data, file, dry_run)
    changes += _apply_features(ctx, data, file, dry_run)
    if any(k in data for k in SERVING_KEYS):
        specs = parse_document(data, str(file))
        changes += reconcile(service(ctx, "serving_endpoints"), specs, prune=prune, dry_run=dry_run)
    changes += _apply_vector_search(ctx, data, file, dry_run)
    if wants_json(ctx, json):
        print_json({"dry_run": dry_run, "changes": [c.as_dict() for c in changes]})
        return
    rows = [
        {
            "action": f"[{COLOURS[c.action]}]{c.action}[/{COLOURS[c.action]}]",
            "name": c.name,
            "parts": ", ".join(c.parts),
        }
        for c in changes
    ]
    _print_plan(rows)
    pending = sum(c.action != "unchanged" for c in changes)
    verb = "would change" if dry_run else "changed"
    noun = "item(s)" if any(k in data for k in FEATURE_KEYS) else "endpoint(s)"
    console().print(f"{pending} {noun} {verb}, {len(changes) - pending} unchanged.")


def _load(file: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(file.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidParameterValue(f"Cannot read {file}: {exc}") from None
    if not isinstance(data, dict) or not any(k in data for k in SERVING_KEYS + FEATURE_KEYS):
        raise InvalidParameterValue(
            f"{file} must be a mapping with any of: {', '.join(SERVING_KEYS + FEATURE_KEYS)}."
        )
    return data


def _apply_functions(ctx: typer.Context, data: dict[str, Any], file: Path, dry_run: bool) -> list:
    """The file's ``functions``: created, replaced where they differ, else unchanged."""
    from lakeai.functions.apply import execute_functions, parse_functions_document, plan_functions

    items = parse_functions_document(data, str(file))
    if not items:
        return []
    functions = service(ctx, "functions")
    changes = plan_functions(functions, items)
    if not dry_run:
        execute_functions(functions, items, changes)
    return changes


def _apply_features(ctx: typer.Context, data: dict[str, Any], file: Path, dry_run: bool) -> list:
    """The file's ``online_tables`` and ``feature_specs``: created, replaced where they differ."""
    from lakeai.features.apply import execute_features, parse_features_document, plan_features

    online, specs = parse_features_document(data, str(file))
    if not online and not specs:
        return []
    tables, spec_service = service(ctx, "online_tables"), service(ctx, "feature_specs")
    changes = plan_features(tables, spec_service, online, specs)
    if not dry_run:
        execute_features(tables, spec_service, online, specs, changes)
    return changes


def _apply_vector_search(
    ctx: typer.Context, data: dict[str, Any], file: Path, dry_run: bool
) -> list:
    """The file's vector_search_endpoints / vector_indexes, created when missing."""
    from lakeai.vectorsearch.apply import execute_vector, parse_vector_document, plan_vector

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
    for column in ("action", "name", "parts"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["action"], row["name"], row["parts"])
    console().print(table)
