"""What to ingest: a folder, one file, or a volume (``catalog.schema.volume``).

A volume is a governed folder; its files are read from its ``storage_location``, which the
acting principal may only learn with READ_VOLUME, so going through ``ws.volumes.get`` is what
governs reading it. Against a remote server the location must also be reachable from this
machine (the same disk or mount); there is no file-transfer API yet.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakeai.errors import InvalidParameterValue, NotImplementedFeature, ResourceDoesNotExist

_VOLUME_NAME = re.compile(r"^[^./\\\s]+\.[^./\\\s]+\.[^./\\\s]+$")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    relative: str  # posix path relative to the ingested root: the row's source_path

    def read(self) -> tuple[bytes, str]:
        """The bytes and their sha256, read once so the hash is of exactly what was parsed."""
        data = self.path.read_bytes()
        return data, hashlib.sha256(data).hexdigest()


def resolve_root(ws: Any, source: str | Path) -> tuple[Path, list[Path]]:
    """The root that source paths are relative to, and the files under it (sorted)."""
    path = Path(source).expanduser()
    if not path.exists() and isinstance(source, str) and _VOLUME_NAME.match(source):
        path = _volume_folder(ws, source)
    if path.is_file():
        return path.parent, [path]
    if path.is_dir():
        return path, _walk(path)
    raise InvalidParameterValue(
        f"No file or folder at {source}; give a folder, a file, or a volume as catalog.schema.volume."
    )


def _volume_folder(ws: Any, name: str) -> Path:
    info = ws.volumes.get(name)
    location = str(info.storage_location or "")
    folder = Path(location.removeprefix("file://"))
    if not location or "://" in location.removeprefix("file://"):
        raise NotImplementedFeature(
            f"Volume {name} is at {location or '(no location)'}; only volumes on a local or "
            "mounted disk can be ingested."
        )
    if not folder.is_dir():
        raise ResourceDoesNotExist(
            f"Volume {name}'s folder {folder} is not reachable from this machine; ingest on "
            "the server's machine or from a shared mount."
        )
    return folder


def _walk(root: Path) -> list[Path]:
    """Every file below ``root``, skipping hidden files and folders (``.git``, ``.DS_Store``)."""
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root).parts
        if path.is_file() and not any(part.startswith(".") for part in relative):
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def source_files(root: Path, paths: list[Path]) -> list[SourceFile]:
    return [SourceFile(p, p.relative_to(root).as_posix()) for p in paths]


def chunk_id(source_path: str, chunk_index: int) -> str:
    """Stable id of a chunk: the same file path and position always give the same id."""
    return hashlib.sha256(f"{source_path}\x00{chunk_index}".encode()).hexdigest()[:32]


def sql_string(value: str) -> str:
    """A SQL string literal (for delete predicates on source paths)."""
    return "'" + value.replace("'", "''") + "'"
