"""Evaluating a feature spec for a batch of request rows, and serving it from an endpoint.

``evaluate`` looks each lookup table up once per batch (an online table through its store, a
Delta table through one DuckDB read filtered to the batch's keys), applies renames and
defaults, runs the feature functions in dependency order (one batch call each), and drops
``exclude_columns``. ``FeatureSpecKind`` makes a spec a served entity (task ``feature-spec``):
``{"dataframe_records" | "dataframe_split"}`` in, ``{"outputs": [...]}`` out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
from pydantic import model_validator

from lakeai.errors import InvalidParameterValue
from lakeai.features.specs import TableRef, features_of
from lakeai.features.specs_models import Lookup, SpecDef, function_order
from lakeai.gateway.schemas import REQUEST_MODELS, _Request
from lakeai.serving.entities import ENTITY_SCOPE, EntityInfo
from lakeai.serving.models import ServedEntity

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from lakeai.core.principals import Principal
    from lakeai.services import Services

TASK = "feature-spec"
MAX_ROWS = 10_000


def evaluate(
    services: Services, principal: Principal, name: str, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One output object per request row: lookup keys, features, function outputs."""
    spec = services.feature_specs.load(principal, name, "evaluateFeatureSpec")
    if not isinstance(rows, list) or len(rows) > MAX_ROWS:
        raise InvalidParameterValue(f"Give a list of at most {MAX_ROWS} request rows.")
    if not all(isinstance(r, dict) for r in rows):
        raise InvalidParameterValue("Each request row must be an object.")
    out: list[dict[str, Any]] = [{} for _ in rows]
    context = [dict(r) for r in rows]  # what function bindings may read
    for lookup in spec.lookups:
        ref = services.feature_specs.table(principal, lookup.table_name, "evaluateFeatureSpec")
        checks = [_checker(n, ref.schema.field(n).type) for n in lookup.lookup_key]
        keys = [_key(lookup, checks, row, i) for i, row in enumerate(rows)]
        found = _fetch(services, principal, lookup, ref, keys)
        outputs = [
            (feature, lookup.output(feature), lookup.default_values.get(feature))
            for feature in features_of(lookup, ref)
        ]
        for i, key in enumerate(keys):
            hit = found.get(key)
            values = dict(zip(lookup.lookup_key, key, strict=True))
            for feature, output, default in outputs:
                value = hit.get(feature) if hit is not None else None
                values[output] = default if value is None else value
            out[i].update(values)
            context[i].update(values)
    _run_functions(services, principal, spec, out, context)
    if not spec.exclude_columns:
        return out
    return [{k: v for k, v in o.items() if k not in spec.exclude_columns} for o in out]


Checker = Callable[[Any, int], Any]


def _key(lookup: Lookup, checks: list[Checker], row: dict[str, Any], index: int) -> tuple:
    values = []
    for name, check in zip(lookup.lookup_key, checks, strict=True):
        value = row.get(name)
        if value is None:
            raise InvalidParameterValue(f"Row {index}: lookup key {name} is missing.")
        values.append(check(value, index))
    return tuple(values)


def _checker(name: str, dtype: pa.DataType) -> Checker:
    """A check of one lookup key's values against its column type, built once per batch."""
    if pa.types.is_integer(dtype):
        ok: Callable[[Any], bool] = lambda v: isinstance(v, int) and not isinstance(v, bool)  # noqa: E731
        convert: Callable[[Any], Any] = lambda v: v  # noqa: E731
    elif pa.types.is_floating(dtype):
        ok = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
        convert = float
    elif pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        ok = lambda v: isinstance(v, str)  # noqa: E731
        convert = lambda v: v  # noqa: E731
    else:
        return lambda value, index: value

    def check(value: Any, index: int) -> Any:
        if not ok(value):
            raise InvalidParameterValue(
                f"Row {index}: lookup key {name} must be a {dtype}, got {type(value).__name__}."
            )
        return convert(value)

    return check


def _fetch(
    services: Services, principal: Principal, lookup: Lookup, ref: TableRef, keys: list[tuple]
) -> dict[tuple, dict[str, Any]]:
    unique = list(dict.fromkeys(keys))
    if not unique:
        return {}
    if ref.online:
        order = [lookup.lookup_key.index(c) for c in ref.primary_key if c in lookup.lookup_key]
        keys_in_table_order = [tuple(k[i] for i in order) for k in unique]
        found = services.online_tables.lookup(principal, ref.full_name, keys_in_table_order)
        return {k: r for k, r in zip(unique, found, strict=True) if r is not None}
    return _delta_rows(services, principal, lookup, ref, unique)


