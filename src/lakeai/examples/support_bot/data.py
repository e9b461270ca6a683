"""The shop's customers and orders: seeded, realistic, and the same on every machine.

A few thousand customers and orders spread over the last 180 days, with names, cities,
statuses that follow an order's age (a week-old order is delivered, an hour-old one is still
placed), items and amounts from a small catalogue. Customer ``C123`` is always there, and her
last order is placed ``C123_LAST_ORDER_MINUTES`` before the load, so the support bot can offer
to cancel it (the policy allows it within 30 minutes).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

SEED = 20240611
CUSTOMERS = 2000
ORDERS = 6000
DEMO_CUSTOMER = "C123"
C123_LAST_ORDER_MINUTES = 12
C123_LAST_ORDER_ID = "O-100123"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Ada Maria Liam Noah Olivia Emma Ava Sofia Mateo Lucas Mia Aisha Yuki Chen Priya Omar Lena "
    "Jonas Elif Tomas Ines Hugo Clara Felix Nora Ravi Sara Diego Hana Leo Zoe Ivan Amara Kai"
)
LAST = _words(
    "Santos Novak Garcia Smith Muller Rossi Dubois Kowalski Tanaka Kim Patel Ali Jensen Silva "
    "Costa Nguyen Ivanova Berg Moreau Fischer Okafor Lopez Andersen Sato Haddad Weber Horvat"
)
CITIES = _words(
    "Lisbon Berlin Paris Madrid Rome Vienna Prague Warsaw Dublin Oslo Helsinki Amsterdam "
    "Brussels Copenhagen Zurich Milan Porto Lyon Munich Krakow"
)
CATALOGUE = (
    ("Wool scarf", 29.0),
    ("Running shoes", 89.0),
    ("Rain jacket", 119.0),
    ("Cotton t-shirt", 19.5),
    ("Leather wallet", 45.0),
    ("Desk lamp", 39.9),
    ("Espresso cups (set of 4)", 24.0),
    ("Bluetooth headphones", 79.0),
    ("Yoga mat", 32.0),
    ("Backpack", 64.0),
    ("Gift card", 50.0),
    ("Water bottle", 15.0),
)

CUSTOMER_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("name", pa.string()),
        ("email", pa.string()),
        ("city", pa.string()),
        ("signup_date", pa.date32()),
        ("loyalty_tier", pa.string()),
    ]
)
ORDER_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("customer_id", pa.string()),
        ("placed_at", pa.timestamp("us", tz="UTC")),
        ("status", pa.string()),
        ("items", pa.string()),
        ("item_count", pa.int32()),
        ("amount", pa.float64()),
        ("currency", pa.string()),
    ]
)


def customers(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(100, 100 + CUSTOMERS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(
            {
                "customer_id": f"C{n}",
                "name": f"{first} {last}",
                "email": f"{first}.{last}{n}@example.com".lower(),
                "city": rng.choice(CITIES),
                "signup_date": (now - timedelta(days=rng.randint(200, 1500))).date(),
                "loyalty_tier": rng.choices(("basic", "silver", "gold"), (70, 22, 8))[0],
            }
        )
    rows[23].update(name="Maria Santos", email="maria.santos123@example.com", city="Lisbon")
    return rows


def status_for(age: timedelta, rng: random.Random) -> str:
    """What a real order of this age would show."""
    if age < timedelta(hours=2):
        return "placed"
    if age < timedelta(days=2):
        return rng.choice(("placed", "shipped"))
    if age < timedelta(days=6):
        return rng.choices(("shipped", "delivered", "cancelled"), (6, 3, 1))[0]
    return rng.choices(("delivered", "returned", "cancelled"), (88, 8, 4))[0]


def order(rng: random.Random, order_id: str, customer_id: str, placed_at: datetime) -> dict:
    basket = rng.sample(CATALOGUE, rng.choices((1, 2, 3), (60, 30, 10))[0])
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "placed_at": placed_at,
        "items": ", ".join(name for name, _ in basket),
        "item_count": len(basket),
        "amount": round(sum(price for _, price in basket), 2),
        "currency": "EUR",
    }


def orders(rng: random.Random, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(ORDERS):
        customer = f"C{rng.randint(100, 100 + CUSTOMERS - 1)}"
        if customer == DEMO_CUSTOMER:
            customer = "C124"  # C123's history is written by hand below
        placed = now - timedelta(minutes=rng.randint(60, 180 * 24 * 60))
        row = order(rng, f"O-{200000 + n}", customer, placed)
        row["status"] = status_for(now - placed, rng)
        rows.append(row)
    return rows + c123_orders(now)


def c123_orders(now: datetime) -> list[dict[str, Any]]:
    """Maria's history: a delivered scarf from last month, and the order she just placed."""
    rng = random.Random(SEED + 123)
    older = order(rng, "O-100087", DEMO_CUSTOMER, now - timedelta(days=41, hours=3))
    older.update(status="delivered")
    last = order(rng, C123_LAST_ORDER_ID, DEMO_CUSTOMER, c123_last_placed_at(now))
    last.update(status="placed", items="Rain jacket, Wool scarf", item_count=2, amount=148.0)
    return [older, last]


def c123_last_placed_at(now: datetime) -> datetime:
    return (now - timedelta(minutes=C123_LAST_ORDER_MINUTES)).replace(microsecond=0)


def generate(now: datetime | None = None) -> tuple[pa.Table, pa.Table]:
    """``(customers, orders)`` as Arrow tables; the same seed gives the same shop."""
    now = now or datetime.now(UTC)
    rng = random.Random(SEED)
    return (
        pa.Table.from_pylist(customers(rng, now), schema=CUSTOMER_SCHEMA),
        pa.Table.from_pylist(orders(rng, now), schema=ORDER_SCHEMA),
    )


def last_orders(orders_table: pa.Table) -> pa.Table:
    """One row per customer: the latest order (what the online table serves)."""
    rows: dict[str, dict[str, Any]] = {}
    for row in orders_table.to_pylist():
        best = rows.get(row["customer_id"])
        if best is None or row["placed_at"] > best["placed_at"]:
            rows[row["customer_id"]] = row
    ordered = [rows[k] for k in sorted(rows)]
    return pa.Table.from_pylist(ordered, schema=ORDER_SCHEMA)
