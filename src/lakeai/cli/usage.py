"""``lakeai usage``: requests, tokens and cost per endpoint and user over a time range.

Reads ``system.serving.endpoint_usage`` through the target's SQL, so the caller's grants
apply and it works the same in-process and against a server. Rows are summed per day and
model in SQL, then priced here with the price table effective on that day; a model without a
price shows "unknown" and makes the total read "+ unknown" rather than silently counting 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from lakeai.cli.context import target, workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, print_json, print_rows, wants_json
from lakeai.errors import InvalidParameterValue
from lakeai.gateway.pricing import PriceTable
from lakeai.gateway.usage import USAGE_TABLE

app = typer.Typer(
    help="Gateway usage: requests, tokens and cost by endpoint and user.",
    invoke_without_command=True,
    no_args_is_help=False,
)

GROUP_COLUMNS = {"endpoint": "endpoint_name", "user": "requester"}
CENT_FRACTION = Decimal("0.000001")


def _instant(text: str | None, option: str, *, end: bool) -> datetime | None:
    """An ISO date or date-time as UTC; a bare ``--until`` date includes that whole day."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidParameterValue(
            f"{option} must be an ISO date or time such as 2026-11-01 or 2026-11-01T12:00, "
            f"got {text!r}."
        ) from None
    if end and len(text) == 10:
        when += timedelta(days=1)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _grouping(by: str) -> list[str]:
    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys or any(k not in GROUP_COLUMNS for k in keys) or len(set(keys)) != len(keys):
        raise InvalidParameterValue(f"--by must be endpoint, user or endpoint,user; got {by!r}.")
    return keys


def _query(since: datetime | None, until: datetime | None) -> str:
    where = []
    if since is not None:
        where.append(f"event_time >= TIMESTAMP '{since.isoformat(sep=' ')}'")
    if until is not None:
        where.append(f"event_time < TIMESTAMP '{until.isoformat(sep=' ')}'")
    keys = "endpoint_name, requester, provider, model, event_date"
    return (
        f"SELECT {keys}, count(*) AS requests, sum(input_tokens) AS input_tokens, "
        f"sum(output_tokens) AS output_tokens FROM {USAGE_TABLE}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" GROUP BY {keys}"
    )


@dataclass
class Line:
    """One output row: sums, and a cost that stays None once any part of it is unpriced."""

    group: dict[str, str]
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal = Decimal(0)
    unknown: set[str] = field(default_factory=set)

    def add(self, row: dict[str, Any], prices: PriceTable) -> None:
        self.requests += int(row["requests"])
        self.input_tokens += int(row["input_tokens"] or 0)
        self.output_tokens += int(row["output_tokens"] or 0)
        day = datetime.combine(row["event_date"], datetime.min.time(), UTC)
        provider, model = row["provider"] or "", row["model"] or ""
        price = prices.cost(
            provider, model, int(row["input_tokens"] or 0), int(row["output_tokens"] or 0), day
        )
        if price is None:
            self.unknown.add(f"{provider}/{model}")
        else:
            self.cost += price

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": str(self.cost.quantize(CENT_FRACTION)),
            "cost_complete": not self.unknown,
            "unpriced_models": sorted(self.unknown),
        }


def summarize(rows: Iterable[dict[str, Any]], keys: list[str], prices: PriceTable) -> Any:
    lines: dict[tuple[str, ...], Line] = {}
    total = Line(group={})
    for row in rows:
        group = {k: row[GROUP_COLUMNS[k]] for k in keys}
        line = lines.setdefault(tuple(group.values()), Line(group=group))
        line.add(row, prices)
        total.add(row, prices)
    return [lines[k] for k in sorted(lines)], total


def _prices(ctx: typer.Context, file: Path | None) -> PriceTable:
    ws = workspace(ctx)
    root = None if target(ctx).remote else ws.platform.root
    return PriceTable.load(root, file=file)


def _cost_text(line: Line, total: bool = False) -> str:
    if not line.unknown:
        return f"{line.cost.quantize(CENT_FRACTION)}"
    if total:
        return f"{line.cost.quantize(CENT_FRACTION)} + unknown"
    return "unknown" if not line.cost else f"{line.cost.quantize(CENT_FRACTION)} + unknown"


@app.callback()
def usage(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="From this ISO date/time (UTC).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Up to this ISO date (inclusive) or time (exclusive).")
    ] = None,
    by: Annotated[str, typer.Option(help="Group by endpoint, user or endpoint,user.")] = (
        "endpoint,user"
    ),
    prices: Annotated[
        Path | None, typer.Option(help="A prices.yaml overriding the shipped price table.")
    ] = None,
    json: JsonOpt = False,
) -> None:
    """Requests, input/output tokens and cost (USD) from system.serving.endpoint_usage."""
    keys = _grouping(by)
    start = _instant(since, "--since", end=False)
    end = _instant(until, "--until", end=True)
    rows = workspace(ctx).sql(_query(start, end)).to_pylist()
    lines, total = summarize(rows, keys, _prices(ctx, prices))
    if wants_json(ctx, json):
        print_json({"by": keys, "rows": [x.as_dict() for x in lines], "total": total.as_dict()})
        return
    columns = [*keys, "requests", "input_tokens", "output_tokens", "cost_usd"]
    shown = [{**x.as_dict(), "cost_usd": _cost_text(x)} for x in lines]
    print_rows(shown, columns, title="Gateway usage")
    console().print(
        f"Total: {total.requests} request(s), {total.input_tokens} input and "
        f"{total.output_tokens} output tokens, cost USD {_cost_text(total, total=True)}"
    )
