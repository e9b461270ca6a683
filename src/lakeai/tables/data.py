"""Turning user data (Arrow, pandas, rows, Parquet/CSV/JSON files) into Arrow that fits a table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lakeai.errors import InvalidParameterValue
from lakeai.tables.types import type_text

FILE_FORMATS = ("parquet", "csv", "json")


def read_file(path: str | Path, fmt: str | None = None) -> pa.Table:
    """Read a Parquet, CSV or JSON-lines file into Arrow."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt in ("jsonl", "ndjson"):
        fmt = "json"
    if not path.is_file():
        raise InvalidParameterValue(f"No file at {path}.")
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path)
        if fmt == "csv":
            import pyarrow.csv as pcsv

            return pcsv.read_csv(path)
        if fmt == "json":
            import pyarrow.json as pjson

            return pjson.read_json(path)
    except pa.ArrowInvalid as exc:
        raise InvalidParameterValue(f"Could not read {path.name} as {fmt}: {exc}") from exc
    raise InvalidParameterValue(f"Unknown file format {fmt!r}; valid: {', '.join(FILE_FORMATS)}.")


def to_arrow(data: Any) -> pa.Table:
    """Accept an Arrow table or batch, a pandas DataFrame, a list of row dicts, or a file path."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, (str, Path)):
        return read_file(data)
    if isinstance(data, list):
        if data and not all(isinstance(r, dict) for r in data):
            raise InvalidParameterValue("Rows must be objects mapping column names to values.")
        try:
            return pa.Table.from_pylist(data)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InvalidParameterValue(f"Rows do not form a table: {exc}") from exc
    if hasattr(data, "to_arrow") and not hasattr(data, "columns"):
        return data.to_arrow()
    try:
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return pa.Table.from_pandas(data, preserve_index=False)
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if hasattr(data, "to_arrow"):
        return data.to_arrow()
    raise InvalidParameterValue(
        f"Cannot load data of type {type(data).__name__}: pass Arrow, pandas, rows or a file path."
    )


def normalize_types(table: pa.Table) -> pa.Table:
    """Large/view strings to plain strings and naive-free timestamps in us, as Delta stores them."""
    fields = []
    changed = False
    for field in table.schema:
        t = field.type
        if pa.types.is_large_string(t) or pa.types.is_string_view(t):
            t = pa.string()
        elif pa.types.is_timestamp(t) and t.unit != "us":
            t = pa.timestamp("us", tz=t.tz)
        elif pa.types.is_null(t):
            t = pa.string()
        changed |= t != field.type
        fields.append(pa.field(field.name, t, field.nullable))
    return table.cast(pa.schema(fields)) if changed else table


def conform(data: pa.Table, target: pa.Schema, table_name: str) -> pa.Table:
    """Reorder and safely cast ``data`` to ``target``; a clear error naming the column otherwise."""
    names = set(data.column_names)
    extra = [n for n in data.column_names if n not in set(target.names)]
    if extra:
        raise InvalidParameterValue(
            f"Columns {', '.join(extra)} are not in table {table_name} "
            f"(its columns: {', '.join(target.names)})."
        )
    columns = []
    for field in target:
        if field.name not in names:
            if not field.nullable:
                raise InvalidParameterValue(
                    f"Column {field.name} of table {table_name} is NOT NULL and missing from the data."
                )
            columns.append(pa.nulls(data.num_rows, field.type))
            continue
        column = data.column(field.name)
        if column.type != field.type:
            try:
                column = pc.cast(column, field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise InvalidParameterValue(
                    f"Column {field.name} has type {type_text(data.schema.field(field.name).type)}, "
                    f"table {table_name} expects {type_text(field.type)}."
                ) from exc
        if not field.nullable and column.null_count:
            raise InvalidParameterValue(
                f"Column {field.name} of table {table_name} is NOT NULL; {column.null_count} row(s) are null."
            )
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=target)
