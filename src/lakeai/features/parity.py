"""Parity check: a feature spec computed online (serving) against offline (training sets).

``check_parity`` samples up to ``sample`` keys (seeded) from the spec's lookup tables, evaluates
them with ``features.serving.evaluate`` and with ``features.training.create_training_set`` at
"now" (the latest row per key), and reports, per output, how many rows differ and the first few
examples. An online table that is behind its Delta table shows up as mismatches.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any

from lakeai.errors import InvalidParameterValue
from lakeai.features.serving import MAX_ROWS, evaluate
from lakeai.features.specs_models import SpecDef
from lakeai.features.training import _delta_name, create_training_set

if TYPE_CHECKING:
    from lakeai.core.principals import Principal
    from lakeai.services import Services

ACTION = "checkFeatureParity"
EXAMPLES = 3


def check_parity(
    services: Services,
    principal: Principal,
    name: str,
    *,
    sample: int = 100,
    seed: int = 0,
    request: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``{"spec", "sampled", "ok", "features": {output: {"mismatches", "examples"}}}``."""
    if not 1 <= sample <= MAX_ROWS:
        raise InvalidParameterValue(f"sample must be between 1 and {MAX_ROWS}.")
    spec = services.feature_specs.load(principal, name, ACTION)
    rows = _sample_rows(services, principal, spec, sample, seed, dict(request or {}))
    online = evaluate(services, principal, name, rows) if rows else []
    offline = create_training_set(services, principal, rows, name).to_pylist() if rows else []
    given = set().union(*(r.keys() for r in rows)) if rows else set()
    outputs = [c for c in (online[0] if online else {}) if c not in given]
    report: dict[str, Any] = {}
    for output in outputs:
        bad = [
            {"key": rows[i], "online": on.get(output), "offline": off.get(output)}
            for i, (on, off) in enumerate(zip(online, offline, strict=True))
            if not same(on.get(output), off.get(output))
        ]
        report[output] = {"mismatches": len(bad), "examples": bad[:EXAMPLES]}
    return {
        "spec": name,
        "sampled": len(rows),
        "ok": all(v["mismatches"] == 0 for v in report.values()),
        "features": report,
    }


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def _sample_rows(
    services: Services,
    principal: Principal,
    spec: SpecDef,
    sample: int,
    seed: int,
    request: dict[str, Any],
) -> list[dict[str, Any]]:
    """Rows of sampled keys: the first lookup's keys, other lookups' keys cycled alongside."""
    rng = random.Random(seed)
    columns: dict[str, list[Any]] = {}
    count = 0
    for lookup in spec.lookups:
        wanted = [k for k in lookup.lookup_key if k not in columns]
        if not wanted:
            continue
        ref = services.feature_specs.table(principal, lookup.table_name, ACTION)
        keys = _distinct(services, principal, _delta_name(services, ref), wanted)
        picked = rng.sample(keys, min(sample, len(keys)))
        count = count or len(picked)
        for i, k in enumerate(wanted):
            columns[k] = [p[i] for p in picked]
    if not count or not all(columns.values()):
        return []  # an empty lookup table: nothing to compare
    rows = [{**request} for _ in range(count)]
    for name, values in columns.items():
        for i, row in enumerate(rows):
            row[name] = values[i % len(values)]
    return rows


def _distinct(services: Services, principal: Principal, table: str, keys: list[str]) -> list[tuple]:
    import duckdb

    dataset = services.tables.dataset(principal, table)
    names = ", ".join(f'"{k}"' for k in keys)
    con = duckdb.connect()
    try:
        con.register("t", dataset)
        found = con.sql(f"SELECT DISTINCT {names} FROM t ORDER BY {names}").fetchall()
    finally:
        con.close()
    return [tuple(r) for r in found if all(v is not None for v in r)]
