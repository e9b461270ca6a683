"""Document ingestion, the "parse the PDFs" step of a RAG app: files to a table of chunks.

``ingest(ws, "docs/", "main.support.policy_chunks")`` parses every supported file (PDF,
Markdown, HTML, text; more through ``register()``), splits it into token-bounded, overlapping
chunks that keep their page and section, and merges them into a governed Delta table that a
delta-sync vector index can then keep embedded.
"""

from __future__ import annotations

from lakeai.vectorsearch.ingest.chunking import Chunk, chunk_pieces, count_tokens
from lakeai.vectorsearch.ingest.ingest import CHUNK_SCHEMA, FileOutcome, IngestResult, ingest
from lakeai.vectorsearch.ingest.parsers import PARSERS, ParseError, Parser, Piece, register

__all__ = [
    "CHUNK_SCHEMA",
    "PARSERS",
    "Chunk",
    "FileOutcome",
    "IngestResult",
    "ParseError",
    "Parser",
    "Piece",
    "chunk_pieces",
    "count_tokens",
    "ingest",
    "register",
]
