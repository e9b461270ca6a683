"""Parsing one Databricks SQL statement with sqlglot, and recognising what sqlglot does not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from lakeai.errors import InvalidParameterValue, PermissionDenied
from lakeai.sql import sandbox

DIALECT = "databricks"

_NAME = r"([`\w.]+)"
_SHOW = re.compile(
    r"^\s*SHOW\s+(CATALOGS|SCHEMAS|DATABASES|TABLES|FUNCTIONS)(?:\s+(?:IN|FROM)\s+" + _NAME + r")?"
    r"(?:\s+(?:LIKE\s+)?'([^']*)')?\s*;?\s*$",
    re.IGNORECASE,
)
_CATALOG = re.compile(
    r"^\s*(CREATE|DROP)\s+CATALOG\s+(IF\s+(?:NOT\s+)?EXISTS\s+)?" + _NAME + r"(\s+CASCADE)?"
    r"(?:\s+COMMENT\s+'([^']*)')?\s*;?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Show:
    """``SHOW CATALOGS|SCHEMAS|TABLES|FUNCTIONS [IN name] [LIKE 'pattern']``."""

    what: str
    container: str | None
    pattern: str | None


@dataclass(frozen=True)
class CatalogDdl:
    """``CREATE CATALOG [IF NOT EXISTS] c`` / ``DROP CATALOG [IF EXISTS] c [CASCADE]``."""

    action: str
    name: str
    if_clause: bool
    cascade: bool
    comment: str | None


Statement = exp.Expression | Show | CatalogDdl
_HEREDOC = re.compile(r"\$\$(.*?)\$\$", re.DOTALL)


def _heredocs_as_strings(text: str) -> str:
    """``$$ body $$`` -> a string literal: sqlglot's tokenizer ends a $$ body at a ``;``, which
    Python function bodies (``CREATE FUNCTION ... LANGUAGE PYTHON AS $$ ... $$``) contain."""
    if "$$" not in text:
        return text
    return _HEREDOC.sub(lambda m: exp.Literal.string(m.group(1)).sql(dialect=DIALECT), text)


def _unquote(name: str) -> str:
    return name.replace("`", "")


def parse_statement(text: str, parameters: dict[str, Any] | None = None) -> Statement:
    """One statement, sandbox-checked; several statements or a parse error are refused."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidParameterValue("The statement is empty.")
    sandbox.check_text(text)
    show = _SHOW.match(text)
    if show:
        what = show.group(1).upper().replace("DATABASES", "SCHEMAS")
        container = _unquote(show.group(2)) if show.group(2) else None
        return Show(what, container, show.group(3))
    ddl = _CATALOG.match(text)
    if ddl:
        return CatalogDdl(
            ddl.group(1).upper(),
            _unquote(ddl.group(3)),
            bool(ddl.group(2)),
            bool(ddl.group(4)),
            ddl.group(5),
        )
    try:
        trees = [t for t in sqlglot.parse(_heredocs_as_strings(text), read=DIALECT) if t]
    except (ParseError, TokenError) as exc:
        raise InvalidParameterValue(f"Syntax error: {str(exc).splitlines()[0]}") from exc
    if len(trees) != 1:
        raise PermissionDenied(
            f"Multiple statements are not allowed: send one at a time ({len(trees)} given)."
            if trees
            else "The statement is empty."
        )
    tree = trees[0]
    sandbox.check_tree(tree)
    return bind_parameters(tree, parameters or {})


def bind_parameters(tree: exp.Expression, parameters: dict[str, Any]) -> exp.Expression:
    """Replace ``:name`` markers by literals (values are typed by their Python type)."""
    for node in list(tree.find_all(exp.Placeholder)):
        name = node.name
        if name not in parameters:
            raise InvalidParameterValue(f"No value given for parameter :{name}.")
        node.replace(_literal(parameters[name]))
    return tree


def _literal(value: Any) -> exp.Expression:
    """A Python value, or the API's ``{"value": "...", "type": "DATE"}``, as a SQL literal."""
    if isinstance(value, dict):
        if value.get("value") is None:
            return exp.null()
        text = exp.Literal.string(str(value["value"]))
        if not value.get("type"):
            return text
        try:
            dtype = exp.DataType.build(str(value["type"]), dialect=DIALECT)
        except (ParseError, ValueError) as exc:
            raise InvalidParameterValue(f"Unknown parameter type {value['type']!r}.") from exc
        return exp.cast(text, dtype)
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))
