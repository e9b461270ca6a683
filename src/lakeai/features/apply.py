"""``lakeai apply`` for features: ``online_tables:`` and ``feature_specs:`` sections.

A missing item is created; one whose definition matches is unchanged; one that differs is
replaced (dropped and created again: neither an online table nor a spec changes in place), so
re-applying a file changes nothing. Every change goes through the target's services, so grants
and the audit log apply in-process and on a server alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lakeai.errors import InvalidParameterValue
from lakeai.features.specs_models import SpecDef, parse_features
from lakeai.serving.apply import Change

if TYPE_CHECKING:
    pass

ONLINE_KEYS = {
    "name",
    "source_table_full_name",
    "primary_key_columns",
    "run_triggered",
    "run_continuously",
    "timeseries_key",
    "perform_full_copy",
    "columns",
}
SPEC_KEYS = {"name", "features", "exclude_columns", "comment"}


# -- YAML ----------------------------------------------------------------------------------
def parse_features_document(
    data: dict[str, Any], source: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``online_tables`` and ``feature_specs`` items of a parsed file, checked."""
    online = _items(data, "online_tables", ONLINE_KEYS, source)
    specs = _items(data, "feature_specs", SPEC_KEYS, source)
    for item in online:
        if not item.get("source_table_full_name") or not item.get("primary_key_columns"):
            raise InvalidParameterValue(
                f"Online table {item['name']} in {source} needs source_table_full_name and "
                "primary_key_columns."
            )
    for item in specs:
        parse_features(item.get("features"))  # a mistake is reported before anything changes
    return online, specs


def _items(data: dict[str, Any], key: str, allowed: set[str], source: str) -> list[dict]:
    items = data.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("name") for i in items):
        raise InvalidParameterValue(f"{key} in {source} must be a list of objects with a name.")
    for item in items:
        unknown = set(item) - allowed
        if unknown:
            raise InvalidParameterValue(
                f"{item['name']} in {source}: unknown keys {', '.join(sorted(unknown))}; "
                f"valid: {', '.join(sorted(allowed))}."
            )
    names = [str(i["name"]).lower() for i in items]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidParameterValue(f"{key} in {source} names {', '.join(twice)} twice.")
    return items


def _flag(item: dict[str, Any], key: str) -> bool:
    """``run_continuously: {}`` (Databricks' form) or ``true`` both switch a mode on."""
    return item.get(key) not in (None, False)


def _mode(item: dict[str, Any]) -> str:
    if _flag(item, "run_continuously"):
        return "CONTINUOUS"
    return "SNAPSHOT" if _flag(item, "perform_full_copy") else "TRIGGERED"


def _online_differs(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    spec = current.get("spec") or {}
    mode = (current.get("status") or {}).get("mode") or _mode(spec)
    parts = []
    if str(spec.get("source_table_full_name")).lower() != wanted["source_table_full_name"].lower():
        parts.append("source_table_full_name")
    if list(spec.get("primary_key_columns") or []) != list(wanted["primary_key_columns"]):
        parts.append("primary_key_columns")
    if spec.get("timeseries_key") != wanted.get("timeseries_key"):
        parts.append("timeseries_key")
    if mode != _mode(wanted):
        parts.append("mode")
    return parts


def _spec_differs(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    lookups, functions = parse_features(wanted["features"])
    target = SpecDef(lookups, functions, list(wanted.get("exclude_columns") or [])).to_json()
    have = current.get("spec") or {}
    return [k for k in ("lookups", "functions", "exclude_columns") if have.get(k) != target[k]]


def _plan_one(service: Any, label: str, item: dict[str, Any], differs: Any) -> Change:
    from lakeai.errors import ResourceDoesNotExist

    try:
        current = service.get(item["name"])
    except ResourceDoesNotExist:
        return Change("create", f"{label} {item['name']}")
    parts = differs(current, item)
    return Change("update" if parts else "unchanged", f"{label} {item['name']}", parts)


def plan_features(
    online_tables: Any,
    feature_specs: Any,
    online: list[dict[str, Any]],
    specs: list[dict[str, Any]],
) -> list[Change]:
    """What applying the items would do; nothing changes."""
    return [_plan_one(online_tables, "online table", i, _online_differs) for i in online] + [
        _plan_one(feature_specs, "feature spec", i, _spec_differs) for i in specs
    ]


def execute_features(
    online_tables: Any,
    feature_specs: Any,
    online: list[dict[str, Any]],
    specs: list[dict[str, Any]],
    changes: list[Change],
) -> None:
    """Carry out a plan: online tables first, since specs may look them up."""
    todo = {c.name: c.action for c in changes}
    for item in online:
        action = todo.get(f"online table {item['name']}")
        if action == "update":
            online_tables.delete(item["name"])
        if action in ("create", "update"):
            mode = _mode(item)
            online_tables.create(
                item["name"],
                source_table_full_name=item["source_table_full_name"],
                primary_key_columns=list(item["primary_key_columns"]),
                run_triggered=mode != "CONTINUOUS",  # a full copy is triggered too
                run_continuously=mode == "CONTINUOUS",
                timeseries_key=item.get("timeseries_key"),
                perform_full_copy=mode == "SNAPSHOT",
                columns=item.get("columns"),
            )
    for item in specs:
        action = todo.get(f"feature spec {item['name']}")
        if action == "update":
            feature_specs.delete(item["name"])
        if action in ("create", "update"):
            feature_specs.create(
                item["name"],
                features=item["features"],
                exclude_columns=item.get("exclude_columns"),
                comment=item.get("comment"),
            )
