"""``lakeai feature-specs``: feature specs (lookups plus functions), served as features.

``create FILE`` reads ``{name, features, exclude_columns?, comment?}`` from YAML or JSON (the
``features`` items as in Python, or the wire form). ``evaluate NAME --row '{"id": 1}'`` answers
what a feature serving endpoint of the spec would.
"""

from __future__ import annotations

import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import done, emit, print_json, print_rows, wants_json
from lakeai.cli.schemas import split_schema
from lakeai.errors import InvalidParameterValue

app = typer.Typer(help="Feature specs: lookups and functions to serve.", no_args_is_help=True)
COLUMNS = ("name", "owner", "creator", "creation_timestamp_ms")


def read_spec_file(path: Path) -> dict[str, Any]:
    """A spec document from YAML (JSON is YAML too)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise InvalidParameterValue(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except yaml.YAMLError as exc:
        raise InvalidParameterValue(f"{path} is not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict) or not data.get("features"):
        raise InvalidParameterValue(
            f"{path} must be a mapping with name, features and optionally exclude_columns, comment."
        )
    return data


@app.command("create")
def create(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="YAML or JSON: name, features, ...")],
    name: Annotated[str | None, typer.Option(help="Spec name (overrides the file's).")] = None,
    json: JsonOpt = False,
) -> None:
    """Create a spec from a file (checked whole: tables, keys, functions, names)."""
    data = read_spec_file(file)
    spec_name = name or data.get("name")
    if not spec_name:
        raise InvalidParameterValue(f"Give the spec's name in {file} or with --name.")
    info = service(ctx, "feature_specs").create(
        str(spec_name),
        features=data["features"],
        exclude_columns=data.get("exclude_columns"),
        comment=data.get("comment"),
    )
    done(ctx, json, f"Created feature spec {spec_name}.", info)


@app.command("get")
def get(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """A spec: owner, creation time and its lookups and functions."""
    spec = service(ctx, "feature_specs").get(name)
    if wants_json(ctx, json):
        print_json(spec)
        return
    body = spec.get("spec") or {}
    emit(ctx, {**{k: v for k, v in spec.items() if k != "spec"}, **body}, False)


@app.command("list")
def list_(
    ctx: typer.Context,
    schema: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA")],
    json: JsonOpt = False,
) -> None:
    """Specs of a schema that you can see."""
    catalog, schema_name = split_schema(schema)
    found = service(ctx, "feature_specs").list(catalog, schema_name)
    emit(ctx, found, json, COLUMNS)


@app.command("delete")
def delete(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """Drop a spec (endpoints serving it stop answering)."""
    service(ctx, "feature_specs").delete(name)
    done(ctx, json, f"Deleted feature spec {name}.")


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    name: str,
    row: Annotated[
        list[str], typer.Option(help="A request row as JSON, e.g. '{\"id\": 1}' (repeatable).")
    ],
    json: JsonOpt = False,
) -> None:
    """The spec's features for each request row, as its serving endpoint would answer."""
    rows = [_row(r) for r in row]
    outputs = service(ctx, "feature_specs").evaluate(name, rows)
    if wants_json(ctx, json):
        print_json(outputs)
    else:
        print_rows(outputs, list(dict.fromkeys(c for o in outputs for c in o)))


def _row(text: str) -> dict[str, Any]:
    try:
        value = jsonlib.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidParameterValue(f'--row must be a JSON object such as {{"id": 1}}: {text!r}.')
    return value
