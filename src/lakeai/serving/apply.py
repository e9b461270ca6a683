"""``lakeai apply``: reconcile serving endpoints with a YAML file.

Two file formats are read: Databricks' (``serving_endpoints: [{name, config, ai_gateway?,
tags?, description?}]``) and MLflow AI Gateway's (``endpoints: [{name, endpoint_type, model:
{provider, name, config}, limit?}]``), which is translated into Databricks' shape here so a
team can move an existing gateway config over unchanged. Every change goes through the
endpoint service's public methods (``Workspace.serving_endpoints`` in-process, or the remote
SDK's), so it is governed and audited exactly like a hand-made change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakeai.errors import InvalidParameterValue
from lakeai.serving.mlflow_config import endpoint_from_mlflow

DEFAULT_ENDPOINTS = frozenset({"lakeai-chat", "lakeai-embed"})


@dataclass
class EndpointSpec:
    """One endpoint as the file wants it (Databricks' shape)."""

    name: str
    config: dict[str, Any]
    ai_gateway: dict[str, Any] | None = None
    tags: list[dict[str, Any]] | None = None
    description: str | None = None


@dataclass
class Change:
    action: str  # create | update | unchanged | delete
    name: str
    parts: list[str] = field(default_factory=list)  # what an update touches

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, "name": self.name, "parts": self.parts}


def load_file(path: str | os.PathLike[str]) -> list[EndpointSpec]:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidParameterValue(f"Cannot read {path}: {exc}") from None
    return parse_document(data, str(path))


def parse_document(data: Any, source: str = "the file") -> list[EndpointSpec]:
    """The endpoints a parsed YAML document asks for, whichever of the two formats it uses."""
    if not isinstance(data, dict):
        raise InvalidParameterValue(
            f"{source} must be a mapping with serving_endpoints or endpoints."
        )
    if "serving_endpoints" in data:
        specs = [_databricks_spec(item) for item in data["serving_endpoints"] or []]
    elif "endpoints" in data:
        specs = [EndpointSpec(**endpoint_from_mlflow(item)) for item in data["endpoints"] or []]
    elif "vector_search_endpoints" in data or "vector_indexes" in data:
        specs = []  # a vector-search-only file (lakeai.vectorsearch.apply reads that part)
    else:
        raise InvalidParameterValue(
            f"{source} has neither serving_endpoints (Databricks format) nor endpoints "
            "(MLflow AI Gateway format)."
        )
    names = [s.name for s in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidParameterValue(f"Endpoint(s) named twice in {source}: {', '.join(twice)}.")
    return specs


def _databricks_spec(item: Any) -> EndpointSpec:
    if not isinstance(item, dict) or not item.get("name") or not item.get("config"):
        raise InvalidParameterValue("Each serving_endpoints item needs a name and a config.")
    unknown = set(item) - {"name", "config", "ai_gateway", "tags", "description"}
    if unknown:
        raise InvalidParameterValue(
            f"Endpoint {item['name']}: unknown keys {', '.join(sorted(unknown))}; valid: "
            "name, config, ai_gateway, tags, description."
        )
    return EndpointSpec(**item)


def _contains(current: Any, wanted: Any) -> bool:
    """Whether ``current`` already says everything ``wanted`` says (server-added keys allowed)."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(
            _contains(current.get(k), v) for k, v in wanted.items() if v is not None
        )
    if isinstance(wanted, list):
        return (
            isinstance(current, list)
            and len(current) == len(wanted)
            and all(_contains(c, w) for c, w in zip(current, wanted, strict=True))
        )
    return current == wanted


def _tag_map(tags: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {t["key"]: t.get("value") for t in tags or []}


def _diff(current: dict[str, Any], spec: EndpointSpec) -> list[str]:
    parts = []
    if not _contains(current.get("config"), spec.config):
        parts.append("config")
    if spec.ai_gateway is not None and not _contains(
        current.get("ai_gateway") or {}, spec.ai_gateway
    ):
        parts.append("ai_gateway")
    if spec.tags is not None and _tag_map(current.get("tags")) != _tag_map(spec.tags):
        parts.append("tags")
    return parts


def plan(endpoints: Any, specs: list[EndpointSpec], *, prune: bool = False) -> list[Change]:
    """What applying ``specs`` would do, given ``endpoints`` (a bound or remote service)."""
    existing = {e["name"] for e in endpoints.list()}
    changes = []
    for spec in specs:
        if spec.name not in existing:
            changes.append(Change("create", spec.name))
            continue
        parts = _diff(endpoints.get(spec.name), spec)
        changes.append(Change("update" if parts else "unchanged", spec.name, parts))
    if prune:
        wanted = {s.name for s in specs}
        for name in sorted(existing - wanted - DEFAULT_ENDPOINTS):
            changes.append(Change("delete", name))
    return changes


def execute(endpoints: Any, specs: list[EndpointSpec], changes: list[Change]) -> None:
    """Carry out a plan, one service call per change part."""
    by_name = {s.name: s for s in specs}
    for change in changes:
        spec = by_name.get(change.name)
        if change.action == "create" and spec is not None:
            endpoints.create(
                spec.name,
                config=spec.config,
                ai_gateway=spec.ai_gateway,
                tags=spec.tags,
                description=spec.description,
            )
        elif change.action == "update" and spec is not None:
            _update(endpoints, spec, change.parts)
        elif change.action == "delete":
            endpoints.delete(change.name)


def _update(endpoints: Any, spec: EndpointSpec, parts: list[str]) -> None:
    if "config" in parts:
        endpoints.update_config(spec.name, spec.config)
    if "ai_gateway" in parts:
        endpoints.put_ai_gateway(spec.name, spec.ai_gateway)
    if "tags" in parts:
        current = _tag_map(endpoints.get(spec.name).get("tags"))
        wanted = _tag_map(spec.tags)
        endpoints.patch_tags(
            spec.name,
            add_tags=[{"key": k, "value": v} for k, v in wanted.items() if current.get(k) != v]
            or None,
            delete_tags=[k for k in current if k not in wanted] or None,
        )


def apply(
    endpoints: Any, specs: list[EndpointSpec], *, prune: bool = False, dry_run: bool = False
) -> list[Change]:
    """Plan, then (unless ``dry_run``) carry it out; the plan is returned either way."""
    changes = plan(endpoints, specs, prune=prune)
    if not dry_run:
        execute(endpoints, specs, changes)
    return changes
