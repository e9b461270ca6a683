"""Tables over REST: metadata through Unity Catalog, data through LakeAI's Arrow IPC API.

Rows travel as one Arrow IPC stream per call (``application/vnd.apache.arrow.stream``), so a
write is one Delta commit on the server exactly as in-process.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pyarrow as pa

from lakeai.catalog.models import TableInfo
from lakeai.errors import InvalidParameterValue, LakeAIError
from lakeai.sdk.http import Transport, segment

UC_TABLES = "/api/2.1/unity-catalog/tables"
DATA = "/api/2.0/lakeai/tables"
ARROW_STREAM = "application/vnd.apache.arrow.stream"


def to_ipc(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def from_ipc(raw: bytes) -> pa.Table:
    return pa.ipc.open_stream(raw).read_all()


def _columns(schema: pa.Schema | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """UC column descriptions (``name``, ``type_text``, ``nullable``) of an Arrow schema."""
    if isinstance(schema, list):
        return schema
    from lakeai.tables.types import type_text

    return [
        {"name": f.name, "type_text": type_text(f.type), "nullable": f.nullable, "position": i}
        for i, f in enumerate(schema)
    ]


def _split(full_name: str) -> tuple[str, str, str]:
    parts = full_name.split(".")
    if len(parts) != 3:
        raise InvalidParameterValue(
            f"Table name {full_name!r} must have three parts: catalog.schema.table."
        )
    return parts[0], parts[1], parts[2]


def _arrow(data: Any) -> pa.Table:
    from lakeai.tables.data import normalize_types, to_arrow

    return normalize_types(to_arrow(data))


class RemoteTables:
    def __init__(self, http: Transport) -> None:
        self._http = http

    # -- metadata -------------------------------------------------------------------------
    def create(
        self,
        full_name: str,
        *,
        schema: pa.Schema | list[dict[str, Any]] | None = None,
        data: Any = None,
        primary_key: list[str] | str | None = None,
        comment: str | None = None,
        properties: dict[str, str] | None = None,
        storage_location: str | None = None,
        partition_by: list[str] | None = None,
    ) -> TableInfo:
        """Create with the schema, then append the data; a failed append drops the table."""
        arrow_data = _arrow(data) if data is not None else None
        if schema is None:
            if arrow_data is None:
                raise InvalidParameterValue(
                    "Give a schema (columns) or data to create a table from."
                )
            schema = arrow_data.schema
        catalog, schema_name, name = _split(full_name)
        body = {
            "catalog_name": catalog,
            "schema_name": schema_name,
            "name": name,
            "columns": _columns(schema),
            "primary_key": [primary_key] if isinstance(primary_key, str) else primary_key,
            "comment": comment,
            "properties": properties,
            "storage_location": storage_location,
            "partition_by": partition_by,
        }
        info = TableInfo(**self._http.post(UC_TABLES, body))
        if arrow_data is not None and arrow_data.num_rows:
            try:
                self.append(info.full_name, arrow_data)
            except LakeAIError:
                self.delete(info.full_name)
                raise
        return info

    def register(
        self,
        full_name: str,
        storage_location: str,
        *,
        comment: str | None = None,
        primary_key: list[str] | None = None,
    ) -> TableInfo:
        """Register an existing Delta table at an external location (UC create, no columns)."""
        catalog, schema, name = _split(full_name)
        body = {
            "catalog_name": catalog,
            "schema_name": schema,
            "name": name,
            "storage_location": storage_location,
            "comment": comment,
            "primary_key": primary_key,
        }
        return TableInfo(**self._http.post(UC_TABLES, body))

    def get(self, full_name: str) -> TableInfo:
        return TableInfo(**self._http.get(f"{UC_TABLES}/{segment(full_name)}"))

    def exists(self, full_name: str) -> bool:
        body = self._http.get(f"{UC_TABLES}/{segment(full_name)}/exists")
        return bool(body.get("table_exists"))

    def list(self, catalog_name: str, schema_name: str) -> list[TableInfo]:
        found = self._http.pages(
            UC_TABLES, "tables", catalog_name=catalog_name, schema_name=schema_name
        )
        return [TableInfo(**t) for t in found]

    def update(
        self,
        full_name: str,
        *,
        comment: str | None = None,
        owner: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> TableInfo:
        body = {"comment": comment, "owner": owner, "properties": properties}
        return TableInfo(**self._http.patch(f"{UC_TABLES}/{segment(full_name)}", body))

    def delete(self, full_name: str) -> None:
        self._http.delete(f"{UC_TABLES}/{segment(full_name)}")

    def primary_key(self, full_name: str) -> list[str]:
        return self.get(full_name).primary_key

    # -- writes ---------------------------------------------------------------------------
    def _write(
        self, mode: str, full_name: str, data: Any, keys: list[str] | None = None
    ) -> dict[str, Any]:
        return self._http.json(
            "POST",
            f"{DATA}/{segment(full_name)}/data",
            params={"mode": mode, "keys": ",".join(keys) if keys else None},
            content=to_ipc(_arrow(data)),
            headers={"Content-Type": ARROW_STREAM},
        )

    def append(self, full_name: str, data: Any) -> dict[str, Any]:
        return self._write("append", full_name, data)

    def overwrite(self, full_name: str, data: Any) -> dict[str, Any]:
        return self._write("overwrite", full_name, data)

    def merge(self, full_name: str, data: Any, *, keys: list[str] | None = None) -> dict[str, Any]:
        """Upsert by the table's primary key, or by ``keys``."""
        return self._write("merge", full_name, data, keys)

    def delete_rows(self, full_name: str, predicate: str | None) -> dict[str, Any]:
        return self._http.post(f"{DATA}/{segment(full_name)}/delete", {"predicate": predicate})

    def update_rows(
        self, full_name: str, updates: dict[str, str], predicate: str | None
    ) -> dict[str, Any]:
        body = {"updates": updates, "predicate": predicate}
        return self._http.post(f"{DATA}/{segment(full_name)}/update", body)

    # -- reads ----------------------------------------------------------------------------
    def read(
        self,
        full_name: str,
        *,
        version: int | None = None,
        timestamp: datetime | str | None = None,
        columns: list[str] | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        """Rows as Arrow (filter with ``sql()``; this is a plain projection and limit)."""
        params = {
            "version": version,
            "timestamp": timestamp.isoformat() if isinstance(timestamp, datetime) else timestamp,
            "columns": ",".join(columns) if columns else None,
            "limit": limit,
        }
        response = self._http.raw("GET", f"{DATA}/{segment(full_name)}/data", params=params)
        return from_ipc(response.content)

    def history(self, full_name: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        return self._http.get(f"{DATA}/{segment(full_name)}/history", limit=limit)["history"]

    def version(self, full_name: str) -> int:
        return int(self.history(full_name, limit=1)[0]["version"])

    def changes(
        self, full_name: str, *, start_version: int = 0, end_version: int | None = None
    ) -> pa.Table:
        params = {"start_version": start_version, "end_version": end_version}
        response = self._http.raw("GET", f"{DATA}/{segment(full_name)}/changes", params=params)
        return from_ipc(response.content)
