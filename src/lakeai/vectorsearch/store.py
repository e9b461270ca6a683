"""One vector index in a folder: SQLite rows (+ FTS5) as the truth, an ANN engine as a cache.

An ``IndexStore`` is a ``lakeai.pipelines.sink.Sink``: ``apply`` embeds changed text outside
any transaction, commits rows, FTS rows, tombstones and the checkpoint in one SQLite
transaction (``synchronous=FULL``), and only then updates the in-memory engine. A crash
anywhere therefore leaves SQLite at some checkpoint, and the engine is rebuilt or caught up
from SQLite on open (see ``snapshot``), so the next sync continues exactly from there.
"""

from __future__ import annotations

import os
import signal
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from lakeai.pipelines.changes import ChangeBatch
from lakeai.vectorsearch import search, snapshot, writes
from lakeai.vectorsearch.engines.base import check_metric, get_engine
from lakeai.vectorsearch.store_sql import (
    col_sql,
    column_kind,
    connect,
    create_schema,
    get_meta,
    pk_json,
    set_meta,
)

Embedder = Callable[[list[str]], np.ndarray]
CRASH_ENV = "LAKEAI_VS_CRASH_AT"  # tests: SIGKILL at a named step (before_commit, ...)
DB_FILE = "index.sqlite"


