"""``lakeai online-tables``: low-latency key lookups over a Delta table, kept in sync.

``create`` and ``sync`` return once the table is ACTIVE (its first copy or the refresh is
applied); on a terminal they show the state and the synced row count meanwhile.
"""

from __future__ import annotations

import json as jsonlib
import time
from typing import Annotated, Any

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, done, emit, print_json, print_rows, wants_json
from lakeai.cli.schemas import split_schema
from lakeai.errors import DeadlineExceeded, InvalidParameterValue, LakeAIError

app = typer.Typer(help="Online tables: key lookups synced from Delta.", no_args_is_help=True)
MODES = ("triggered", "continuous", "snapshot")
POLL_SECONDS = 0.1
COLUMNS = ("name", "state", "mode", "rows", "synced_version", "source")


def wait_active(
    online_tables: Any, name: str, *, timeout: float = 600.0, on_status: Any = None
) -> dict[str, Any]:
    """Poll ``get`` until ``unity_catalog_provisioning_state`` is ACTIVE (or FAILED: raise)."""
    deadline = time.monotonic() + timeout
    while True:
        table = online_tables.get(name)
        if on_status is not None:
            on_status(table)
        state = table.get("unity_catalog_provisioning_state")
        if state == "ACTIVE":
            return table
        if state == "FAILED":
            message = (table.get("status") or {}).get("message", "the sync failed")
            raise LakeAIError(f"Online table {name} FAILED: {message} (drop and create it again).")
        if time.monotonic() > deadline:
            raise DeadlineExceeded(f"Online table {name} is still {state} after {timeout}s.")
        time.sleep(POLL_SECONDS)


def _summary(table: dict[str, Any]) -> dict[str, Any]:
    status, spec = table.get("status") or {}, table.get("spec") or {}
    return {
        "name": table.get("name"),
        "state": table.get("unity_catalog_provisioning_state"),
        "mode": status.get("mode"),
        "rows": status.get("indexed_row_count"),
        "synced_version": status.get("last_synced_version"),
        "source": spec.get("source_table_full_name"),
    }


def _until_active(ctx: typer.Context, as_json: bool, name: str) -> dict[str, Any]:
    tables = service(ctx, "online_tables")
    err = console(stderr=True)
    if wants_json(ctx, as_json) or not err.is_terminal:
        return wait_active(tables, name)
    with err.status(f"Syncing {name}") as status:

        def show(table: dict[str, Any]) -> None:
            s = _summary(table)
            status.update(f"{name}: {s['state']}, {s['rows'] or 0} rows")

        return wait_active(tables, name, on_status=show)


def _split(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA.TABLE")],
    source: Annotated[str, typer.Option(help="Source Delta table (catalog.schema.table).")],
    primary_key: Annotated[str, typer.Option(help="Primary key column(s), a,b.")],
    mode: Annotated[str, typer.Option(help="triggered, continuous or snapshot.")] = "triggered",
    timeseries_key: Annotated[str | None, typer.Option(help="Event-time column.")] = None,
    columns: Annotated[str | None, typer.Option(help="Only these columns, a,b,c.")] = None,
    json: JsonOpt = False,
) -> None:
    """Create an online table and wait for its first sync."""
    if mode.lower() not in MODES:
        raise InvalidParameterValue(f"--mode {mode!r}: use one of {', '.join(MODES)}.")
    service(ctx, "online_tables").create(
        name,
        source_table_full_name=source,
        primary_key_columns=_split(primary_key) or [],
        run_triggered=mode.lower() != "continuous",  # a snapshot copy is triggered too
        run_continuously=mode.lower() == "continuous",
        timeseries_key=timeseries_key,
        perform_full_copy=mode.lower() == "snapshot",
        columns=_split(columns),
    )
    table = _until_active(ctx, json, name)
    rows = _summary(table)["rows"] or 0
    done(ctx, json, f"Created online table {name} ({rows} rows, ACTIVE).", table)


@app.command("get")
def get(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """An online table with its state, synced version and row count."""
    table = service(ctx, "online_tables").get(name)
    if wants_json(ctx, json):
        print_json(table)
        return
    flat = {k: v for k, v in table.items() if k not in ("status", "spec")}
    emit(ctx, {**flat, **(table.get("spec") or {}), **(table.get("status") or {})}, False)


@app.command("list")
def list_(
    ctx: typer.Context,
    schema: Annotated[str, typer.Argument(metavar="CATALOG.SCHEMA")],
    json: JsonOpt = False,
) -> None:
    """Online tables of a schema that you may read."""
    catalog, schema_name = split_schema(schema)
    found = service(ctx, "online_tables").list(catalog, schema_name)
    if wants_json(ctx, json):
        print_json(found)
    else:
        print_rows([_summary(t) for t in found], COLUMNS)


@app.command("delete")
def delete(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """Drop an online table (its source table is untouched)."""
    service(ctx, "online_tables").delete(name)
    done(ctx, json, f"Deleted online table {name}.")


@app.command("sync")
def sync(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """Apply the source table's new versions now (a triggered update), then wait for ACTIVE."""
    result = service(ctx, "online_tables").sync(name)
    table = _until_active(ctx, json, name)
    if wants_json(ctx, json):
        print_json({**result, "online_table": table})
        return
    done(
        ctx,
        json,
        f"Synced {name} to version {result.get('to_version')}: "
        f"{result.get('upserted_rows', 0)} upserted, {result.get('deleted_rows', 0)} deleted.",
    )


app.command("run-triggered", help="Same as sync.")(sync)


@app.command("lookup")
def lookup(
    ctx: typer.Context,
    name: str,
    key: Annotated[list[str], typer.Option(help="A key as JSON, e.g. '{\"id\": 1}' (repeatable).")],
    json: JsonOpt = False,
) -> None:
    """The rows of the given keys (NULL where a key is absent)."""
    keys = [_json_key(k) for k in key]
    rows = service(ctx, "online_tables").lookup(name, keys)
    if wants_json(ctx, json):
        print_json(rows)
        return
    shown = [r or {"key": k, "found": False} for r, k in zip(rows, keys, strict=True)]
    names = list(dict.fromkeys(c for r in shown for c in r))
    print_rows(shown, names)


def _json_key(text: str) -> Any:
    try:
        return jsonlib.loads(text)
    except ValueError:
        raise InvalidParameterValue(
            f'--key must be JSON such as {{"id": 1}}, got {text!r}.'
        ) from None
