"""Comparing an endpoint's served entities: is version 2 better than version 1?

Joins the endpoint's feedback table to its payload table and, per served entity: requests,
error rate, latency p50/p99, cost (tokens from ``system.serving.endpoint_usage`` priced by the
price table; "unknown" when not readable or not priced), mean rating; then each entity against
the first one: Welch's t-test on mean ratings and a two-proportion z-test on error rates.

Everything is read through a SQL callable, so the caller's grants apply and the same code
serves the in-process service and the CLI against a remote server. Feedback counts toward the
attempt that answered (status < 400, not a shadow copy): a fallback's failed attempt and a
shadow route's call share the request id.
The tests are implemented with ``math`` only (scipy is not a dependency).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa

from lakeai.errors import LakeAIError, ResourceDoesNotExist
from lakeai.gateway.pricing import PriceTable
from lakeai.gateway.usage import USAGE_TABLE

log = logging.getLogger(__name__)

Sql = Callable[[str], pa.Table]


def _quote(full_name: str) -> str:
    return ".".join(f"`{part}`" for part in full_name.split("."))


def tables_of(endpoint: dict[str, Any]) -> tuple[str, str]:
    """(payload, feedback) table names of an endpoint description (Databricks JSON)."""
    gateway = (endpoint.get("ai_gateway") or {}).get("inference_table_config") or {}
    legacy = (endpoint.get("config") or {}).get("auto_capture_config") or {}
    config = gateway if gateway.get("enabled") else legacy if legacy.get("enabled") else None
    if config is None:
        raise ResourceDoesNotExist(
            f"Endpoint {endpoint.get('name')} has no inference table to compare; enable "
            "ai_gateway.inference_table_config first."
        )
    prefix = config.get("table_name_prefix") or str(endpoint.get("name", "")).replace("-", "_")
    base = (
        f"{config.get('catalog_name') or 'main'}.{config.get('schema_name') or 'default'}.{prefix}"
    )
    return f"{base}_payload", f"{base}_feedback"


# -- statistics -------------------------------------------------------------------------
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-12:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x)
    front = math.exp(ln + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def welch(m1: float, v1: float, n1: int, m2: float, v2: float, n2: int) -> dict[str, float] | None:
    """Welch's t-test of two means (two-sided); None without two ratings on each side."""
    if n1 < 2 or n2 < 2:
        return None
    se2 = v1 / n1 + v2 / n2
    if se2 == 0:
        return {"t": 0.0 if m1 == m2 else math.inf, "df": n1 + n2 - 2.0, "p_value": float(m1 == m2)}
    t = (m2 - m1) / math.sqrt(se2)
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    p = betainc(df / 2.0, 0.5, df / (df + t * t))
    return {"t": t, "df": df, "p_value": min(1.0, p)}


