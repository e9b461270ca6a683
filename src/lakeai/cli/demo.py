"""``lakeai demo ask "QUESTION" --customer C123``: ask the support bot, show how it answered.

The question goes to the ``support-bot`` endpoint (versions 1 and 2 at 50/50), like any client's
request, so it lands in the inference table. The answer, the action, the policy chunks it read,
the features it used and the version that served it are printed (``--json``: the same as JSON).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lakeai.cli.context import workspace
from lakeai.cli.examples import HostOpt, TokenOpt, WorkspaceOpt, retarget
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, print_json, print_rows, wants_json
from lakeai.errors import ResourceDoesNotExist

app = typer.Typer(help="Talk to the example support bot.", no_args_is_help=True)

BOT_ENDPOINT = "support-bot"


def _query(ws: Any, body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The endpoint's answer and the served entity that gave it (known in-process only;
    remotely the answer's own ``version`` says it)."""
    services = getattr(ws, "services", None)
    if services is None:
        return ws.serving_endpoints.query(BOT_ENDPOINT, body), None
    from lakeai.serving.loop import run_sync

    result = run_sync(services.serving_endpoints.aquery(ws.principal, BOT_ENDPOINT, body))
    return result.response, result.served_entity


def ask_bot(ws: Any, question: str, customer: str) -> dict[str, Any]:
    """One answer from the endpoint, with the served entity that gave it (``served_by``)."""
    body = {"dataframe_records": [{"question": question, "customer_id": customer}]}
    try:
        response, served = _query(ws, body)
    except ResourceDoesNotExist as exc:
        raise ResourceDoesNotExist(
            f"{exc.message} Build the example first: lakeai examples load support-bot."
        ) from None
    answer = response["predictions"][0]
    served = served or f"bot-v{answer.get('version')}"
    return {"question": question, **answer, "served_by": served, "via": BOT_ENDPOINT}


@app.command("ask")
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="What the customer writes.")],
    customer: Annotated[str, typer.Option("--customer", help="Customer id, e.g. C123.")] = "C123",
    ws_path: WorkspaceOpt = None,
    host: HostOpt = None,
    token: TokenOpt = None,
    json: JsonOpt = False,
) -> None:
    """Ask the support bot a question as a customer."""
    retarget(ctx, ws_path, host, token)
    answer = ask_bot(workspace(ctx), question, customer)
    if wants_json(ctx, json):
        print_json(answer)
        return
    _show(answer)


def _show(answer: dict[str, Any]) -> None:
    from rich.markup import escape

    out = console()
    order = f" (order {answer['order_id']})" if answer.get("order_id") else ""
    out.print(f"[bold]Answer:[/bold] {escape(str(answer['reply']))}")
    out.print(f"[bold]Action:[/bold] {answer['action']}{order}")
    out.print(
        f"[bold]Served by:[/bold] {escape(str(answer['served_by']))}, main.support.bot version "
        f"{answer.get('version')}, via {escape(str(answer['via']))}"
    )
    chunks = [
        {**c, "text": " ".join(str(c.get("text")).split())[:90], "score": round(c["score"], 4)}
        for c in answer.get("chunks") or []
    ]
    print_rows(chunks, ["source_path", "section", "score", "text"], "Retrieved chunks")
    features = answer.get("features")
    if features:
        rows = [{"feature": k, "value": v} for k, v in features.items()]
        print_rows(rows, ["feature", "value"], "Features used")
    else:
        out.print("[dim]Features used: none (version 1 does not read features)[/dim]")
