"""Arrow datasets shaped so that DuckDB's filter pushdown works on every Delta file.

delta-rs writes files of MERGE/UPDATE/DELETE through DataFusion, which stores strings as
``string_view``; files from plain appends hold ``string``. pyarrow evaluates a pushed-down
filter against each file's own types and has no ``string = string_view`` kernel, so a table
mixing both fails on ``WHERE s = 'x'``. Splitting the files by their physical string types,
each group with a matching schema, lets DuckDB push a literal of the right type into each.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

_VIEW = {pa.string(): pa.string_view(), pa.binary(): pa.binary_view()}


_CACHE_SIZE = 65536
_view_columns: dict[str, frozenset[str]] = {}


def _views(fragment: Any) -> frozenset[str]:
    """Columns a file stores as view types; Delta files never change, so cache by path."""
    path = getattr(fragment, "path", None)
    if path is None:
        return frozenset()
    found = _view_columns.get(path)
    if found is None:
        found = frozenset(
            f.name
            for f in fragment.physical_schema
            if pa.types.is_string_view(f.type) or pa.types.is_binary_view(f.type)
        )
        if len(_view_columns) >= _CACHE_SIZE:
            _view_columns.clear()
        _view_columns[path] = found
    return found


def scan_groups(dataset: Any) -> list[Any]:
    """The dataset itself, or one dataset per physical string layout when files differ."""
    if not isinstance(dataset, ds.FileSystemDataset):
        return [dataset]
    groups: dict[frozenset[str], list[Any]] = {}
    for fragment in dataset.get_fragments():
        groups.setdefault(_views(fragment), []).append(fragment)
    if len(groups) <= 1 and not any(groups):
        return [dataset]
    out = []
    for views, fragments in groups.items():
        schema = pa.schema(
            [
                f.with_type(_VIEW.get(f.type, f.type)) if f.name in views else f
                for f in dataset.schema
            ]
        )
        out.append(ds.FileSystemDataset(fragments, schema, dataset.format, dataset.filesystem))
    return out
