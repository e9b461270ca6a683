"""``lakeai vector-search``: endpoints, delta-sync indexes, and querying them.

``indexes create`` and ``indexes sync`` block until the sync is done; on a terminal they show
a progress bar of ``indexed_row_count`` against the source table's row count meanwhile, by
polling ``get_index`` while the request runs in a thread (the call itself never reports it).
"""

from __future__ import annotations

import json as jsonlib
import threading
from collections.abc import Callable
from typing import Annotated, Any

import typer

from lakeai.cli.context import service, workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, done, emit, print_json, print_rows, wants_json
from lakeai.errors import InvalidParameterValue, LakeAIError

app = typer.Typer(help="Vector search: endpoints, indexes and queries.", no_args_is_help=True)
endpoints_app = typer.Typer(help="Vector search endpoints (groups of indexes).")
indexes_app = typer.Typer(help="Delta-sync indexes: create, inspect, sync, delete.")
app.add_typer(endpoints_app, name="endpoints", no_args_is_help=True)
app.add_typer(indexes_app, name="indexes", no_args_is_help=True)

POLL_SECONDS = 0.25  # how often the progress bar asks for the index status
INDEX_COLUMNS = ("name", "endpoint_name", "index_type", "primary_key", "creator")


def _vs(ctx: typer.Context) -> Any:
    return service(ctx, "vector_search")


# -- endpoints -----------------------------------------------------------------------------
@endpoints_app.command("create")
def endpoint_create(
    ctx: typer.Context,
    name: str,
    endpoint_type: Annotated[str, typer.Option("--type", help="STANDARD")] = "STANDARD",
    json: JsonOpt = False,
) -> None:
    """Create an endpoint (metadata only: it is ONLINE at once)."""
    created = service(ctx, "vector_search_endpoints").create(name, endpoint_type=endpoint_type)
    done(ctx, json, f"Created vector search endpoint {name}.", created)


