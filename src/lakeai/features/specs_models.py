"""A feature spec's definition: parsed from the Python or the wire form, stored as JSON.

Python form (``FeatureLookup`` / ``FeatureFunction`` as dicts)::

    {"table_name", "lookup_key": [...], "feature_names": [...] | None,
     "rename_outputs": {feature: output}, "default_values": {feature: value},
     "timestamp_lookup_key"?}
    {"udf_name", "input_bindings": {param: name}, "output_name"?}

Wire form (``CreateFeatureSpec``): the same wrapped in ``feature_lookup`` / ``feature_function``
with lists of pairs, ``lookup_keys``, ``timestamp_lookup_keys`` and JSON-serialised defaults.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from lakeai.errors import InvalidParameterValue

FEATURE_SPEC = "FUNCTION_FEATURE_SPEC"


@dataclass
class Lookup:
    table_name: str
    lookup_key: list[str]
    feature_names: list[str] | None = None
    rename_outputs: dict[str, str] = field(default_factory=dict)
    default_values: dict[str, Any] = field(default_factory=dict)
    timestamp_lookup_key: str | None = None

    def output(self, feature: str) -> str:
        return self.rename_outputs.get(feature, feature)


@dataclass
class Function:
    udf_name: str
    input_bindings: dict[str, str]
    output_name: str


@dataclass
class SpecDef:
    lookups: list[Lookup]
    functions: list[Function]
    exclude_columns: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SpecDef:
        return cls(
            [Lookup(**x) for x in data.get("lookups", [])],
            [Function(**x) for x in data.get("functions", [])],
            list(data.get("exclude_columns") or []),
        )


def _strings(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidParameterValue(f"{what} must be a list of column names.")
    return list(value)


def _pairs(value: Any, key: str, val: str, what: str, *, decode: bool = False) -> dict[str, Any]:
    """``{a: b}`` or the wire's ``[{key: a, val: b}]`` as a dict."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict(value)
    if not isinstance(value, list):
        raise InvalidParameterValue(f"{what} must be an object or a list of {{{key}, {val}}}.")
    out: dict[str, Any] = {}
    for item in value:
        if not isinstance(item, dict) or key not in item or val not in item:
            raise InvalidParameterValue(f"Each {what} entry needs {key} and {val}: {item!r}.")
        raw = item[val]
        if decode and isinstance(raw, str):
            with contextlib.suppress(ValueError):  # else a plain string default
                raw = json.loads(raw)
        out[str(item[key])] = raw
    return out


def parse_lookup(raw: dict[str, Any]) -> Lookup:
    if not raw.get("table_name"):
        raise InvalidParameterValue("A feature lookup needs a table_name.")
    keys = raw.get("lookup_key", raw.get("lookup_keys"))
    ts = raw.get("timestamp_lookup_key", raw.get("timestamp_lookup_keys"))
    if isinstance(ts, list):
        if len(ts) > 1:
            raise InvalidParameterValue("A feature lookup takes at most one timestamp_lookup_key.")
        ts = ts[0] if ts else None
    names = raw.get("feature_names")
    return Lookup(
        table_name=str(raw["table_name"]),
        lookup_key=_strings(keys, f"lookup_key of {raw['table_name']}"),
        feature_names=None if names is None else _strings(names, "feature_names"),
        rename_outputs=_pairs(raw.get("rename_outputs"), "feature_name", "output_name", "rename"),
        default_values=_pairs(
            raw.get("default_values"), "feature_name", "default_value", "default", decode=True
        ),
        timestamp_lookup_key=ts or None,
    )


def parse_function(raw: dict[str, Any]) -> Function:
    if not raw.get("udf_name"):
        raise InvalidParameterValue("A feature function needs a udf_name.")
    bindings = _pairs(
        raw.get("input_bindings"), "parameter_name", "bound_feature_name", "input binding"
    )
    return Function(
        udf_name=str(raw["udf_name"]),
        input_bindings={str(k): str(v) for k, v in bindings.items()},
        output_name=str(raw.get("output_name") or raw["udf_name"]),
    )


def parse_features(features: Any) -> tuple[list[Lookup], list[Function]]:
    """Lookups and functions from a list of either form (wrapped or plain dicts)."""
    if not isinstance(features, list) or not features:
        raise InvalidParameterValue("features must be a non-empty list of lookups and functions.")
    lookups: list[Lookup] = []
    functions: list[Function] = []
    for item in features:
        if not isinstance(item, dict):
            raise InvalidParameterValue(f"A feature must be an object, got {item!r}.")
        if "declarative_feature" in item:
            raise InvalidParameterValue("declarative_feature is not supported; use lookups.")
        if "feature_lookup" in item or "table_name" in item:
            lookups.append(parse_lookup(item.get("feature_lookup", item)))
        elif "feature_function" in item or "udf_name" in item:
            functions.append(parse_function(item.get("feature_function", item)))
        else:
            raise InvalidParameterValue(
                "Each feature is a feature_lookup {table_name, lookup_key, ...} or a "
                "feature_function {udf_name, input_bindings, output_name}."
            )
    return lookups, functions


def function_order(functions: list[Function]) -> list[Function]:
    """Functions so that each runs after the functions whose outputs it reads; 400 on a cycle."""
    by_output = {f.output_name: f for f in functions}
    done: list[Function] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(fn: Function, path: list[str]) -> None:
        mark = state.get(fn.output_name)
        if mark == 2:
            return
        if mark == 1:
            cycle = " -> ".join([*path[path.index(fn.output_name) :], fn.output_name])
            raise InvalidParameterValue(f"Feature functions form a cycle: {cycle}.")
        state[fn.output_name] = 1
        for name in fn.input_bindings.values():
            if name in by_output:
                visit(by_output[name], [*path, fn.output_name])
        state[fn.output_name] = 2
        done.append(fn)

    for fn in functions:
        visit(fn, [])
    return done
