"""Checking a create-index request against its source table and embedding endpoint.

Every mistake is a 400 that says how to fix it: a source without the change data feed or
without the primary key column, an embedding column that is not text, a vector column of
the wrong type, an endpoint that does not serve embeddings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from lakeai.errors import InvalidParameterValue
from lakeai.tables.types import arrow_type

INDEX_TYPES = ("DELTA_SYNC", "DIRECT_ACCESS")
PIPELINE_TYPES = ("TRIGGERED", "CONTINUOUS")
SUBTYPES = ("VECTOR", "HYBRID", "FULL_TEXT")
METRICS = ("cosine", "l2", "inner_product")


@dataclass
class IndexPlan:
    """Everything needed to build an index's store, derived from the request."""

    index_type: str
    primary_key: str
    columns: dict[str, pa.DataType]  # synced columns, primary key included
    subtype: str = "VECTOR"
    text_column: str | None = None
    vector_column: str | None = None
    dimension: int | None = None
    embedding_endpoint: str | None = None
    query_endpoint: str | None = None
    source_table: str | None = None
    pipeline_type: str | None = None
    metric: str = "cosine"
    spec: dict[str, Any] = field(default_factory=dict)


def _one(items: Any, what: str) -> dict[str, Any] | None:
    if not items:
        return None
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise InvalidParameterValue(f"{what} must be a list with exactly one column.")
    return items[0]


def _is_vector(dtype: pa.DataType) -> bool:
    return (
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
    ) and (pa.types.is_floating(dtype.value_type))


def plan_delta_sync(
    primary_key: str,
    spec: dict[str, Any],
    source_schema: pa.Schema,
    cdf_enabled: bool,
    subtype: str,
) -> IndexPlan:
    source = spec.get("source_table")
    if not cdf_enabled:
        raise InvalidParameterValue(
            f"Source table {source} does not have the change data feed on; enable it with "
            f"ALTER TABLE {source} SET TBLPROPERTIES (delta.enableChangeDataFeed = true) "
            "(LakeAI's managed tables have it on)."
        )
    names = source_schema.names
    if primary_key not in names:
        raise InvalidParameterValue(
            f"Primary key {primary_key!r} is not a column of {source} (columns: {', '.join(names)})."
        )
    pipeline = str(spec.get("pipeline_type") or "TRIGGERED").upper()
    if pipeline not in PIPELINE_TYPES:
        raise InvalidParameterValue(f"pipeline_type must be one of {', '.join(PIPELINE_TYPES)}.")
    source_col = _one(spec.get("embedding_source_columns"), "embedding_source_columns")
    vector_col = _one(spec.get("embedding_vector_columns"), "embedding_vector_columns")
    plan = IndexPlan(
        "DELTA_SYNC", primary_key, {}, subtype=subtype, source_table=source, pipeline_type=pipeline
    )
    if source_col and vector_col:
        raise InvalidParameterValue(
            "Give embedding_source_columns or embedding_vector_columns, not both."
        )
    if source_col:
        name = source_col.get("name")
        if name not in names or not pa.types.is_string(source_schema.field(name).type):
            raise InvalidParameterValue(
                f"Embedding source column {name!r} must be a string column of {source}."
            )
        plan.text_column = name
        plan.embedding_endpoint = source_col.get("embedding_model_endpoint_name")
        plan.query_endpoint = (
            source_col.get("model_endpoint_name_for_query") or plan.embedding_endpoint
        )
        if not plan.embedding_endpoint and subtype != "FULL_TEXT":
            raise InvalidParameterValue(
                "embedding_source_columns needs embedding_model_endpoint_name."
            )
    elif vector_col:
        name = vector_col.get("name")
        if name not in names or not _is_vector(source_schema.field(name).type):
            raise InvalidParameterValue(
                f"Embedding vector column {name!r} must be an array<float> column of {source}."
            )
        plan.vector_column = name
        plan.dimension = _dimension(vector_col)
    elif subtype != "FULL_TEXT":
        raise InvalidParameterValue(
            "A delta-sync index needs embedding_source_columns (LakeAI embeds the text) or "
            "embedding_vector_columns (the table holds vectors)."
        )
    wanted = spec.get("columns_to_sync") or names
    unknown = [c for c in wanted if c not in names]
    if unknown:
        raise InvalidParameterValue(
            f"columns_to_sync names unknown columns {', '.join(unknown)} (columns: {', '.join(names)})."
        )
    keep = dict.fromkeys(
        [primary_key, *[c for c in (plan.text_column, plan.vector_column) if c], *wanted]
    )
    plan.columns = {c: source_schema.field(c).type for c in keep}
    return plan


def _dimension(column: dict[str, Any]) -> int:
    dim = column.get("embedding_dimension")
    if not isinstance(dim, int) or not 1 <= dim <= 65536:
        raise InvalidParameterValue("embedding_dimension must be a whole number from 1 to 65536.")
    return dim


def plan_direct_access(primary_key: str, spec: dict[str, Any], subtype: str) -> IndexPlan:
    raw = spec.get("schema_json")
    try:
        schema = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise InvalidParameterValue(
            "schema_json must be a JSON object string of {column: type}."
        ) from None
    if not isinstance(schema, dict) or not schema:
        raise InvalidParameterValue("schema_json must be a JSON object string of {column: type}.")
    columns = {str(k): arrow_type(_spark_alias(str(v))) for k, v in schema.items()}
    if primary_key not in columns:
        raise InvalidParameterValue(f"Primary key {primary_key!r} is not in schema_json.")
    vector_col = _one(spec.get("embedding_vector_columns"), "embedding_vector_columns")
    plan = IndexPlan("DIRECT_ACCESS", primary_key, columns, subtype=subtype)
    if vector_col:
        name = vector_col.get("name")
        if name not in columns or not _is_vector(columns[name]):
            raise InvalidParameterValue(
                f"Embedding vector column {name!r} must be an array<float> column in schema_json."
            )
        plan.vector_column = name
        plan.dimension = _dimension(vector_col)
    source_col = spec.get("embedding_source_columns")
    if source_col:
        plan.query_endpoint = (source_col[0] or {}).get("embedding_model_endpoint_name")
    if plan.vector_column is None:
        raise InvalidParameterValue("A direct-access index needs embedding_vector_columns.")
    return plan


def _spark_alias(text: str) -> str:
    return {"integer": "int", "long": "bigint", "short": "smallint", "byte": "tinyint"}.get(
        text.lower(), text
    )