@endpoints_app.command("list")
def endpoint_list(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Every endpoint, with its number of indexes."""
    found = service(ctx, "vector_search_endpoints").list()
    emit(ctx, found, json, ("name", "endpoint_type", "num_indexes", "creator"))


@endpoints_app.command("get")
def endpoint_get(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """One endpoint."""
    emit(ctx, service(ctx, "vector_search_endpoints").get(name), json)


@endpoints_app.command("delete")
def endpoint_delete(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """Delete an endpoint that has no indexes left."""
    service(ctx, "vector_search_endpoints").delete(name)
    done(ctx, json, f"Deleted vector search endpoint {name}.")


# -- indexes -------------------------------------------------------------------------------
def _sync_spec(
    source: str,
    pipeline: str,
    embedding_column: str | None,
    embedding_endpoint: str,
    vector_column: str | None,
    dimension: int | None,
    columns: str | None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"source_table": source, "pipeline_type": pipeline.upper()}
    if bool(embedding_column) == bool(vector_column):
        raise InvalidParameterValue(
            "Give --embedding-column (LakeAI embeds that text) or --vector-column with "
            "--dimension (the table holds vectors), not both."
        )
    if embedding_column:
        spec["embedding_source_columns"] = [
            {"name": embedding_column, "embedding_model_endpoint_name": embedding_endpoint}
        ]
    else:
        if not dimension:
            raise InvalidParameterValue("--vector-column needs --dimension N.")
        spec["embedding_vector_columns"] = [
            {"name": vector_column, "embedding_dimension": dimension}
        ]
    if columns:
        spec["columns_to_sync"] = [c.strip() for c in columns.split(",") if c.strip()]
    return spec


@indexes_app.command("create")
def index_create(
    ctx: typer.Context,
    name: str,
    endpoint: Annotated[str, typer.Option(help="Vector search endpoint.")],
    source: Annotated[str, typer.Option(help="Source Delta table (catalog.schema.table).")],
    primary_key: Annotated[str, typer.Option(help="Primary key column.")],
    embedding_column: Annotated[str | None, typer.Option(help="Text column to embed.")] = None,
    embedding_endpoint: Annotated[str, typer.Option(help="Embedding endpoint.")] = "lakeai-embed",
    vector_column: Annotated[str | None, typer.Option(help="Column holding vectors.")] = None,
    dimension: Annotated[int | None, typer.Option(help="Length of those vectors.")] = None,
    columns: Annotated[str | None, typer.Option(help="Columns to sync, a,b,c.")] = None,
    pipeline: Annotated[str, typer.Option(help="TRIGGERED or CONTINUOUS.")] = "TRIGGERED",
    json: JsonOpt = False,
) -> None:
    """Create a delta-sync index and run its first sync."""
    spec = _sync_spec(
        source, pipeline, embedding_column, embedding_endpoint, vector_column, dimension, columns
    )
    vs = _vs(ctx)

    def create() -> Any:
        return vs.create_index(
            name,
            endpoint_name=endpoint,
            primary_key=primary_key,
            index_type="DELTA_SYNC",
            delta_sync_index_spec=spec,
        )

    created = _with_progress(ctx, json, name, source, create)
    status = (created.get("status") or {}) if isinstance(created, dict) else {}
    rows = status.get("indexed_row_count", 0)
    done(ctx, json, f"Created index {name} ({rows} rows indexed).", created)


@indexes_app.command("list")
def index_list(
    ctx: typer.Context,
    endpoint: Annotated[str | None, typer.Option(help="Only this endpoint's.")] = None,
    json: JsonOpt = False,
) -> None:
    """Indexes you may query."""
    emit(ctx, _vs(ctx).list_indexes(endpoint), json, INDEX_COLUMNS)


@indexes_app.command("get")
def index_get(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """One index with its status (state, indexed rows, versions)."""
    index = _vs(ctx).get_index(name)
    if wants_json(ctx, json):
        print_json(index)
        return
    flat = {k: v for k, v in index.items() if k != "status"}
    emit(ctx, {**flat, **(index.get("status") or {})}, False)


@indexes_app.command("delete")
def index_delete(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """Delete an index (the source table is untouched)."""
    _vs(ctx).delete_index(name)
    done(ctx, json, f"Deleted index {name}.")


@indexes_app.command("sync")
def index_sync(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """Apply the source table's new versions to the index now."""
    vs = _vs(ctx)
    source = (vs.get_index(name).get("delta_sync_index_spec") or {}).get("source_table")
    result = _with_progress(ctx, json, name, source, lambda: vs.sync_index(name))
    message = (
        f"Synced {name} to version {result.get('to_version')}: "
        f"{result.get('upserted_rows', 0)} upserted, {result.get('deleted_rows', 0)} deleted."
    )
    done(ctx, json, message, result)


# -- query ---------------------------------------------------------------------------------
@app.command("query")
def query(
    ctx: typer.Context,
    name: str,
    text: Annotated[str | None, typer.Argument(help="Query text.")] = None,
    columns: Annotated[str | None, typer.Option(help="Columns to return, a,b,c.")] = None,
    filters: Annotated[str | None, typer.Option(help='JSON, e.g. {"price <": 100}.')] = None,
    k: Annotated[int, typer.Option("-k", "--num-results", help="How many rows.")] = 10,
    hybrid: Annotated[bool, typer.Option(help="Mix keyword and vector ranking.")] = False,
    vector: Annotated[str | None, typer.Option(help="Query vector as a JSON list.")] = None,
    json: JsonOpt = False,
) -> None:
    """The rows nearest to TEXT (or --vector), best first, with their score."""
    if text is None and vector is None:
        raise InvalidParameterValue("Give the query text, or --vector '[0.1, ...]'.")
    answer = _vs(ctx).query_index(
        name,
        columns=[c.strip() for c in columns.split(",")] if columns else None,
        query_text=text,
        query_vector=_vector(vector),
        num_results=k,
        filters_json=filters,
        query_type="HYBRID" if hybrid else None,
    )
    if wants_json(ctx, json):
        print_json(answer)
        return
    names = [c["name"] for c in answer["manifest"]["columns"]]
    rows = [dict(zip(names, r, strict=False)) for r in answer["result"]["data_array"]]
    print_rows(rows, names)
    console().print(f"[dim]{len(rows)} row(s)[/dim]")


def _vector(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        value = jsonlib.loads(text)
    except ValueError:
        raise InvalidParameterValue("--vector must be a JSON list of numbers.") from None
    if not isinstance(value, list):
        raise InvalidParameterValue("--vector must be a JSON list of numbers.")
    return [float(x) for x in value]


# -- progress ------------------------------------------------------------------------------
def _with_progress(
    ctx: typer.Context, as_json: bool, name: str, source: str | None, call: Callable[[], Any]
) -> Any:
    """``call()``; on a terminal, a bar of indexed rows while it (and a first sync) runs."""
    err = console(stderr=True)
    if wants_json(ctx, as_json) or not err.is_terminal:
        return call()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    total = _row_count(ctx, source)
    box: dict[str, Any] = {}
    thread = threading.Thread(target=_capture, args=(call, box), daemon=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"Syncing {name}", total=total)
        thread.start()
        while True:
            thread.join(POLL_SECONDS)
            state = _status(ctx, name)
            bar.update(task, completed=state.get("indexed_row_count", 0))
            provisioning = state.get("detailed_state") == "PROVISIONING_INITIAL_SNAPSHOT"
            if not thread.is_alive() and not provisioning:
                break
    if "error" in box:
        raise box["error"]
    return box.get("result")


def _capture(call: Callable[[], Any], box: dict[str, Any]) -> None:
    try:
        box["result"] = call()
    except BaseException as exc:  # re-raised in the caller's thread
        box["error"] = exc


def _status(ctx: typer.Context, name: str) -> dict[str, Any]:
    try:
        return _vs(ctx).get_index(name).get("status") or {}
    except LakeAIError:  # not created yet
        return {}


def _row_count(ctx: typer.Context, source: str | None) -> int | None:
    if not source:
        return None
    try:
        table = workspace(ctx).sql(f"SELECT count(*) AS n FROM {source}")
        return int(table.column(0)[0].as_py())
    except LakeAIError:
        return None  # an unknown total still shows a spinner
