"""Keyword search over the FTS5 table: a safe MATCH expression and bm25 ranking.

User text is never passed to FTS5 as syntax (quotes, ``NEAR``, ``-`` and ``*`` would be
operators or errors): it is cut into word tokens, each quoted, ORed together, and bm25 ranks
the rows that contain any of them.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

_TOKEN = re.compile(r"\w+", re.UNICODE)


def match_expression(text: str) -> str | None:
    """``"tok1" OR "tok2"`` for the words of ``text``; None when it has no words."""
    tokens = list(dict.fromkeys(t.lower() for t in _TOKEN.findall(text or "")))
    return " OR ".join(f'"{t}"' for t in tokens) or None


def search(
    conn: sqlite3.Connection, text: str, limit: int, where: str, params: list[Any]
) -> list[tuple[int, float]]:
    """(rid, score) best first; score is ``-bm25`` so that higher is better."""
    expression = match_expression(text)
    if expression is None or limit <= 0:
        return []
    sql = (
        "SELECT fts.rowid, -bm25(fts) FROM fts JOIN rows ON rows.rid = fts.rowid "
        f"WHERE fts MATCH ? AND ({where}) ORDER BY bm25(fts), fts.rowid LIMIT ?"
    )
    return [(int(r), float(s)) for r, s in conn.execute(sql, [expression, *params, limit])]
