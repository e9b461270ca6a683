"""A write-ahead file for inference-table records, so a crash between a call and its commit
loses nothing.

Layout: ``<workspace>/inference_tables/wal/<writer id>/<segment>.jsonl``, one JSON record per
line, each with a sequence number ``s`` that grows for the life of the writer. The hook appends
a line with one ``write`` (no Python buffer: the bytes are in the OS once it returns, which is
what survives ``kill -9``); ``fsync`` is batched, done when the flusher seals a segment, so a
power loss can lose at most one flush interval. The flusher seals the current segment before
each commit and deletes sealed segments once everything in them is committed.

A live writer holds an exclusive ``flock`` on its folder's ``lock`` file. A folder whose lock
can be taken belongs to a writer that died: its records are replayed by the next writer to
start, then the folder is removed. Exactly-once comes from the Delta commit, not from here:
each append carries a Delta transaction (``txn``) ``(app_id=<writer id>, version=<highest
sequence in the batch>)``, and a replay skips the records at or below the table's
``transaction_version(<writer id>)``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LOCK = "lock"
SEP = (",", ":")


class CaptureWal:
    """The write-ahead file of one live writer."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.writer_id = "lakeai-capture-" + uuid.uuid4().hex
        self.folder = root / self.writer_id
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.folder / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._segment = 0
        self._fd = self._open_segment()
        self._dirty = False

    def _path(self, segment: int) -> Path:
        return self.folder / f"{segment:012d}.jsonl"

    def _open_segment(self) -> int:
        return os.open(self._path(self._segment), os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)

    def append(self, line: bytes) -> None:
        """One record (a JSON line ending in ``\\n``); the caller serialises calls."""
        os.write(self._fd, line)
        self._dirty = True

    def seal(self) -> tuple[Path | None, int | None]:
        """Start a new segment; answer the sealed one and its fd (to fsync and close).

        Called under the caller's lock, so no append goes to the sealed segment after it;
        an empty segment stays open.
        """
        if not self._dirty:
            return None, None
        sealed, fd = self._path(self._segment), self._fd
        self._segment += 1
        self._fd = self._open_segment()
        self._dirty = False
        return sealed, fd

    @staticmethod
    def sync_and_close(fd: int | None) -> None:
        if fd is not None:
            os.fsync(fd)
            os.close(fd)

    @staticmethod
    def drop(paths: list[Path]) -> None:
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def close(self, *, remove: bool) -> None:
        """Release the folder; ``remove`` when every record in it is committed."""
        os.fsync(self._fd)
        os.close(self._fd)
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)
        os.close(self._lock_fd)  # releases the flock


def read_records(folder: Path) -> list[dict[str, Any]]:
    """Every whole record of a folder's segments, in sequence order (a torn last line is skipped)."""
    records = []
    for path in sorted(folder.glob("*.jsonl")):
        for raw in path.read_bytes().splitlines():
            try:
                record = json.loads(raw)
            except ValueError:
                log.warning("Skipped a torn record in %s (a crash mid-write).", path.name)
                continue
            for column, value in (record.pop("j", None) or {}).items():  # back to JSON text
                record["r"][column] = None if value is None else json.dumps(value, separators=SEP)
            records.append(record)
    records.sort(key=lambda r: r["s"])
    return records


@contextlib.contextmanager
def _claim(folder: Path) -> Iterator[bool]:
    """Hold a dead writer's lock while its records are replayed; False if its writer lives."""
    try:
        fd = os.open(folder / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    except FileNotFoundError:  # removed by another replayer meanwhile
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        yield False
        return
    try:
        yield True
    finally:
        os.close(fd)


def orphans(root: Path, own: str) -> Iterator[tuple[str, Path, bool]]:
    """(writer id, folder, claimed) for each other writer's folder; replay while it is claimed."""
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != own):
        with _claim(folder) as claimed:
            yield folder.name, folder, claimed
