"""Price table: shipped prices, effective dates, workspace overrides, unknown is None."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.gateway.pricing import PriceTable, cost

AT = datetime(2026, 11, 2, 12, tzinfo=UTC)


def test_shipped_prices() -> None:
    table = PriceTable.load()
    assert table.version == "1"
    assert table.cost("openai", "gpt-4o-mini", 1_000_000, 2_000_000, AT) == Decimal("1.35")
    assert cost("openai", "gpt-4o", 1000, 500, at=AT) == Decimal("0.0075")
    assert cost("lakeai", "minilm-embed", 10**9, 0, at=AT) == 0
    assert cost("lakeai", "extractive-chat", 5, 5, at=AT) == 0


def test_unknown_price_is_none_not_zero() -> None:
    assert cost("openai", "no-such-model", 10, 10, at=AT) is None
    assert cost("acme", "gpt-4o", 10, 10, at=AT) is None
    # before its first entry a model has no price either
    assert cost("openai", "gpt-4.1", 10, 10, at=datetime(2025, 4, 13, 23, tzinfo=UTC)) is None


def test_workspace_override_and_effective_dates(tmp_path) -> None:
    (tmp_path / "prices.yaml").write_text(
        "version: 7\n"
        "prices:\n"
        "  - {provider: openai, model: gpt-4o, input_per_million: '1', output_per_million: '2',"
        " currency: USD, effective_from: 2026-11-01}\n"
        "  - {provider: vllm, model: llama, input_per_million: 0.5, output_per_million: 0.5,"
        " currency: USD, effective_from: 2026-01-01}\n"
    )
    table = PriceTable.load(tmp_path)
    assert table.version == "1+workspace.7"
    before = datetime(2026, 10, 31, 23, 59, tzinfo=UTC)
    assert table.cost("openai", "gpt-4o", 10**6, 0, before) == Decimal("2.5")
    assert table.cost("openai", "gpt-4o", 10**6, 10**6, AT) == Decimal("3")
    assert table.cost("vllm", "llama", 2 * 10**6, 0, AT) == Decimal("1")
    assert table.price("vllm", "llama", date(2026, 1, 1)) is not None


@pytest.mark.parametrize(
    "entry, message",
    [
        ("{provider: a, model: b}", "lacks input_per_million"),
        (
            "{provider: a, model: b, input_per_million: -1, output_per_million: 0,"
            " currency: USD, effective_from: 2026-01-01}",
            "input_per_million must be a number >= 0",
        ),
        (
            "{provider: a, model: b, input_per_million: 1, output_per_million: 0,"
            " currency: EUR, effective_from: 2026-01-01}",
            "currency must be USD",
        ),
        (
            "{provider: a, model: b, input_per_million: 1, output_per_million: 0,"
            " currency: USD, effective_from: soon}",
            "effective_from must be a date",
        ),
    ],
)
def test_bad_workspace_prices_are_named(tmp_path, entry: str, message: str) -> None:
    (tmp_path / "prices.yaml").write_text(f"version: 1\nprices:\n  - {entry}\n")
    with pytest.raises(InvalidParameterValue, match=message):
        PriceTable.load(tmp_path)
