"""LakeAI's bulk data API for tables (Databricks does this with Spark).

``POST /api/2.0/lakeai/tables/{name}/data?mode=append|overwrite|merge`` takes an Arrow IPC
stream (``application/vnd.apache.arrow.stream``), Parquet (``application/vnd.apache.parquet``),
CSV (``text/csv``) or JSON rows (``application/json``: ``[{...}, ...]``).
``GET .../data`` answers an Arrow IPC stream; ``.../history``, ``.../changes``, ``.../delete``
and ``.../update`` complete the set.
"""

from __future__ import annotations

import functools
import io
from typing import Any

import pyarrow as pa
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from lakeai.errors import InvalidParameterValue
from lakeai.server.deps import PrincipalDep, ServicesDep
from lakeai.server.routers._models import Body

router = APIRouter(prefix="/api/2.0/lakeai/tables", tags=["table data"])

ARROW_STREAM = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"
WRITE_MODES = ("append", "overwrite", "merge")


def decode_body(content_type: str, raw: bytes) -> pa.Table:
    """Arrow table from a request body in one of the accepted formats."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        if kind == ARROW_STREAM:
            return pa.ipc.open_stream(raw).read_all()
        if kind == PARQUET:
            import pyarrow.parquet as pq

            return pq.read_table(io.BytesIO(raw))
        if kind == "text/csv":
            import pyarrow.csv as pcsv

            return pcsv.read_csv(io.BytesIO(raw))
        if kind == "application/json":
            import json

            rows = json.loads(raw or b"[]")
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise InvalidParameterValue("A JSON body must be a list of row objects.")
            return pa.Table.from_pylist(rows)
    except (pa.ArrowInvalid, ValueError, OSError) as exc:
        raise InvalidParameterValue(f"Could not decode the {kind} body: {str(exc)[:200]}") from exc
    raise InvalidParameterValue(
        f"Unsupported Content-Type {kind!r}; use {ARROW_STREAM}, {PARQUET}, text/csv or application/json."
    )


def arrow_response(table: pa.Table) -> Response:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return Response(sink.getvalue(), media_type=ARROW_STREAM)


@router.post("/{full_name}/data")
async def write_data(
    full_name: str,
    request: Request,
    s: ServicesDep,
    p: PrincipalDep,
    mode: str = "append",
    keys: str | None = None,
) -> dict[str, Any]:
    """Write a body of rows; ``keys=a,b`` merges on those columns instead of the primary key."""
    if mode not in WRITE_MODES:
        raise InvalidParameterValue(f"mode must be one of {', '.join(WRITE_MODES)}.")
    if keys and mode != "merge":
        raise InvalidParameterValue("keys applies to mode=merge only.")
    table = decode_body(request.headers.get("content-type", ""), await request.body())
    write = getattr(s.tables, mode)
    if keys:
        write = functools.partial(write, keys=[k for k in keys.split(",") if k])
    return await run_in_threadpool(write, p, full_name, table)


@router.get("/{full_name}/data")
def read_data(
    full_name: str,
    s: ServicesDep,
    p: PrincipalDep,
    version: int | None = None,
    timestamp: str | None = None,
    columns: str | None = None,
    limit: int | None = None,
) -> Response:
    cols = [c for c in columns.split(",") if c] if columns else None
    table = s.tables.read(
        p, full_name, version=version, timestamp=timestamp, columns=cols, limit=limit
    )
    return arrow_response(table)


class DeleteRows(Body):
    predicate: str | None = None


@router.post("/{full_name}/delete")
def delete_rows(
    full_name: str, body: DeleteRows, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    return s.tables.delete_rows(p, full_name, body.predicate)


class UpdateRows(Body):
    updates: dict[str, str]
    predicate: str | None = None


@router.post("/{full_name}/update")
def update_rows(
    full_name: str, body: UpdateRows, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    """Set columns to SQL expressions where the predicate holds (``{"updates": {"c": "c + 1"}}``)."""
    return s.tables.update_rows(p, full_name, body.updates, body.predicate)


@router.get("/{full_name}/history")
def history(
    full_name: str, s: ServicesDep, p: PrincipalDep, limit: int | None = None
) -> dict[str, Any]:
    return {"history": s.tables.history(p, full_name, limit=limit)}


@router.get("/{full_name}/changes")
def changes(
    full_name: str,
    s: ServicesDep,
    p: PrincipalDep,
    start_version: int = 0,
    end_version: int | None = None,
) -> Response:
    return arrow_response(
        s.tables.changes(p, full_name, start_version=start_version, end_version=end_version)
    )