def _delta_rows(
    services: Services, principal: Principal, lookup: Lookup, ref: TableRef, keys: list[tuple]
) -> dict[tuple, dict[str, Any]]:
    """One DuckDB read of the table joined to the batch's keys (the latest row per key)."""
    import duckdb

    dataset = services.tables.dataset(principal, ref.full_name)
    names = lookup.lookup_key
    wanted = pa.table(
        {
            n: pa.array([k[i] for k in keys], type=ref.schema.field(n).type)
            for i, n in enumerate(names)
        }
    )
    on = " AND ".join(f't."{n}" = k."{n}"' for n in names)
    order = (
        f'ORDER BY t."{lookup.timestamp_lookup_key}" DESC' if lookup.timestamp_lookup_key else ""
    )
    partition = ", ".join(f't."{n}"' for n in names)
    con = duckdb.connect()
    try:
        con.register("t", dataset)
        con.register("k", wanted)
        table = con.sql(
            f"SELECT t.* FROM t JOIN k ON {on} "
            f"QUALIFY row_number() OVER (PARTITION BY {partition} {order}) = 1"
        ).to_arrow_table()
    finally:
        con.close()
    return {tuple(r[n] for n in names): r for r in table.to_pylist()}


def _run_functions(
    services: Services,
    principal: Principal,
    spec: SpecDef,
    out: list[dict[str, Any]],
    context: list[dict[str, Any]],
) -> None:
    for fn in function_order(spec.functions):
        args = []
        for i, ctx in enumerate(context):
            missing = [b for b in fn.input_bindings.values() if b not in ctx]
            if missing:
                raise InvalidParameterValue(
                    f"Row {i}: {fn.udf_name} needs the request field {missing[0]}."
                )
            args.append({p: ctx[b] for p, b in fn.input_bindings.items()})
        results = services.functions.execute_batch(principal, fn.udf_name, args) if args else []
        for i, value in enumerate(results):
            out[i][fn.output_name] = value
            context[i][fn.output_name] = value


# -- serving endpoints ----------------------------------------------------------------------
class DataframeRequest(_Request):
    """``{"dataframe_records": [...]}`` or ``{"dataframe_split": {"columns", "data"}}``."""

    passthrough: ClassVar[bool] = True

    dataframe_records: list[dict[str, Any]] | None = None
    dataframe_split: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one(self) -> DataframeRequest:
        if (self.dataframe_records is None) == (self.dataframe_split is None):
            raise ValueError("give exactly one of dataframe_records and dataframe_split")
        return self


def request_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    if body.get("dataframe_records") is not None:
        return list(body["dataframe_records"])
    split = body["dataframe_split"]
    columns, data = split.get("columns"), split.get("data")
    if not isinstance(columns, list) or not isinstance(data, list):
        raise InvalidParameterValue("dataframe_split needs columns (a list) and data (rows).")
    if any(not isinstance(r, list) or len(r) != len(columns) for r in data):
        raise InvalidParameterValue(f"Each dataframe_split row needs {len(columns)} values.")
    return [dict(zip(columns, r, strict=True)) for r in data]


class FeatureSpecKind:
    """A served entity whose ``entity_name`` names a feature spec (no version, no model)."""

    kind: ClassVar[str] = "feature_spec"

    def matches(self, entity: ServedEntity) -> bool:
        return (
            entity.external_model is None
            and entity.entity_version is None
            and bool(entity.entity_name)
            and str(entity.entity_name).count(".") == 2
        )

    @staticmethod
    def _scope() -> tuple[Services, Principal]:
        scope = ENTITY_SCOPE.get()
        if scope is None:
            raise InvalidParameterValue("Feature specs are served by a workspace's endpoints only.")
        return scope.services, scope.services.platform.principals.principal_recent(scope.principal)

    def validate(self, entity: ServedEntity, *, allow_link_local: bool) -> EntityInfo:
        services, principal = self._scope()
        services.feature_specs.load(principal, str(entity.entity_name), "createServingEndpoint")
        return EntityInfo(entity.name or "", TASK, "feature_spec", str(entity.entity_name))

    async def call(
        self, entity: ServedEntity, task: str, body: dict[str, Any], ctx: Any
    ) -> dict[str, Any]:
        services, principal = self._scope()
        rows = request_rows(body)
        outputs = await asyncio.to_thread(
            evaluate, services, principal, str(entity.entity_name), rows
        )
        return {"outputs": outputs}

    def stream(
        self, entity: ServedEntity, body: dict[str, Any], ctx: Any
    ) -> AsyncIterator[dict[str, Any]]:
        raise InvalidParameterValue("Feature serving endpoints do not stream.")

    def can_stream(self, entity: ServedEntity) -> bool:
        return False


REQUEST_MODELS[TASK] = DataframeRequest
