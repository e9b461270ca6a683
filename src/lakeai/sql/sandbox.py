"""What governed SQL refuses, before anything runs.

DuckDB is a full database with file, network and extension access; LakeAI uses it only as a
query engine over catalog tables. The connection is locked down too (see ``engine``), but a
refusal here names what is not allowed instead of surfacing a DuckDB permission error.
"""

from __future__ import annotations

import re

from sqlglot import exp

from lakeai.errors import PermissionDenied

# Statements that reach outside the catalog or change the engine itself.
DENIED_STATEMENTS = (
    "ATTACH",
    "DETACH",
    "COPY",
    "EXPORT",
    "IMPORT",
    "INSTALL",
    "LOAD",
    "FORCE",
    "SET",
    "RESET",
    "PRAGMA",
    "CALL",
    "USE",
    "CHECKPOINT",
    "VACUUM",
    "GRANT",
    "REVOKE",
)
_FIRST_WORD = re.compile(r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*([A-Za-z_]+)", re.DOTALL)

# Functions that read files, URLs or the engine's own state; refused anywhere in a statement.
FILE_FUNCTIONS = (
    "read_csv",
    "read_csv_auto",
    "read_parquet",
    "parquet_scan",
    "parquet_metadata",
    "parquet_schema",
    "read_json",
    "read_json_auto",
    "read_ndjson",
    "read_ndjson_auto",
    "read_json_objects",
    "read_text",
    "read_blob",
    "read_xlsx",
    "sniff_csv",
    "delta_scan",
    "iceberg_scan",
    "glob",
    "getenv",
    "current_setting",
    "sqlite_scan",
    "postgres_scan",
    "query",
    "query_table",
)
_FILE_CALL = re.compile(r"\b(" + "|".join(FILE_FUNCTIONS) + r")\s*\(", re.IGNORECASE)
# ``__lakeai_``: the per-statement names of catalog Python functions (lakeai.functions.calls).
_DENIED_PREFIXES = (
    "duckdb_",
    "pragma_",
    "read_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "icu_",
    "__lakeai_",
)


def check_text(statement: str) -> None:
    """Refuse engine statements and file functions by their words, before parsing."""
    match = _FIRST_WORD.match(statement)
    if match and match.group(1).upper() in DENIED_STATEMENTS:
        raise PermissionDenied(
            f"{match.group(1).upper()} statements are not allowed in LakeAI SQL; "
            "it reads and writes catalog tables only."
        )
    call = _FILE_CALL.search(statement)
    if call:
        raise PermissionDenied(
            f"Function {call.group(1).lower()}() is not allowed: SQL reads catalog tables only, "
            "never files, URLs or engine settings."
        )


def _denied_function(name: str) -> bool:
    lowered = name.lower()
    return lowered in FILE_FUNCTIONS or lowered.startswith(_DENIED_PREFIXES)


def check_tree(tree: exp.Expression) -> None:
    """Refuse table functions, file functions and embedded commands anywhere in the tree."""
    for node in tree.walk():
        if isinstance(node, exp.Command):
            raise PermissionDenied(f"{node.name.upper()} is not allowed inside a statement.")
        if isinstance(node, (exp.ReadCSV, exp.ReadParquet)):
            raise PermissionDenied(
                f"{node.sql_name()}() is not allowed: SQL reads catalog tables only."
            )
        if isinstance(node, exp.Anonymous) and _denied_function(node.name):
            raise PermissionDenied(f"Function {node.name.lower()}() is not allowed in LakeAI SQL.")
        if isinstance(node, exp.Table) and not isinstance(node.this, (exp.Identifier, type(None))):
            what = node.this.sql_name() if isinstance(node.this, exp.Func) else "expression"
            if isinstance(node.this, exp.Anonymous):
                what = node.this.name.lower()
            raise PermissionDenied(
                f"Table function {what}() is not allowed: FROM takes catalog tables "
                "(catalog.schema.table), subqueries and VALUES only."
            )
