"""FeatureSpecService: feature specs (``catalog.schema.spec``) stored as catalog functions.

A spec is a ``function`` securable with ``securable_kind: FUNCTION_FEATURE_SPEC`` (so the Unity
Catalog functions API returns it, and it cannot be called like a function). Creating one needs
CREATE_FUNCTION on the schema, SELECT on every lookup table and EXECUTE on every feature
function; it is checked whole at creation and audited. Evaluating it (``features.serving``)
needs EXECUTE on the spec and the same grants again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from lakeai.catalog.names import parse
from lakeai.catalog.privileges import Privilege
from lakeai.core.audit import AuditEvent
from lakeai.core.principals import Principal
from lakeai.core.ttlcache import TTLCache
from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists
from lakeai.features.specs_models import (
    FEATURE_SPEC,
    Function,
    Lookup,
    SpecDef,
    function_order,
    parse_features,
)
from lakeai.tables import delta

if TYPE_CHECKING:
    from lakeai.services import Services


@dataclass(frozen=True)
class TableRef:
    """A lookup table: an online table or a Delta table with a primary key."""

    full_name: str
    online: bool
    schema: pa.Schema
    primary_key: list[str]
    timestamp_key: str | None
    location: str


class FeatureSpecService:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.p = services.platform
        # Opening a Delta table to read its schema costs milliseconds; serving asks per request.
        self._schemas: TTLCache[pa.Schema] = TTLCache(ttl=2.0)

    def _schema(self, location: str) -> pa.Schema:
        schema = self._schemas.get(location)
        if schema is None:
            schema = delta.arrow_schema(delta.open_table(location))
            self._schemas.put(location, schema)
        return schema

    def _audit(self, principal: Principal, action: str, name: str, detail: str = "") -> None:
        self.p.audit.record(
            AuditEvent(principal.name, action, "function", name, detail=detail or None)
        )

    # -- tables ---------------------------------------------------------------------------
    def table(self, principal: Principal, name: str, action: str) -> TableRef:
        """The lookup table ``name`` after checking SELECT on it; 400 without a primary key."""
        full = parse(name, "table")
        row = self.p.securables.find_recent(full)
        if row is not None and row.securable_type == "online_table":
            self.p.grants.require(
                principal, Privilege.SELECT, "online_table", str(full), action=action
            )
            spec = row.spec
            schema = self._schema(spec["source_location"])
            keys = list(spec["primary_key_columns"])
            if spec.get("columns"):
                keep = set(spec["columns"]) | set(keys) | {spec.get("timeseries_key")}
                schema = pa.schema([f for f in schema if f.name in keep])
            return TableRef(
                str(full), True, schema, keys, spec.get("timeseries_key"), spec["source_location"]
            )
        row = self.p.securables.get_recent("table", full)
        self.p.grants.require(principal, Privilege.SELECT, "table", str(full), action=action)
        keys = list(row.spec.get("primary_key") or [])
        if not keys:
            raise InvalidParameterValue(
                f"Table {full} has no primary key; a feature table needs one "
                f"(ALTER TABLE {full} ADD CONSTRAINT pk PRIMARY KEY (...))."
            )
        location = str(row.spec["storage_location"])
        return TableRef(str(full), False, self._schema(location), keys, None, location)

    # -- create / read / delete -------------------------------------------------------------
    def create(
        self,
        principal: Principal,
        name: str,
        *,
        features: list[dict[str, Any]],
        exclude_columns: list[str] | None = None,
        comment: str | None = None,
    ) -> dict[str, Any]:
        full = parse(name, "function")
        self.p.securables.get("catalog", full.catalog)
        self.p.securables.get("schema", full.parent)
        self.p.grants.require(
            principal,
            Privilege.CREATE_FUNCTION,
            "schema",
            str(full.parent),
            action="createFeatureSpec",
        )
        if self.p.securables.find(full) is not None:
            raise ResourceAlreadyExists(f"'{full}' already exists.")
        lookups, functions = parse_features(features)
        spec = SpecDef(lookups, functions, list(exclude_columns or []))
        self.validate(principal, spec)
        body = json.dumps(spec.to_json(), sort_keys=True)
        stored = {
            "params": [],
            "returns": "string",
            "language": "SQL",
            "body": body,
            "securable_kind": FEATURE_SPEC,
            "feature_spec": spec.to_json(),
        }
        row = self.p.securables.insert(
            "function", full, owner=principal.name, comment=comment, spec=stored
        )
        self._audit(principal, "createFeatureSpec", str(full))
        return spec_info(row)

    def load(self, principal: Principal, name: str, action: str = "getFeatureSpec") -> SpecDef:
        """The stored spec; EXECUTE on it (owners and admins hold it)."""
        full = parse(name, "function")
        row = self.p.securables.get_recent("function", full)
        if (row.spec or {}).get("securable_kind") != FEATURE_SPEC:
            raise InvalidParameterValue(f"{full} is a function, not a feature spec.")
        self.p.grants.require(principal, Privilege.EXECUTE, "function", str(full), action=action)
        return SpecDef.from_json(row.spec["feature_spec"])

    def get(self, principal: Principal, name: str) -> dict[str, Any]:
        spec = self.load(principal, name)
        row = self.p.securables.get("function", parse(name, "function"))
        return {**spec_info(row), "spec": spec.to_json()}

    def list(
        self, principal: Principal, catalog_name: str, schema_name: str
    ) -> list[dict[str, Any]]:
        """``FeatureSpecInfo`` of the schema's specs the principal may see."""
        return [
            {
                "name": f.full_name,
                "creator": f.created_by,
                "creation_timestamp_ms": int(f.created_at),
                "owner": f.owner,
            }
            for f in self.s.functions.list(principal, catalog_name, schema_name)
            if f.securable_kind == FEATURE_SPEC
        ]

    def evaluate(
        self, principal: Principal, name: str, rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """One output object per request row (what a feature serving endpoint answers)."""
        from lakeai.features.serving import evaluate

        return evaluate(self.s, principal, name, rows)

    def delete(self, principal: Principal, name: str) -> None:
        full = parse(name, "function")
        row = self.p.securables.get("function", full)
        if (row.spec or {}).get("securable_kind") != FEATURE_SPEC:
            raise InvalidParameterValue(f"{full} is a function, not a feature spec.")
        self.s.functions.delete(principal, str(full))
        self._audit(principal, "deleteFeatureSpec", str(full))

    # -- offline ------------------------------------------------------------------------------
    def create_training_set(
        self,
        principal: Principal,
        labels: Any,
        features: str | list[dict[str, Any]],
        **options: Any,
    ) -> pa.Table:
        """A point-in-time correct training set (``features.training.create_training_set``)."""
        from lakeai.features.training import create_training_set

        return create_training_set(self.s, principal, labels, features, **options)

    def check_parity(self, principal: Principal, name: str, **options: Any) -> dict[str, Any]:
        """Online against offline values for sampled keys (``features.parity.check_parity``)."""
        from lakeai.features.parity import check_parity

        return check_parity(self.s, principal, name, **options)

    # -- validation -------------------------------------------------------------------------
    def validate(self, principal: Principal, spec: SpecDef) -> dict[str, pa.DataType]:
        """Check tables, columns, key types, bindings, cycles and names; the output types."""
        outputs: dict[str, pa.DataType] = {}  # name -> type, lookup keys included
        key_types: dict[str, tuple[pa.DataType, str]] = {}
        hidden: set[str] = set()  # columns of lookup tables that the spec does not output
        for lookup in spec.lookups:
            ref = self.table(principal, lookup.table_name, "createFeatureSpec")
            _check_lookup(lookup, ref, key_types)
            for name in lookup.lookup_key:
                outputs.setdefault(name, key_types[name][0])
            for feature in features_of(lookup, ref):
                out = lookup.output(feature)
                if out in outputs:
                    raise InvalidParameterValue(
                        f"Output name {out!r} is produced twice; rename one with rename_outputs."
                    )
                outputs[out] = ref.schema.field(feature).type
            hidden |= set(ref.schema.names)
        for fn in spec.functions:
            self._check_function(principal, fn, outputs, hidden - set(outputs))
        function_order(spec.functions)
        unknown = [c for c in spec.exclude_columns if c not in outputs]
        if unknown:
            raise InvalidParameterValue(
                f"exclude_columns names unknown outputs {', '.join(unknown)}; outputs: "
                f"{', '.join(outputs)}."
            )
        return outputs

    def _check_function(
        self,
        principal: Principal,
        fn: Function,
        outputs: dict[str, pa.DataType],
        hidden: set[str],
    ) -> None:
        definition = self.s.functions.resolve(principal, fn.udf_name)  # EXECUTE, a real function
        params = definition.param_names
        unknown = [p for p in fn.input_bindings if p not in params]
        unbound = [p for p in params if p not in fn.input_bindings]
        if unknown or unbound:
            raise InvalidParameterValue(
                f"Feature function {fn.udf_name} takes ({', '.join(params)}); "
                + (f"unknown parameters {unknown}" if unknown else f"unbound parameters {unbound}")
                + "."
            )
        for param, bound in fn.input_bindings.items():
            if bound in hidden:
                raise InvalidParameterValue(
                    f"{fn.udf_name}: parameter {param} is bound to {bound!r}, which the spec does "
                    "not output (a renamed or unselected feature); bind an output name."
                )
        if fn.output_name in outputs:
            raise InvalidParameterValue(
                f"Output name {fn.output_name!r} is produced twice; set another output_name."
            )
        outputs[fn.output_name] = pa.null()


def features_of(lookup: Lookup, ref: TableRef) -> list[str]:
    if lookup.feature_names is not None:
        return list(lookup.feature_names)
    skip = set(ref.primary_key) | {ref.timestamp_key, lookup.timestamp_lookup_key}
    return [f.name for f in ref.schema if f.name not in skip]


def _check_lookup(
    lookup: Lookup, ref: TableRef, key_types: dict[str, tuple[pa.DataType, str]]
) -> None:
    columns = ref.schema.names
    named = [*lookup.lookup_key, *(lookup.feature_names or [])]
    if lookup.timestamp_lookup_key:
        named.append(lookup.timestamp_lookup_key)
    missing = [c for c in named if c not in columns]
    if missing:
        raise InvalidParameterValue(
            f"Table {ref.full_name} has no column {', '.join(missing)}; columns: {', '.join(columns)}."
        )
    stray = [f for f in [*lookup.rename_outputs, *lookup.default_values] if f not in columns]
    if stray:
        raise InvalidParameterValue(
            f"rename_outputs/default_values of {ref.full_name} name unknown features {stray}."
        )
    pk = [k for k in ref.primary_key if k not in (lookup.timestamp_lookup_key, ref.timestamp_key)]
    if sorted(lookup.lookup_key) != sorted(pk):
        raise InvalidParameterValue(
            f"lookup_key of {ref.full_name} must be its primary key ({', '.join(pk)}), "
            f"not ({', '.join(lookup.lookup_key)})."
        )
    for key in lookup.lookup_key:
        dtype = ref.schema.field(key).type
        seen = key_types.setdefault(key, (dtype, ref.full_name))
        if not _same_kind(seen[0], dtype):
            raise InvalidParameterValue(
                f"Lookup key {key} is {dtype} in {ref.full_name} but {seen[0]} in {seen[1]}; "
                "a key shared by lookups needs one type."
            )


def _same_kind(a: pa.DataType, b: pa.DataType) -> bool:
    if pa.types.is_integer(a) and pa.types.is_integer(b):
        return True
    if pa.types.is_string(a) or pa.types.is_large_string(a):
        return pa.types.is_string(b) or pa.types.is_large_string(b)
    return a == b


def spec_info(row: Any) -> dict[str, Any]:
    """``FeatureSpecInfo``: name, creator, creation_timestamp_ms, owner."""
    return {
        "name": row.full_name,
        "creator": row.created_by,
        "creation_timestamp_ms": int(row.created_at),
        "owner": row.owner,
    }
