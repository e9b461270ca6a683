"""Training sets: a point-in-time correct join of labels to feature tables, computed by DuckDB.

``create_training_set`` reads every lookup table through the governed table service (SELECT
checked; an online table is read through its source Delta table), joins it to the labels and
then applies the same renames, defaults and feature functions as online serving
(``features.serving``), so offline and online compute the same values:

- a lookup with an event-time column (its ``timestamp_lookup_key``, or an online table's
  ``timeseries_key``) and a label time (``timestamp_column``, or a label column named like the
  ``timestamp_lookup_key``): ``ASOF LEFT JOIN`` -- the latest feature row whose event time is at
  or before the label's time, never a later one;
- otherwise a left join to the latest row per key (what an online table holds).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from lakeai.catalog.names import parse
from lakeai.errors import InvalidParameterValue
from lakeai.features.serving import _run_functions
from lakeai.features.specs import TableRef, features_of
from lakeai.features.specs_models import Lookup, SpecDef, parse_features

if TYPE_CHECKING:
    from lakeai.core.principals import Principal
    from lakeai.services import Services

ACTION = "createTrainingSet"
ROW = "__lakeai_row"


def create_training_set(
    services: Services,
    principal: Principal,
    labels: Any,
    features: str | list[dict[str, Any]],
    *,
    timestamp_column: str | None = None,
    exclude_columns: Iterable[str] = (),
) -> pa.Table:
    """The labels with every feature and function output appended (spec name or feature list)."""
    table = as_table(labels)
    if timestamp_column is not None and timestamp_column not in table.column_names:
        raise InvalidParameterValue(
            f"timestamp_column {timestamp_column!r} is not a label column; columns: "
            f"{', '.join(table.column_names)}."
        )
    spec = _spec(services, principal, features)
    for lookup in spec.lookups:
        ref = services.feature_specs.table(principal, lookup.table_name, ACTION)
        table = _join(services, principal, table, lookup, ref, timestamp_column)
    table = _apply_functions(services, principal, spec, table)
    drop = set(spec.exclude_columns) | set(exclude_columns)
    return table.drop_columns([c for c in table.column_names if c in drop])


def as_table(labels: Any) -> pa.Table:
    """A pyarrow table from a table, a pandas DataFrame or a list of row objects."""
    if isinstance(labels, pa.Table):
        return labels
    if isinstance(labels, list):
        if not all(isinstance(r, dict) for r in labels):
            raise InvalidParameterValue("labels rows must be objects.")
        return pa.Table.from_pylist(labels)
    if type(labels).__name__ == "DataFrame" and hasattr(labels, "to_dict"):
        return pa.Table.from_pandas(labels, preserve_index=False)
    raise InvalidParameterValue(
        "labels must be a pyarrow Table, a pandas DataFrame or a list of row objects."
    )


def _spec(services: Services, principal: Principal, features: Any) -> SpecDef:
    if isinstance(features, str):
        return services.feature_specs.load(principal, features, ACTION)
    lookups, functions = parse_features(features)
    spec = SpecDef(lookups, functions)
    services.feature_specs.validate(principal, spec)
    return spec


def _join(
    services: Services,
    principal: Principal,
    labels: pa.Table,
    lookup: Lookup,
    ref: TableRef,
    timestamp_column: str | None,
) -> pa.Table:
    import duckdb

    missing = [k for k in lookup.lookup_key if k not in labels.column_names]
    if missing:
        raise InvalidParameterValue(
            f"labels have no lookup key {', '.join(missing)} of {ref.full_name}."
        )
    features = features_of(lookup, ref)
    outputs = [lookup.output(f) for f in features]
    clash = [o for o in outputs if o in labels.column_names]
    if clash:
        raise InvalidParameterValue(
            f"Feature output {clash[0]!r} of {ref.full_name} is already a label column; "
            "rename it with rename_outputs."
        )
    event = lookup.timestamp_lookup_key or ref.timestamp_key
    label_time = timestamp_column or (
        lookup.timestamp_lookup_key if lookup.timestamp_lookup_key in labels.column_names else None
    )
    dataset = services.tables.dataset(principal, _delta_name(services, ref))
    indexed = labels.append_column(ROW, pa.array(range(labels.num_rows), pa.int64()))
    picks = ", ".join(f't."{f}" AS "{o}"' for f, o in zip(features, outputs, strict=True))
    on = " AND ".join(f'l."{k}" = t."{k}"' for k in lookup.lookup_key)
    if event and label_time:
        source = "t"
        join = f'ASOF LEFT JOIN t ON {on} AND l."{label_time}" >= t."{event}"'
    else:
        order = f'ORDER BY "{event}" DESC' if event else ""
        keys = ", ".join(f'"{k}"' for k in lookup.lookup_key)
        source = f"(SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY {keys} {order}) = 1)"
        join = f"LEFT JOIN {source} AS t ON {on}"
    con = duckdb.connect()
    try:
        con.register("t", dataset)
        con.register("l", indexed)
        joined = con.sql(
            f'SELECT l."{ROW}", {picks} FROM l {join} ORDER BY l."{ROW}"'
        ).to_arrow_table()
    finally:
        con.close()
    for feature, output in zip(features, outputs, strict=True):
        labels = labels.append_column(output, _defaulted(joined[output], lookup, feature))
    return labels


def _delta_name(services: Services, ref: TableRef) -> str:
    """The Delta table behind a lookup table (an online table's source table)."""
    if not ref.online:
        return ref.full_name
    row = services.platform.securables.get("online_table", parse(ref.full_name, "table"))
    return str(row.spec["source_table"])


def _defaulted(column: pa.ChunkedArray, lookup: Lookup, feature: str) -> pa.ChunkedArray:
    if feature not in lookup.default_values or column.null_count == 0:
        return column
    default = lookup.default_values[feature]
    try:
        return pc.fill_null(column, pa.scalar(default, type=column.type))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        values = [default if v is None else v for v in column.to_pylist()]
        return pa.chunked_array([pa.array(values)])


def _apply_functions(
    services: Services, principal: Principal, spec: SpecDef, table: pa.Table
) -> pa.Table:
    if not spec.functions:
        return table
    context = table.to_pylist()
    out: list[dict[str, Any]] = [{} for _ in context]
    _run_functions(services, principal, spec, out, context)
    for fn_output in dict.fromkeys(fn.output_name for fn in spec.functions):
        if fn_output in table.column_names:
            raise InvalidParameterValue(
                f"Feature function output {fn_output!r} is already a label column."
            )
        table = table.append_column(fn_output, pa.array([o.get(fn_output) for o in out]))
    return table
