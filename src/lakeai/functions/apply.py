"""``lakeai apply`` for catalog functions: a ``functions:`` section.

Each item is ``{name: catalog.schema.fn, params: [{name, type_text}] | {name: type},
returns, language: SQL | PYTHON, body, comment?}``. A missing function is created; one whose
stored definition matches (after the same normalisation the service applies) is unchanged;
one that differs is replaced in place (``create(..., replace=True)``, which keeps its grants),
so re-applying a file changes nothing.
"""

from __future__ import annotations

from typing import Any

from lakeai.errors import InvalidParameterValue, ResourceDoesNotExist
from lakeai.serving.apply import Change

KEYS = {"name", "params", "returns", "language", "body", "comment"}


def _params(item: dict[str, Any]) -> list[dict[str, Any]]:
    params = item.get("params") or []
    if isinstance(params, dict):  # the short form {x: int, y: string}
        return [{"name": k, "type_text": str(v)} for k, v in params.items()]
    return list(params)


def parse_functions_document(data: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """The ``functions`` items of a parsed file, each checked as the service would."""
    items = data.get("functions") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("name") for i in items):
        raise InvalidParameterValue(f"functions in {source} must be a list of objects with a name.")
    out = []
    for item in items:
        unknown = set(item) - KEYS
        if unknown or not item.get("returns") or not item.get("body"):
            raise InvalidParameterValue(
                f"Function {item['name']} in {source} needs returns and body"
                + (f"; unknown keys {', '.join(sorted(unknown))}" if unknown else "")
                + f" (valid: {', '.join(sorted(KEYS))})."
            )
        wanted = {**item, "params": _params(item), "language": item.get("language") or "SQL"}
        _definition(wanted)  # a mistake is reported before anything changes
        out.append(wanted)
    names = [str(i["name"]).lower() for i in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidParameterValue(f"functions in {source} names {', '.join(twice)} twice.")
    return out


def _definition(item: dict[str, Any]) -> Any:
    from lakeai.catalog.names import parse
    from lakeai.functions.definition import FunctionDef

    full = parse(str(item["name"]), "function")
    return FunctionDef.validate(
        full, item["params"], str(item["returns"]), str(item["language"]), str(item["body"])
    )


def _differs(current: Any, item: dict[str, Any]) -> list[str]:
    """The parts of a stored ``FunctionInfo`` that the wanted definition changes."""
    from lakeai.functions import types

    fn = _definition(item)
    have = [(p["name"], p["type_text"]) for p in current.input_params.get("parameters", [])]
    parts = []
    if have != [(n, types.type_text(t)) for n, t in fn.params]:
        parts.append("params")
    if current.full_data_type != types.type_text(fn.returns).upper():
        parts.append("returns")
    language = "PYTHON" if current.external_language == "PYTHON" else "SQL"
    if language != fn.language:
        parts.append("language")
    if current.routine_definition != fn.body:
        parts.append("body")
    if (current.comment or None) != (item.get("comment") or None):
        parts.append("comment")
    return parts


def plan_functions(functions: Any, items: list[dict[str, Any]]) -> list[Change]:
    changes = []
    for item in items:
        label = f"function {item['name']}"
        try:
            current = functions.get(item["name"])
        except ResourceDoesNotExist:
            changes.append(Change("create", label))
            continue
        parts = _differs(current, item)
        changes.append(Change("update" if parts else "unchanged", label, parts))
    return changes


def execute_functions(functions: Any, items: list[dict[str, Any]], changes: list[Change]) -> None:
    todo = {c.name: c.action for c in changes}
    for item in items:
        action = todo.get(f"function {item['name']}")
        if action in ("create", "update"):
            functions.create(
                item["name"],
                params=item["params"],
                returns=str(item["returns"]),
                language=str(item["language"]),
                body=str(item["body"]),
                comment=item.get("comment"),
                replace=action == "update",
            )
