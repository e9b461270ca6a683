"""Three-level names to governed datasets, and table references rewritten to engine aliases.

Every table a statement names goes through ``TableService.dataset``, which checks SELECT and
the USE_CATALOG / USE_SCHEMA path and audits a denial; nothing else is visible to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlglot import exp

from lakeai.catalog.names import parse
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, PermissionDenied

DEFAULT_CATALOG = "main"
DEFAULT_SCHEMA = "default"


@dataclass(frozen=True)
class Defaults:
    """The catalog and schema that one- and two-level names resolve in."""

    catalog: str = DEFAULT_CATALOG
    schema: str = DEFAULT_SCHEMA


def table_name(table: exp.Table, defaults: Defaults = Defaults()) -> str:
    """``catalog.schema.table`` of a table reference, validated as a catalog name."""
    parts = [p.name for p in table.parts]
    if len(parts) == 1:
        parts = [defaults.catalog, defaults.schema, *parts]
    elif len(parts) == 2:
        parts = [defaults.catalog, *parts]
    text = ".".join(parts)
    try:
        return str(parse(text, "table"))
    except InvalidParameterValue:
        raise PermissionDenied(
            f"{table.sql(dialect='databricks')!r} is not a catalog table: SQL reads catalog "
            "tables (catalog.schema.table) only, never files or engine tables."
        ) from None


def _time_travel(table: exp.Table) -> tuple[int | None, str | None]:
    version = table.args.get("version")
    if version is None:
        return None, None
    value = version.expression
    if not isinstance(value, exp.Literal):
        raise InvalidParameterValue("VERSION/TIMESTAMP AS OF takes a literal value.")
    if version.name.upper() == "VERSION":
        try:
            return int(value.this), None
        except ValueError:
            raise InvalidParameterValue(
                f"VERSION AS OF needs an integer, not {value.this!r}."
            ) from None
    return None, _timestamp(str(value.this))


def _timestamp(text: str) -> str:
    """An RFC 3339 instant for delta-rs; a timestamp without a zone is UTC, as in Databricks."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidParameterValue(
            f"TIMESTAMP AS OF needs a timestamp like '2024-01-31 12:00:00', not {text!r}."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


@dataclass
class Binding:
    """The datasets a statement reads, by generated alias."""

    relations: dict[str, Any] = field(default_factory=dict)
    names: dict[tuple[str, int | None, str | None], str] = field(default_factory=dict)


class Resolver:
    """Resolves and rewrites the table references of one statement for one principal."""

    def __init__(self, tables: Any, principal: Principal, defaults: Defaults) -> None:
        self.tables = tables
        self.principal = principal
        self.defaults = defaults
        self.binding = Binding()

    def alias_for(self, full_name: str, version: int | None, timestamp: str | None) -> str:
        key = (full_name, version, timestamp)
        if key not in self.binding.names:
            dataset = self.tables.dataset(
                self.principal, full_name, version=version, timestamp=timestamp
            )
            alias = f"__lakeai_t{len(self.binding.names)}"
            self.binding.names[key] = alias
            self.binding.relations[alias] = dataset
        return self.binding.names[key]

    def rewrite(self, tree: exp.Expression) -> exp.Expression:
        """Point every catalog table reference at its registered dataset (in place)."""
        ctes = cte_names(tree)
        for table in list(tree.find_all(exp.Table)):
            if not table.args.get("db") and table.name.lower() in ctes:
                continue
            self.replace(table)
        _strip_column_paths(tree)
        return tree

    def replace(self, table: exp.Table) -> None:
        full = table_name(table, self.defaults)
        version, timestamp = _time_travel(table)
        alias = self.alias_for(full, version, timestamp)
        keep = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name))
        table.replace(exp.Table(this=exp.to_identifier(alias), alias=keep.copy()))


def _strip_column_paths(tree: exp.Expression) -> None:
    """``main.shop.orders.id`` -> ``orders.id``: columns keep only their table qualifier."""
    for column in tree.find_all(exp.Column):
        for part in ("db", "catalog"):
            if column.args.get(part) is not None:
                column.set(part, None)
