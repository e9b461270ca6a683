"""The gateway's versioned price table and the cost of a call.

Prices ship as ``lakeai/gateway/prices.yaml`` (USD per million tokens, each entry effective
from a date, 00:00 UTC) and a workspace may override or extend them with
``<workspace>/prices.yaml`` of the same shape. Costs are ``Decimal`` so sums over millions of
rows do not drift, and a model without a price costs ``None`` ("unknown"), never 0: a report
that silently counts an unpriced model as free would understate the bill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lakeai.errors import InvalidParameterValue

WORKSPACE_PRICES = "prices.yaml"
MILLION = Decimal(1_000_000)
ENTRY_FIELDS = (
    "provider",
    "model",
    "input_per_million",
    "output_per_million",
    "currency",
    "effective_from",
)


@dataclass(frozen=True)
class Price:
    provider: str
    model: str
    input_per_million: Decimal
    output_per_million: Decimal
    currency: str
    effective_from: date


def _decimal(value: Any, field: str, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or number < 0:
        raise InvalidParameterValue(f"{where}: {field} must be a number >= 0, got {value!r}.")
    return number


def _entry(raw: Any, where: str) -> Price:
    if not isinstance(raw, dict):
        raise InvalidParameterValue(f"{where}: each price must be a mapping.")
    missing = [f for f in ENTRY_FIELDS if f not in raw]
    if missing:
        raise InvalidParameterValue(f"{where}: a price entry lacks {', '.join(missing)}.")
    if raw["currency"] != "USD":
        raise InvalidParameterValue(f"{where}: currency must be USD, got {raw['currency']!r}.")
    when = raw["effective_from"]
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(when, date) or isinstance(when, datetime):
        raise InvalidParameterValue(f"{where}: effective_from must be a date like 2025-01-31.")
    return Price(
        provider=str(raw["provider"]),
        model=str(raw["model"]),
        input_per_million=_decimal(raw["input_per_million"], "input_per_million", where),
        output_per_million=_decimal(raw["output_per_million"], "output_per_million", where),
        currency="USD",
        effective_from=when,
    )


def _parse(text: str, where: str) -> tuple[str, list[Price]]:
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict) or not isinstance(data.get("prices", []), list):
        raise InvalidParameterValue(f"{where} must hold 'version' and a list 'prices'.")
    return str(data.get("version", "")), [_entry(e, where) for e in data.get("prices") or []]


class PriceTable:
    """Prices by (provider, model), each a list of entries ordered by ``effective_from``."""

    def __init__(self, prices: list[Price], version: str = "") -> None:
        self.version = version
        by_date: dict[tuple[str, str, date], Price] = {}
        for price in prices:  # later entries (the workspace's) replace earlier ones
            by_date[(price.provider, price.model, price.effective_from)] = price
        self._prices: dict[tuple[str, str], list[Price]] = {}
        for key in sorted(by_date, key=lambda k: k[2]):
            self._prices.setdefault(key[:2], []).append(by_date[key])

    @classmethod
    def load(
        cls, workspace: str | Path | None = None, *, file: str | Path | None = None
    ) -> PriceTable:
        """The shipped table, overridden by ``<workspace>/prices.yaml`` (or ``file``) if there."""
        shipped = resources.files("lakeai.gateway").joinpath("prices.yaml").read_text()
        version, prices = _parse(shipped, "lakeai/gateway/prices.yaml")
        path = Path(file) if file else Path(workspace or ".") / WORKSPACE_PRICES
        if file or workspace is not None:
            if file and not path.is_file():
                raise InvalidParameterValue(f"No price file at {path}.")
            if path.is_file():
                own_version, own = _parse(path.read_text(), str(path))
                version = f"{version}+workspace.{own_version or 0}"
                prices = prices + own
        return cls(prices, version)

    def price(self, provider: str, model: str, at: datetime | None = None) -> Price | None:
        """The entry effective at ``at`` (default now), or None before the first or if unlisted."""
        day = _day(at)
        found = None
        for price in self._prices.get((provider, model), []):
            if price.effective_from <= day:
                found = price
        return found

    def cost(
        self,
        provider: str,
        model: str,
        input_tokens: int,
        output_tokens: int,
        at: datetime | None = None,
    ) -> Decimal | None:
        price = self.price(provider, model, at)
        if price is None:
            return None
        total = input_tokens * price.input_per_million + output_tokens * price.output_per_million
        return total / MILLION


def _day(at: datetime | date | None) -> date:
    if at is None:
        return datetime.now(UTC).date()
    if isinstance(at, datetime):
        return (at.astimezone(UTC) if at.tzinfo else at).date()
    return at


def cost(
    provider: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    at: datetime | None = None,
    *,
    table: PriceTable | None = None,
) -> Decimal | None:
    """USD cost of one call at time ``at``; None when its price is unknown (never 0)."""
    return (table or PriceTable.load()).cost(provider, model, input_tokens, output_tokens, at)
