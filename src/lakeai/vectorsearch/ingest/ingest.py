"""``ingest(ws, source, table)``: documents to a governed Delta table of chunks.

Everything goes through ``ws.tables``, so the same code runs on an in-process
``lakeai.Workspace`` and a remote ``lakeai.connect`` client, and grants apply: creating the
table needs CREATE_TABLE on its schema, writing needs MODIFY.

Commits: one run makes at most two. All chunks of new and changed files are upserted by
``chunk_id`` in one MERGE; then, only when some chunks went away (a changed file now has fewer
chunks, or ``prune`` drops vanished files), one DELETE removes them. Merging first means a
crash in between leaves extra stale chunks, never missing ones, and the next run repairs it:
a file counts as unchanged only when all its rows carry its current ``content_hash``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from lakeai.errors import InvalidParameterValue
from lakeai.vectorsearch.ingest.chunking import (
    DEFAULT_CHUNK_TOKENS,
    DEFAULT_OVERLAP,
    check_settings,
    chunk_pieces,
)
from lakeai.vectorsearch.ingest.parsers import ParseError, parser_for
from lakeai.vectorsearch.ingest.sources import (
    SourceFile,
    chunk_id,
    resolve_root,
    source_files,
    sql_string,
)

CHUNK_SCHEMA = pa.schema(
    [
        pa.field("chunk_id", pa.string(), nullable=False),
        pa.field("source_path", pa.string()),
        pa.field("page", pa.int64()),
        pa.field("section", pa.string()),
        pa.field("chunk_index", pa.int64()),
        pa.field("text", pa.string()),
        pa.field("content_hash", pa.string()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)

PARSED, UNCHANGED, UNSUPPORTED, FAILED = "parsed", "unchanged", "unsupported", "failed"


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file; passed to the progress callback as each file is done."""

    source_path: str
    status: str  # parsed | unchanged | unsupported | failed
    chunks: int = 0
    message: str | None = None


Progress = Callable[[FileOutcome, int, int], None]  # (outcome, files done, files in all)


@dataclass
class IngestResult:
    table: str
    files: list[FileOutcome] = field(default_factory=list)
    chunks_written: int = 0
    chunks_deleted: int = 0
    pruned: list[str] = field(default_factory=list)
    version: int | None = None

    def paths(self, status: str) -> list[str]:
        return [f.source_path for f in self.files if f.status == status]

    def as_dict(self) -> dict[str, Any]:
        """The summary for ``--json`` and the REST layer: counts first, then the details."""
        return {
            "table": self.table,
            "files_parsed": len(self.paths(PARSED)),
            "files_unchanged": len(self.paths(UNCHANGED)),
            "files_unsupported": len(self.paths(UNSUPPORTED)),
            "files_failed": len(self.paths(FAILED)),
            "chunks_written": self.chunks_written,
            "chunks_deleted": self.chunks_deleted,
            "pruned": self.pruned,
            "version": self.version,
            "unsupported": self.paths(UNSUPPORTED),
            "failed": [asdict(f) for f in self.files if f.status == FAILED],
        }


@dataclass
class _Stored:
    """What the table already holds for one source path."""

    hashes: set[str] = field(default_factory=set)
    count: int = 0  # chunk_index upper bound: max index + 1


def _stored(ws: Any, table: str) -> dict[str, _Stored]:
    """Per source path: its content hashes and chunk count; creates the table when missing."""
    if not ws.tables.exists(table):
        ws.tables.create(
            table,
            schema=CHUNK_SCHEMA,
            primary_key=["chunk_id"],
            comment="Document chunks written by lakeai ingest.",
        )
        return {}
    names = ws.tables.read(table, limit=0).schema.names
    missing = [c for c in CHUNK_SCHEMA.names if c not in names]
    if missing:
        raise InvalidParameterValue(
            f"Table {table} is not a chunk table (missing {', '.join(missing)}); "
            "ingest into a new table."
        )
    existing = ws.tables.read(table, columns=["source_path", "content_hash", "chunk_index"])
    stored: dict[str, _Stored] = {}
    for row in existing.to_pylist():
        entry = stored.setdefault(row["source_path"], _Stored())
        entry.hashes.add(row["content_hash"])
        entry.count = max(entry.count, int(row["chunk_index"]) + 1)
    return stored


