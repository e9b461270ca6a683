"""Reading CSV, Parquet and JSON files for ``tables create --from`` and ``tables load``.

A file is read in batches with a progress bar (on stderr, for large files) and sent as one
table, so a load is one commit: a file that fails to parse half-way writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from lakeai.errors import InvalidParameterValue

PROGRESS_MIN_BYTES = 1 << 20  # smaller files load before a bar would be seen
FORMATS = {"csv": "csv", "parquet": "parquet", "pq": "parquet", "json": "json", "jsonl": "json"}


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise InvalidParameterValue(
            f"Cannot tell the format of {path.name}; use a .csv, .parquet or .json(l) file."
        )
    return fmt


def _csv_batches(path: Path, schema: pa.Schema | None) -> Iterator[tuple[pa.RecordBatch, int]]:
    import pyarrow.csv as pcsv

    types = {f.name: f.type for f in schema} if schema is not None else {}
    options = pcsv.ConvertOptions(column_types=types, strings_can_be_null=True)
    with path.open("rb") as fh:
        reader = pcsv.open_csv(fh, convert_options=options)
        for batch in reader:
            yield batch, fh.tell()


def _parquet_batches(path: Path) -> Iterator[tuple[pa.RecordBatch, int]]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    size, total_rows, seen = path.stat().st_size, max(parquet.metadata.num_rows, 1), 0
    for batch in parquet.iter_batches():
        seen += batch.num_rows
        yield batch, size * seen // total_rows


def _json_batches(path: Path) -> Iterator[tuple[pa.RecordBatch, int]]:
    import pyarrow.json as pjson

    for batch in pjson.read_json(path).to_batches():
        yield batch, path.stat().st_size


def _batches(path: Path, schema: pa.Schema | None) -> Iterator[tuple[pa.RecordBatch, int]]:
    fmt = file_format(path)
    if fmt == "csv":
        return _csv_batches(path, schema)
    if fmt == "parquet":
        return _parquet_batches(path)
    return _json_batches(path)


def read_table(path: str | Path, schema: pa.Schema | None = None, *, progress: bool = True) -> Any:
    """The whole file as one Arrow table, typed by ``schema`` where the format allows."""
    path = Path(path)
    if not path.is_file():
        raise InvalidParameterValue(f"No file at {path}.")
    size = path.stat().st_size
    batches: list[pa.RecordBatch] = []
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from lakeai.cli.output import console

    bar = Progress(
        TextColumn("reading {task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=console(stderr=True),
        transient=True,
        disable=not progress or size < PROGRESS_MIN_BYTES,
    )
    try:
        with bar:
            task = bar.add_task(path.name, total=size)
            for batch, position in _batches(path, schema):
                batches.append(batch)
                bar.update(task, completed=position)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise InvalidParameterValue(f"Could not read {path.name}: {exc}") from exc
    if not batches:
        return pa.table({f.name: pa.array([], f.type) for f in schema}) if schema else pa.table({})
    return pa.Table.from_batches(batches)