def two_proportions(x1: int, n1: int, x2: int, n2: int) -> dict[str, float] | None:
    """Two-proportion z-test (pooled, two-sided) of error rates."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return {"z": 0.0, "p_value": 1.0}
    z = (x2 / n2 - x1 / n1) / se
    return {"z": z, "p_value": math.erfc(abs(z) / math.sqrt(2))}


# -- queries ----------------------------------------------------------------------------
def _entities(sql: Sql, payload: str) -> list[dict[str, Any]]:
    rows = sql(
        "SELECT served_entity_id AS entity, count(*) AS requests, "
        "sum(CASE WHEN status_code >= 400 THEN 1 ELSE 0 END) AS errors, "
        "percentile(execution_time_ms, 0.5) AS p50, percentile(execution_time_ms, 0.99) AS p99, "
        "max(request_metadata['model_name']) AS model, "
        "max(request_metadata['model_version']) AS version "
        f"FROM {_quote(payload)} GROUP BY served_entity_id"
    ).to_pylist()
    return rows


def _ratings(sql: Sql, payload: str, feedback: str) -> dict[str, list[float]]:
    try:
        rows = sql(
            "SELECT p.served_entity_id AS entity, f.rating AS rating "
            f"FROM {_quote(payload)} p JOIN (SELECT request_id, avg(rating) AS rating "
            f"FROM {_quote(feedback)} WHERE rating IS NOT NULL GROUP BY request_id) f "
            "ON f.request_id = p.databricks_request_id WHERE p.status_code < 400 "
            "AND coalesce(p.request_metadata['shadow'], 'false') <> 'true'"
        ).to_pylist()
    except ResourceDoesNotExist:  # no feedback yet
        return {}
    ratings: dict[str, list[float]] = {}
    for row in rows:
        ratings.setdefault(row["entity"], []).append(float(row["rating"]))
    return ratings


def _costs(sql: Sql, endpoint: str, payload: str, prices: PriceTable) -> dict[str, Decimal | None]:
    """USD per entity over the captured calls; an entity is None when any part is unpriced."""
    try:
        rows = sql(
            "SELECT u.served_entity_name AS entity, u.provider, u.model, u.event_date, "
            "sum(u.input_tokens) AS input_tokens, sum(u.output_tokens) AS output_tokens "
            f"FROM {USAGE_TABLE} u JOIN (SELECT DISTINCT databricks_request_id AS rid, "
            f"served_entity_id AS entity FROM {_quote(payload)}) p "
            "ON p.rid = u.request_id AND p.entity = u.served_entity_name "
            f"WHERE u.endpoint_name = '{endpoint}' GROUP BY 1, 2, 3, 4"
        ).to_pylist()
    except LakeAIError as exc:  # no SELECT on the usage table: cost stays unknown
        log.info("No cost for %s: %s", endpoint, exc.error_code)
        return {}
    costs: dict[str, Decimal | None] = {}
    for row in rows:
        at = row["event_date"]
        cost = prices.cost(
            row["provider"] or "",
            row["model"] or "",
            int(row["input_tokens"] or 0),
            int(row["output_tokens"] or 0),
            None if at is None else _noon(at),
        )
        entity = row["entity"]
        before = costs.get(entity, Decimal(0))
        costs[entity] = None if cost is None or before is None else before + cost
    return costs


def _noon(day: Any) -> Any:
    from datetime import UTC, datetime, time

    return datetime.combine(day, time(12), tzinfo=UTC)


def _mean_var(values: list[float]) -> tuple[float | None, float]:
    if not values:
        return None, 0.0
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1) if len(values) > 1 else 0.0
    return mean, var


def compare_endpoint(endpoint: dict[str, Any], sql: Sql, prices: PriceTable) -> dict[str, Any]:
    """The comparison as a dict: ``{"endpoint", "payload_table", "feedback_table", "entities"}``."""
    name = str(endpoint["name"])
    payload, feedback = tables_of(endpoint)
    order = [e.get("name") for e in (endpoint.get("config") or {}).get("served_entities", [])]
    stats = sorted(
        _entities(sql, payload),
        key=lambda r: order.index(r["entity"]) if r["entity"] in order else len(order),
    )
    ratings = _ratings(sql, payload, feedback)
    costs = _costs(sql, name, payload, prices)
    entities = []
    for row in stats:
        values = ratings.get(row["entity"], [])
        mean, var = _mean_var(values)
        cost = costs.get(row["entity"])
        entities.append(
            {
                "served_entity": row["entity"],
                "model": row["model"],
                "version": row["version"] or None,
                "requests": int(row["requests"]),
                "errors": int(row["errors"] or 0),
                "error_rate": int(row["errors"] or 0) / int(row["requests"]),
                "latency_p50_ms": row["p50"],
                "latency_p99_ms": row["p99"],
                "cost_usd": None if cost is None else str(cost),
                "ratings": len(values),
                "mean_rating": mean,
                "_var": var,
            }
        )
    _tests(entities)
    return {
        "endpoint": name,
        "payload_table": payload,
        "feedback_table": feedback,
        "entities": entities,
    }


def _tests(entities: list[dict[str, Any]]) -> None:
    """Each entity against the first (the baseline): rating and error-rate tests."""
    for entity in entities[1:]:
        base = entities[0]
        entity["vs"] = base["served_entity"]
        entity["rating_test"] = welch(
            base["mean_rating"] or 0.0,
            base["_var"],
            base["ratings"],
            entity["mean_rating"] or 0.0,
            entity["_var"],
            entity["ratings"],
        )
        entity["error_rate_test"] = two_proportions(
            base["errors"], base["requests"], entity["errors"], entity["requests"]
        )
    for entity in entities:
        entity.pop("_var")


COLUMNS = (
    "served_entity",
    "version",
    "requests",
    "error_rate",
    "p50_ms",
    "p99_ms",
    "cost_usd",
    "ratings",
    "mean_rating",
    "rating_p",
    "error_rate_p",
)


def display_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    """The comparison as table cells: "unknown" for a missing cost, "-" for no test."""

    def num(value: Any, digits: int = 3) -> str:
        return "-" if value is None else f"{value:.{digits}g}"

    rows = []
    for e in result["entities"]:
        rating, errors = e.get("rating_test"), e.get("error_rate_test")
        rows.append(
            {
                "served_entity": e["served_entity"],
                "version": e["version"] or e["model"] or "-",
                "requests": str(e["requests"]),
                "error_rate": f"{e['error_rate']:.1%}",
                "p50_ms": num(e["latency_p50_ms"], 6),
                "p99_ms": num(e["latency_p99_ms"], 6),
                "cost_usd": "unknown" if e["cost_usd"] is None else e["cost_usd"],
                "ratings": str(e["ratings"]),
                "mean_rating": num(e["mean_rating"]),
                "rating_p": num(rating and rating["p_value"]),
                "error_rate_p": num(errors and errors["p_value"]),
            }
        )
    return rows
