"""Databricks SQL expressions to the SQL that delta-rs (DataFusion) evaluates in a write.

UPDATE, DELETE and MERGE run inside delta-rs so each is one Delta commit; their predicates and
SET expressions are re-generated from the sqlglot tree in a dialect DataFusion parses.
"""

from __future__ import annotations

from sqlglot import exp

TARGET = "target"
SOURCE = "source"
# DataFusion's SQL parser is PostgreSQL-flavoured: double-quoted identifiers, || concat.
DATAFUSION_DIALECT = "postgres"


def reads_other_tables(node: exp.Expression | None) -> bool:
    """A subquery needs the engine; delta-rs predicates see one table (two in a merge)."""
    if node is None:
        return False
    return any(True for _ in node.find_all(exp.Query)) or node.find(exp.Exists) is not None


def to_datafusion(node: exp.Expression, qualifiers: dict[str, str] | None = None) -> str:
    """SQL text for delta-rs; ``qualifiers`` maps table names to merge aliases, else drops them."""
    node = node.copy()
    for column in node.find_all(exp.Column):
        qualifier = column.table.lower()
        for part in ("db", "catalog"):
            column.set(part, None)
        if qualifiers is None or not qualifier:
            column.set("table", None)
        else:
            column.set("table", exp.to_identifier(qualifiers.get(qualifier, qualifier)))
    return node.sql(dialect=DATAFUSION_DIALECT, identify=True)