def _rows(
    file: SourceFile, content_hash: str, data: bytes, now: datetime, tokens: tuple[int, int]
) -> list[dict[str, Any]]:
    parser = parser_for(file.path.name)
    assert parser is not None  # unsupported files are filtered out before
    pieces = parser.parse(data, file.relative)
    chunks = chunk_pieces(pieces, chunk_tokens=tokens[0], overlap=tokens[1])
    return [
        {
            "chunk_id": chunk_id(file.relative, index),
            "source_path": file.relative,
            "page": chunk.page,
            "section": chunk.section,
            "chunk_index": index,
            "text": chunk.text,
            "content_hash": content_hash,
            "ingested_at": now,
        }
        for index, chunk in enumerate(chunks)
    ]


def _process(
    file: SourceFile,
    stored: dict[str, _Stored],
    now: datetime,
    tokens: tuple[int, int],
    rows: list[dict[str, Any]],
) -> FileOutcome:
    """Parse one file into ``rows``; a parse failure is the file's outcome, not an exception."""
    if parser_for(file.path.name) is None:
        return FileOutcome(file.relative, UNSUPPORTED, message="no parser for this file type")
    try:
        data, content_hash = file.read()
        before = stored.get(file.relative)
        if before is not None and before.hashes == {content_hash}:
            return FileOutcome(file.relative, UNCHANGED)
        new_rows = _rows(file, content_hash, data, now, tokens)
    except (ParseError, OSError, UnicodeError) as exc:
        return FileOutcome(file.relative, FAILED, message=str(exc))
    except Exception as exc:  # a parser's own bug must not stop the other files
        return FileOutcome(file.relative, FAILED, message=f"{type(exc).__name__}: {exc}")
    rows.extend(new_rows)
    note = None if new_rows else "no text found (a scanned PDF needs OCR first)"
    return FileOutcome(file.relative, PARSED, chunks=len(new_rows), message=note)


def _stale_predicate(
    outcomes: list[FileOutcome], stored: dict[str, _Stored], pruned: list[str]
) -> str | None:
    """SQL for the chunks to delete: tails of shrunken files, and pruned files entirely."""
    terms = [
        f"(source_path = {sql_string(o.source_path)} AND chunk_index >= {o.chunks})"
        for o in outcomes
        if o.status == PARSED and stored.get(o.source_path, _Stored()).count > o.chunks
    ]
    if pruned:
        terms.append(f"source_path IN ({', '.join(sql_string(p) for p in pruned)})")
    return " OR ".join(terms) or None


def ingest(
    ws: Any,
    source: str | Path,
    table: str,
    *,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_OVERLAP,
    prune: bool = False,
    progress: Progress | None = None,
) -> IngestResult:
    """Parse, chunk and merge the documents of ``source`` into ``table`` (created if missing)."""
    check_settings(chunk_tokens, overlap)
    root, paths = resolve_root(ws, source)
    stored = _stored(ws, table)
    files = source_files(root, paths)
    result = IngestResult(table)
    rows: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for done, file in enumerate(files, start=1):
        outcome = _process(file, stored, now, (chunk_tokens, overlap), rows)
        result.files.append(outcome)
        if progress is not None:
            progress(outcome, done, len(files))
    if prune and not Path(source).expanduser().is_file():  # a lone file prunes nothing
        present = {f.relative for f in files}
        result.pruned = sorted(p for p in stored if p not in present)
    if rows:
        written = ws.tables.merge(table, pa.Table.from_pylist(rows, schema=CHUNK_SCHEMA))
        result.chunks_written, result.version = len(rows), written["version"]
    predicate = _stale_predicate(result.files, stored, result.pruned)
    if predicate:
        deleted = ws.tables.delete_rows(table, predicate)
        result.chunks_deleted, result.version = deleted["num_deleted"], deleted["version"]
    return result
