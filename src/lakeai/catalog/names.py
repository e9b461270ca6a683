"""Three-level names (``catalog.schema.object``) and their validation.

Names are letters, digits and underscores (at most 255 characters), so a name can never reach
outside the workspace's warehouse folder. They compare case-insensitively, as in Unity Catalog,
and are stored lower-cased.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from lakeai.errors import InvalidParameterValue

_PART = re.compile(r"^[A-Za-z0-9_]{1,255}$")
# Databricks' serving endpoint names: letters, digits, dashes and underscores, 1-63 characters.
ENDPOINT_NAME = re.compile(r"^(([a-zA-Z0-9][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])|[a-zA-Z0-9])$")

# How many parts each securable type's full name has.
DEPTH = {
    "catalog": 1,
    "schema": 2,
    "table": 3,
    "volume": 3,
    "function": 3,
    "model": 3,
    "serving_endpoint": 1,
    "vector_index": 3,
    "online_table": 3,
}
SECURABLE_TYPES = tuple(DEPTH)


def validate_endpoint_name(name: str) -> str:
    if not isinstance(name, str) or not ENDPOINT_NAME.match(name):
        raise InvalidParameterValue(
            f"Invalid endpoint name {name!r}: 1-63 letters, digits, dashes or underscores, "
            "starting and ending with a letter or digit."
        )
    return name


def validate_part(part: str, what: str = "name") -> str:
    if not isinstance(part, str) or not _PART.match(part):
        raise InvalidParameterValue(
            f"Invalid {what} {part!r}: use 1-255 letters, digits or underscores."
        )
    return part.lower()


@dataclass(frozen=True)
class FullName:
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)

    @property
    def catalog(self) -> str:
        return self.parts[0]

    @property
    def schema(self) -> str:
        return self.parts[1]

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def parent(self) -> FullName | None:
        return FullName(self.parts[:-1]) if len(self.parts) > 1 else None

    def ancestors(self) -> list[FullName]:
        """This name and every name above it, nearest first."""
        return [FullName(self.parts[:i]) for i in range(len(self.parts), 0, -1)]


def parse(full_name: str, securable_type: str) -> FullName:
    """Parse and validate a full name of the given securable type.

    Cached: serving parses the same few names many times per request (refusals are raised
    every time, never cached).
    """
    if isinstance(full_name, str) and isinstance(securable_type, str):
        return _parse_cached(full_name, securable_type)
    return _parse(full_name, securable_type)


@functools.lru_cache(maxsize=8192)
def _parse_cached(full_name: str, securable_type: str) -> FullName:
    return _parse(full_name, securable_type)


def _parse(full_name: str, securable_type: str) -> FullName:
    if securable_type == "serving_endpoint":
        return FullName((validate_endpoint_name(full_name),))
    depth = DEPTH.get(securable_type)
    if depth is None:
        raise InvalidParameterValue(
            f"Unknown securable type {securable_type!r}; valid: {', '.join(SECURABLE_TYPES)}."
        )
    parts = (full_name or "").split(".")
    if len(parts) != depth:
        shape = ".".join(["catalog", "schema", "name"][:depth]) if depth > 1 else "name"
        raise InvalidParameterValue(
            f"Invalid {securable_type} name {full_name!r}: expected {depth} part(s), {shape}."
        )
    return FullName(tuple(validate_part(p, f"{securable_type} name part") for p in parts))


def type_of_depth(depth: int) -> str:
    return {1: "catalog", 2: "schema"}.get(depth, "table")
