"""A small JSON Schema validator: the subset that structured outputs use.

``jsonschema`` is not a dependency of LakeAI, and a model's answer only needs the keywords that
OpenAI's strict structured outputs accept: ``type`` (one or a list), ``properties``,
``required``, ``additionalProperties``, ``enum``, ``const``, ``items``, ``minLength``,
``maxLength``, ``minimum``, ``maximum`` and ``anyOf``. Unknown keywords are ignored, as the
specification says. Each error names the JSON path, so a retry can tell the model what to fix.
"""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False  # JSON has no bool-as-int
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(name, (object,)))


def validate(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema``, as ``"$.field: message"`` lines (empty: valid)."""
    errors: list[str] = []
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, t) for t in names):
            return [f"{path}: expected {' or '.join(names)}, got {_json_type(value)}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"])
        errors.append(f"{path}: {value!r} is not one of {allowed}")
    if "anyOf" in schema and all(validate(value, s, path) for s in schema["anyOf"]):
        errors.append(f"{path}: matches none of the anyOf alternatives")
    if isinstance(value, dict):
        errors.extend(_object_errors(value, schema, path))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            errors.extend(validate(item, schema["items"], f"{path}[{i}]"))
    elif isinstance(value, str):
        errors.extend(_bounds(len(value), schema, path, "minLength", "maxLength", "characters"))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        errors.extend(_bounds(value, schema, path, "minimum", "maximum", ""))
    return errors


def _object_errors(value: dict[str, Any], schema: dict[str, Any], path: str) -> list[str]:
    required = schema.get("required") or []
    errors = [f"{path}: missing required property {k!r}" for k in required if k not in value]
    properties: dict[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            errors.extend(validate(item, properties[key], f"{path}.{key}"))
        elif extra is False:
            errors.append(f"{path}: unexpected property {key!r}")
        elif isinstance(extra, dict):
            errors.extend(validate(item, extra, f"{path}.{key}"))
    return errors


def _bounds(size: float, schema: dict[str, Any], path: str, low: str, high: str, unit: str) -> list:
    suffix = f" {unit}" if unit else ""
    errors = []
    if low in schema and size < schema[low]:
        errors.append(f"{path}: must be at least {schema[low]}{suffix}")
    if high in schema and size > schema[high]:
        errors.append(f"{path}: must be at most {schema[high]}{suffix}")
    return errors


def _json_type(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is_type(value, name):
            return name
    return type(value).__name__
