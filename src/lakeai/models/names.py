"""Registered model names (``catalog.schema.model``), versions and aliases."""

from __future__ import annotations

import re

from lakeai.catalog.names import FullName, parse
from lakeai.errors import InvalidParameterValue

SECURABLE = "model"
# MLflow's alias rule: letters, digits, underscores and dashes; not a version-like ``v3``.
_ALIAS = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_VERSION_LIKE = re.compile(r"^[vV]\d+$")


def parse_model_name(full_name: str) -> FullName:
    """A validated, lower-cased three-level name; anything else is INVALID_PARAMETER_VALUE."""
    if not isinstance(full_name, str):
        raise InvalidParameterValue("A registered model name must be a string.")
    return parse(full_name, SECURABLE)


def parse_version(version: int | str) -> int:
    """A positive version number, from an int or its text."""
    try:
        number = int(str(version))
    except ValueError:
        raise InvalidParameterValue(
            f"Invalid model version {version!r}: use a positive integer."
        ) from None
    if number < 1:
        raise InvalidParameterValue(f"Invalid model version {version!r}: use a positive integer.")
    return number


def validate_alias(alias: str) -> str:
    if not isinstance(alias, str) or not _ALIAS.match(alias) or _VERSION_LIKE.match(alias):
        raise InvalidParameterValue(
            f"Invalid alias {alias!r}: use letters, digits, '_' or '-', and not a version "
            "like 'v1'."
        )
    if alias.lower() == "latest":
        raise InvalidParameterValue("'latest' is reserved and cannot be an alias.")
    return alias


def split_reference(version_or_alias: str | int) -> int | str:
    """``"3"`` or ``3`` is version 3; anything else an alias (``champion``, ``@champion``)."""
    text = str(version_or_alias).strip()
    if text.isdigit():
        return parse_version(text)
    return validate_alias(text.removeprefix("@"))