class IndexStore:
    """A synced or direct-access vector index stored in ``path`` (see the module docstring)."""

    KEEP = object()  # "leave the checkpoint as it is" (direct writes)

    def __init__(self, path: Path, conn, embedder: Embedder | None, settings: dict) -> None:
        self.path, self.conn, self.embedder = Path(path), conn, embedder
        meta = get_meta(conn)
        self.spec: dict[str, Any] = meta["spec"]
        self.dimension: int = self.spec["dimension"]
        self.metric: str = self.spec["metric"]
        self.kinds: dict[str, str] = self.spec["columns"]
        self.sql_kinds = {n: k for n, k in self.kinds.items() if n != self.spec["vector_column"]}
        self.has_fts = self.spec["text_column"] is not None
        self.snapshot_every: int = settings.get("snapshot_every", 10_000)
        self.exact_threshold: int = settings.get("exact_threshold", 20_000)
        self.exact_fraction: float = settings.get("exact_fraction", 0.1)
        self.lock = threading.RLock()
        self._changes_since_snapshot = 0
        self.write_version = 0  # bumped by every write; keys the exact-search matrix cache
        self.dense_cache: tuple | None = None
        self._engine_cls = get_engine(self.spec["engine"])
        tag = {k: self.spec[k] for k in ("uid", "engine", "dimension", "metric")}
        self._snapshots = snapshot.Snapshots(self.path, tag, self.crash_point)
        self.engine, self.snapshot_seq = self._load_engine(meta["seq"])

    # -- lifecycle -----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        primary_key: str,
        columns: dict[str, pa.DataType],
        dimension: int,
        metric: str = "cosine",
        text_column: str | None = None,
        vector_column: str | None = None,
        engine: str = "hnsw",
        embedder: Embedder | None = None,
        **settings: Any,
    ) -> IndexStore:
        """A new, empty index in the folder ``path`` (which must not hold one already)."""
        path = Path(path)
        if (path / DB_FILE).exists():
            raise ResourceAlreadyExists(f"An index store already exists at {path}.")
        for name in (primary_key, text_column, vector_column):
            if name is not None and name not in columns:
                raise InvalidParameterValue(
                    f"Column {name!r} is not among the synced columns {sorted(columns)}."
                )
        if (
            dimension < 0
            or (dimension == 0 and vector_column is not None)
            or (dimension == 0 and text_column is None)
        ):
            raise InvalidParameterValue(f"dimension must be positive, got {dimension}.")
        get_engine(engine)
        kinds = {n: column_kind(t) for n, t in columns.items()}
        spec = {
            "uid": uuid.uuid4().hex,
            "primary_key": primary_key,
            "columns": kinds,
            "types": {n: str(t) for n, t in columns.items()},
            "dimension": int(dimension),
            "metric": check_metric(metric),
            "text_column": text_column,
            "vector_column": vector_column,
            "engine": engine,
        }
        path.mkdir(parents=True, exist_ok=True)
        conn = connect(path / DB_FILE)
        conn.execute("BEGIN")
        create_schema(
            conn, {n: k for n, k in kinds.items() if n != vector_column}, text_column is not None
        )
        conn.execute(f"CREATE INDEX rows_pk_typed ON rows ({col_sql(primary_key)})")
        set_meta(conn, spec=spec, seq=0, checkpoint=None, rows_upserted=0, rows_deleted=0)
        set_meta(conn, rows_embedded=0)
        conn.execute("COMMIT")
        return cls(path, conn, embedder, settings)

    @classmethod
    def open(
        cls, path: str | Path, *, embedder: Embedder | None = None, **settings: Any
    ) -> IndexStore:
        path = Path(path)
        if not (path / DB_FILE).exists():
            raise ResourceDoesNotExist(f"No index store at {path}.")
        return cls(path, connect(path / DB_FILE), embedder, settings)

    def _create_engine(self, capacity: int):
        if self.dimension == 0:  # not known until the first embedding: a placeholder
            return get_engine("exact").create(0, self.metric, capacity)
        return self._engine_cls.create(self.dimension, self.metric, capacity)

    def adopt_dimension(self, dimension: int) -> None:
        """Fix the dimension from the first embeddings (an index created with dimension 0)."""
        self.dimension = self.spec["dimension"] = int(dimension)
        self._snapshots.tag["dimension"] = self.dimension
        self.engine = self._create_engine(1024)
        self.write_version += 1

    def _load_engine(self, seq: int):
        loaded = self._snapshots.load(self._engine_cls, seq)
        if loaded is not None:
            engine, snap_seq = loaded
            snapshot.catch_up(self.conn, engine, snap_seq, self.dimension)
            if len(engine) == snapshot.vector_count(self.conn):
                return engine, snap_seq
        return snapshot.rebuild(self.conn, self._create_engine, self.dimension), None

    def save_snapshot(self) -> None:
        """Write the engine to disk, tagged with the change sequence it reflects."""
        with self.lock:
            seq = get_meta(self.conn)["seq"]
            self._snapshots.save(self.engine, seq)
            self.conn.execute("DELETE FROM tombstones WHERE seq <= ?", (seq,))
            self.snapshot_seq, self._changes_since_snapshot = seq, 0

    def close(self) -> None:
        with self.lock:
            if self.snapshot_seq != get_meta(self.conn)["seq"]:
                self.save_snapshot()
            self.conn.close()

    def __enter__(self) -> IndexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def crash_point(step: str) -> None:
        """Die here, as a power cut would, when the crash-test variable names this step."""
        if os.environ.get(CRASH_ENV) == step:
            os.kill(os.getpid(), signal.SIGKILL)

    # -- writes (Sink and direct access) -------------------------------------------------

    def checkpoint(self) -> int | None:
        with self.lock:  # one connection, shared by the sync thread and queries
            return get_meta(self.conn)["checkpoint"]

    def apply(self, batch: ChangeBatch) -> None:
        """Apply a pipeline batch and its checkpoint atomically (a full batch replaces all)."""
        deletes = [pk_json(k[0] if isinstance(k, tuple) else k) for k in batch.deletes]
        upserts = batch.upserts  # columns the index does not sync are ignored, not an error
        upserts = upserts.select([c for c in upserts.column_names if c in self.kinds])
        self._write(upserts.to_pylist(), deletes, full=batch.full, checkpoint=batch.end_version)

    def upsert(self, rows: pa.Table | list[dict]) -> int:
        """Insert or replace rows by primary key (atomic; no checkpoint involved)."""
        rows = rows.to_pylist() if isinstance(rows, pa.Table) else list(rows)
        self._write(rows, [], full=False, checkpoint=self.KEEP)
        return len(rows)

    def delete(self, keys: list) -> int:
        """Delete rows by primary key (strings are coerced to the key's type); returns the count."""
        before = self.count()
        self._write(
            [], [pk_json(self._coerce_key(k)) for k in keys], full=False, checkpoint=self.KEEP
        )
        return before - self.count()

    def _coerce_key(self, key: Any) -> Any:
        kind = self.kinds[self.spec["primary_key"]]
        try:
            if isinstance(key, str) and kind == "int":
                return int(key)
            if isinstance(key, str) and kind == "float":
                return float(key)
        except ValueError as exc:
            raise InvalidParameterValue(f"Primary key {key!r} is not a {kind}.") from exc
        return key

    def _write(
        self, upserts: list[dict], delete_pks: list[str], *, full: bool, checkpoint: Any
    ) -> None:
        with self.lock:
            prep = writes.prepare(self, upserts, delete_pks, full)
            durable = checkpoint is not self.KEEP
            if durable:
                self.conn.execute("PRAGMA synchronous=FULL")
            try:
                deleted, rids = writes.commit(self, prep, checkpoint)
            finally:
                if durable:
                    self.conn.execute("PRAGMA synchronous=NORMAL")
            self._update_engine(prep, deleted, rids)

    def _update_engine(self, prep: writes.Prepared, deleted: list[int], rids: dict) -> None:
        self.write_version += 1
        self.engine.remove(np.asarray(deleted, dtype=np.int64))
        changed = [(rids[pk], vec) for pk, _r, _h, vec in prep.rows if pk in prep.changed]
        self.engine.remove(np.asarray([r for r, v in changed if v is None], dtype=np.int64))
        present = [(r, v) for r, v in changed if v is not None]
        if present:
            vectors = np.frombuffer(b"".join(v for _, v in present), dtype=np.float32)
            ids = np.asarray([r for r, _ in present], dtype=np.int64)
            self.engine.add(ids, vectors.reshape(len(present), self.dimension))
        self._changes_since_snapshot += len(deleted) + len(changed)
        if self._changes_since_snapshot >= self.snapshot_every:
            self.save_snapshot()

    # -- reads ---------------------------------------------------------------------------

    def count(self) -> int:
        with self.lock:
            return self.conn.execute("SELECT count(*) FROM rows").fetchone()[0]

    def status(self) -> dict[str, Any]:
        with self.lock:
            meta, count = get_meta(self.conn), self.count()
        return {
            "indexed_row_count": count,
            "checkpoint": meta["checkpoint"],
            "engine": self.spec["engine"],
            "dimension": self.dimension,
            "metric": self.metric,
            "ann_row_count": len(self.engine),
            "change_seq": meta["seq"],
            "last_snapshot_seq": self.snapshot_seq,
            "rows_upserted": meta["rows_upserted"],
            "rows_deleted": meta["rows_deleted"],
            "rows_embedded": meta["rows_embedded"],
        }

    def query(
        self,
        *,
        vector: Any = None,
        text: str | None = None,
        k: int = 10,
        filters: str | dict | list | None = None,
        columns: list[str] | None = None,
        query_type: str = "ANN",
        score_threshold: float | None = None,
        offset: int = 0,
    ) -> tuple[list[str], list[list]]:
        """Top ``k`` rows after ``offset``: ``(column names, rows)``, ``score`` last in both."""
        with self.lock:
            return search.query(
                self, vector, text, k, filters, columns, query_type, score_threshold, offset
            )

    def scan(self, after_pk: Any = None, limit: int = 100) -> list[dict[str, Any]]:
        """Rows in primary-key order after ``after_pk`` (the scan API's page)."""
        after = None if after_pk is None else self._coerce_key(after_pk)
        with self.lock:
            return search.scan(self, after, limit)
