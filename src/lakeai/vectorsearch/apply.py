"""``lakeai apply`` for vector search: ``vector_search_endpoints:`` and ``vector_indexes:``.

Endpoints and indexes in the file are created when missing; existing ones are left as they
are (an index's definition cannot change in place: drop it to redefine it), and reported as
unchanged or as differing. Each creation goes through the vector search services, so it is
governed and audited like any other.
"""

from __future__ import annotations

from typing import Any

from lakeai.errors import InvalidParameterValue
from lakeai.serving.apply import Change

INDEX_FIELDS = (
    "primary_key",
    "index_type",
    "index_subtype",
    "delta_sync_index_spec",
    "direct_access_index_spec",
    "similarity_metric",
)


def parse_vector_document(
    data: dict[str, Any], source: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    endpoints = data.get("vector_search_endpoints") or []
    indexes = data.get("vector_indexes") or []
    for what, items in (("vector_search_endpoints", endpoints), ("vector_indexes", indexes)):
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and i.get("name") for i in items
        ):
            raise InvalidParameterValue(
                f"{what} in {source} must be a list of objects with a name."
            )
    for index in indexes:
        if not index.get("endpoint_name"):
            raise InvalidParameterValue(
                f"Index {index['name']} in {source} needs an endpoint_name."
            )
    return endpoints, indexes


def _differs(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    parts = []
    for key in INDEX_FIELDS:
        if key in wanted and key in current and key.endswith("_spec"):
            if any(current[key].get(k) != v for k, v in wanted[key].items()):
                parts.append(key)
        elif key in wanted and current.get(key) != wanted[key]:
            parts.append(key)
    return parts


def plan_vector(
    vs: Any, vs_endpoints: Any, endpoints: list[dict[str, Any]], indexes: list[dict[str, Any]]
) -> list[Change]:
    changes = []
    existing_eps = {e["name"] for e in vs_endpoints.list()}
    for endpoint in endpoints:
        action = "unchanged" if endpoint["name"] in existing_eps else "create"
        changes.append(Change(action, f"vector endpoint {endpoint['name']}"))
    existing = {i["name"] for i in vs.list_indexes()}
    for index in indexes:
        if index["name"] not in existing:
            changes.append(Change("create", f"vector index {index['name']}"))
            continue
        parts = _differs(vs.get_index(index["name"]), index)
        changes.append(
            Change(
                "unchanged",
                f"vector index {index['name']}",
                [f"differs: {p} (drop to redefine)" for p in parts],
            )
        )
    return changes


def execute_vector(
    vs: Any,
    vs_endpoints: Any,
    endpoints: list[dict[str, Any]],
    indexes: list[dict[str, Any]],
    changes: list[Change],
) -> None:
    created = {c.name for c in changes if c.action == "create"}
    for endpoint in endpoints:
        if f"vector endpoint {endpoint['name']}" in created:
            vs_endpoints.create(
                endpoint["name"], endpoint_type=endpoint.get("endpoint_type", "STANDARD")
            )
    for index in indexes:
        if f"vector index {index['name']}" in created:
            body = {k: index[k] for k in INDEX_FIELDS if k in index}
            vs.create_index(index["name"], endpoint_name=index["endpoint_name"], **body)
