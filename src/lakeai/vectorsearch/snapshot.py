"""ANN persistence: snapshots tagged with the SQLite change sequence, plus exact catch-up.

SQLite is the truth; the ANN engine is a cache of its ``vector`` column. A snapshot folder
``ann/snap-<seq>`` holds an engine saved when it reflected exactly the rows up to change
sequence ``seq``; ``tag.json`` (written last, before the folder is renamed into place) says so.
On open the newest snapshot whose tag matches this store (uid, engine, dimension, metric, and
a seq not ahead of SQLite) is loaded and caught up from rows with ``change_seq > seq`` and
tombstones with ``seq > seq``. Anything doubtful (no tag, a mismatch, a load error, a count
that disagrees after catch-up) falls back to a rebuild from SQLite.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lakeai.vectorsearch.engines.base import AnnEngine

log = logging.getLogger("lakeai.vectorsearch")
CHUNK = 10_000


def _vectors(blobs: list[bytes], dim: int) -> np.ndarray:
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dim)


def _feed(engine: AnnEngine, cursor: sqlite3.Cursor, dim: int) -> None:
    """Add (rid, vector) rows to the engine in chunks; NULL vectors are removed instead."""
    while rows := cursor.fetchmany(CHUNK):
        present = [(r, v) for r, v in rows if v is not None]
        engine.remove(np.asarray([r for r, v in rows if v is None], dtype=np.int64))
        if present:
            ids = np.asarray([r for r, _ in present], dtype=np.int64)
            engine.add(ids, _vectors([v for _, v in present], dim))


def vector_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM rows WHERE vector IS NOT NULL").fetchone()[0]


def rebuild(conn: sqlite3.Connection, create: Callable[[int], AnnEngine], dim: int) -> AnnEngine:
    engine = create(max(vector_count(conn), 1024))
    _feed(engine, conn.execute("SELECT rid, vector FROM rows WHERE vector IS NOT NULL"), dim)
    return engine


def catch_up(conn: sqlite3.Connection, engine: AnnEngine, since: int, dim: int) -> None:
    gone = [r for (r,) in conn.execute("SELECT rid FROM tombstones WHERE seq > ?", (since,))]
    engine.remove(np.asarray(gone, dtype=np.int64))
    _feed(engine, conn.execute("SELECT rid, vector FROM rows WHERE change_seq > ?", (since,)), dim)


class Snapshots:
    """The ``ann/`` folder of one store."""

    def __init__(self, folder: Path, tag: dict, crash: Callable[[str], None]) -> None:
        self.folder, self.tag, self._crash = folder / "ann", tag, crash

    def _candidates(self) -> list[tuple[int, Path]]:
        if not self.folder.exists():
            return []
        found = []
        for p in self.folder.glob("snap-*"):
            try:
                found.append((int(p.name.removeprefix("snap-")), p))
            except ValueError:
                continue
        return sorted(found, reverse=True)

    def load(self, engine_cls: type[AnnEngine], max_seq: int) -> tuple[AnnEngine, int] | None:
        for seq, path in self._candidates():
            try:
                tag = json.loads((path / "tag.json").read_text())
                if tag != {**self.tag, "seq": seq} or seq > max_seq:
                    log.info("ignoring ANN snapshot %s: tag does not match", path.name)
                    continue
                return engine_cls.load(path), seq
            except Exception as exc:  # a torn or foreign snapshot: rebuild instead
                log.info("ignoring ANN snapshot %s: %s", path.name, type(exc).__name__)
        return None

    def save(self, engine: AnnEngine, seq: int) -> None:
        self.folder.mkdir(exist_ok=True)
        tmp = self.folder / f"tmp-{seq}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        engine.save(tmp)
        self._crash("snapshot_write")
        (tmp / "tag.json").write_text(json.dumps({**self.tag, "seq": seq}))
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        final = self.folder / f"snap-{seq}"
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        for old_seq, path in self._candidates():
            if old_seq != seq:
                shutil.rmtree(path, ignore_errors=True)
        for stale in self.folder.glob("tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
