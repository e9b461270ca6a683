"""``lakeai features``: checks over feature specs.

``check-parity SPEC`` samples keys from the spec's lookup tables, computes the features online
(as a feature serving endpoint would) and offline (as a training set would, at "now"), and
prints the mismatches per feature; it exits 1 when any value differs. It runs in-process
(``--workspace``); a server target needs a build that offers feature specs remotely.
"""

from __future__ import annotations

import json as jsonlib
from typing import Annotated, Any

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, print_json, print_rows, wants_json
from lakeai.errors import InvalidParameterValue, NotImplementedFeature

app = typer.Typer(help="Feature specs: online/offline parity.", no_args_is_help=True)


def _request(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise InvalidParameterValue(f"--field takes NAME=VALUE, got {pair!r}.")
        try:
            out[name] = jsonlib.loads(raw)
        except ValueError:
            out[name] = raw
    return out


@app.command("check-parity")
def check_parity(
    ctx: typer.Context,
    spec: str,
    sample: Annotated[int, typer.Option(help="How many keys to sample.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the key sample.")] = 0,
    field: Annotated[
        list[str] | None,
        typer.Option(help="A request-time field NAME=VALUE (JSON or text) for every row."),
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Compare a spec's online values with its offline (training-set) values; exit 1 on drift."""
    specs = service(ctx, "feature_specs")
    if not hasattr(specs, "check_parity"):
        raise NotImplementedFeature("This target cannot check parity; use --workspace.")
    report = specs.check_parity(spec, sample=sample, seed=seed, request=_request(field or []))
    if wants_json(ctx, json):
        print_json(report)
    else:
        rows = [
            {"feature": name, "mismatches": v["mismatches"], "example": v["examples"][:1] or ""}
            for name, v in report["features"].items()
        ]
        print_rows(rows, ["feature", "mismatches", "example"], f"{spec}: {report['sampled']} keys")
        verdict = "[green]in parity[/green]" if report["ok"] else "[red]mismatches found[/red]"
        console().print(verdict)
    if not report["ok"]:
        raise typer.Exit(1)
