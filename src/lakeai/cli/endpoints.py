"""``lakeai endpoints``: serving endpoints (list, get, create, delete) and querying them.

``create`` takes a Databricks config file (``--file``) or the few flags that make a one-entity
external-model endpoint. ``query`` sends a chat message (or, for an embeddings endpoint, the
text to embed) and prints the answer; ``--stream`` prints the chat answer as it arrives.
"""

from __future__ import annotations

import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer

from lakeai.cli.context import service
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, done, emit, print_json, wants_json
from lakeai.errors import InvalidParameterValue

app = typer.Typer(help="Serving endpoints: create, inspect and query.", no_args_is_help=True)

LIST_COLUMNS = ("name", "task", "entities", "creator")


def _endpoints(ctx: typer.Context) -> Any:
    return service(ctx, "serving_endpoints")


@app.command("list")
def list_(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Endpoints you may query."""
    found = _endpoints(ctx).list()
    if wants_json(ctx, json):
        print_json(found)
        return
    rows = [
        {
            **e,
            "entities": ", ".join(
                s.get("name", "") for s in (e.get("config") or {}).get("served_entities", [])
            ),
        }
        for e in found
    ]
    emit(ctx, rows, False, LIST_COLUMNS)


@app.command("get")
def get(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """One endpoint's full description."""
    emit(ctx, _endpoints(ctx).get(name), json)


def _config_from_flags(
    provider: str | None, model: str | None, task: str, secret: str | None, api_base: str | None
) -> dict[str, Any]:
    if not provider or not model:
        raise InvalidParameterValue(
            "Give --file config.json, or --provider and --model (with --secret scope/key)."
        )
    from lakeai.gateway.providers.base import provider_class

    key = provider_class(provider).config_key
    section: dict[str, Any] = {}
    if secret:
        field = (
            "api_key" if key == "openai_compatible_config" else key.replace("_config", "_api_key")
        )
        section[field] = secret if secret.startswith("{{") else f"{{{{secrets/{secret}}}}}"
    if api_base:
        field = (
            "api_base" if key == "openai_compatible_config" else key.replace("_config", "_api_base")
        )
        section[field] = api_base
    external = {"provider": provider, "name": model, "task": task, key: section}
    return {"served_entities": [{"external_model": external}]}


@app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    file: Annotated[
        Path | None, typer.Option(help="JSON config {served_entities, ...} (Databricks' shape).")
    ] = None,
    provider: Annotated[str | None, typer.Option(help="openai, anthropic, lakeai, ...")] = None,
    model: Annotated[str | None, typer.Option(help="The provider's model name.")] = None,
    task: Annotated[
        str, typer.Option(help="llm/v1/chat, llm/v1/completions or llm/v1/embeddings.")
    ] = "llm/v1/chat",
    secret: Annotated[str | None, typer.Option(help="The key's secret: scope/key.")] = None,
    api_base: Annotated[str | None, typer.Option(help="The provider's base URL.")] = None,
    json: JsonOpt = False,
) -> None:
    """Create an endpoint from a config file or from flags."""
    if file is not None:
        try:
            config = jsonlib.loads(file.read_text())
        except (OSError, ValueError) as exc:
            raise InvalidParameterValue(f"Cannot read {file}: {exc}") from None
        config = config.get("config", config) if isinstance(config, dict) else config
    else:
        config = _config_from_flags(provider, model, task, secret, api_base)
    created = _endpoints(ctx).create(name, config=config)
    done(ctx, json, f"Created endpoint {name} ({created.get('task')}).", created)


@app.command("compare")
def compare(
    ctx: typer.Context,
    name: str,
    prices: Annotated[
        Path | None, typer.Option(help="A prices.yaml overriding the shipped price table.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Served entities side by side: requests, errors, latency, cost, ratings, p-values.

    Joins the endpoint's feedback table to its inference table; rating_p is Welch's t-test of
    the mean rating against the first entity, error_rate_p a two-proportion z-test.
    """
    from lakeai.cli.context import target, workspace
    from lakeai.cli.output import print_rows
    from lakeai.gateway.pricing import PriceTable
    from lakeai.serving.compare import COLUMNS, compare_endpoint, display_rows

    ws = workspace(ctx)
    root = None if target(ctx).remote else ws.platform.root
    result = compare_endpoint(
        ws.serving_endpoints.get(name), ws.sql, PriceTable.load(root, file=prices)
    )
    if wants_json(ctx, json):
        print_json(result)
        return
    print_rows(display_rows(result), COLUMNS, title=f"{name}: {result['payload_table']}")


@app.command("delete")
def delete(ctx: typer.Context, name: str, json: JsonOpt = False) -> None:
    """Delete an endpoint."""
    _endpoints(ctx).delete(name)
    done(ctx, json, f"Deleted endpoint {name}.")


def _body(task: str, text: str) -> dict[str, Any]:
    if task.endswith("embeddings"):
        return {"input": text}
    if task.endswith("completions"):
        return {"prompt": text}
    return {"messages": [{"role": "user", "content": text}]}


@app.command("query")
def query(
    ctx: typer.Context,
    name: str,
    text: str,
    stream: Annotated[bool, typer.Option(help="Print a chat answer as it arrives.")] = False,
    json: JsonOpt = False,
) -> None:
    """Ask a chat endpoint (prints the answer) or embed text (prints the dimensions)."""
    endpoints = _endpoints(ctx)
    task = endpoints.task_of(name)
    body = _body(task, text)
    if stream and task.endswith("chat"):
        _stream(ctx, endpoints, name, body, json)
        return
    answer = endpoints.query(name, body)
    if wants_json(ctx, json):
        print_json(answer)
    elif task.endswith("embeddings"):
        dims = [len(d["embedding"]) for d in answer.get("data", [])]
        typer.echo(f"{len(dims)} vector(s) of {dims[0] if dims else 0} dimensions")
    else:
        choice = (answer.get("choices") or [{}])[0]
        typer.echo(choice.get("text") or (choice.get("message") or {}).get("content") or "")


def _stream(
    ctx: typer.Context, endpoints: Any, name: str, body: dict[str, Any], json: bool
) -> None:
    for chunk in _chunks(endpoints, name, body):
        if wants_json(ctx, json):
            typer.echo(jsonlib.dumps(chunk))
            continue
        for choice in chunk.get("choices") or []:
            console().print((choice.get("delta") or {}).get("content") or "", end="", markup=False)
    if not wants_json(ctx, json):
        typer.echo("")


def _chunks(endpoints: Any, name: str, body: dict[str, Any]) -> Any:
    """Chunks from the remote SDK's stream, or from the in-process async stream."""
    if hasattr(endpoints, "query_stream"):
        yield from endpoints.query_stream(name, body)
        return
    from lakeai.serving.loop import run_sync

    _served, stream = run_sync(endpoints.aquery_stream(name, {**body, "stream": True}))
    iterator = stream.__aiter__()
    while True:
        try:
            yield run_sync(iterator.__anext__())
        except StopAsyncIteration:
            return
