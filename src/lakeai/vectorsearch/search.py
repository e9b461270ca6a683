"""Query planning for an index store: filters to an allowed set, then exact or HNSW search.

A filter is compiled to SQL and evaluated by SQLite first. When the rows it allows (or the
whole index, unfiltered) are few -- under ``exact_threshold`` rows or ``exact_fraction`` of
the index -- their vectors are scored exactly, which gives the true top-k; a graph search with
a very selective filter would otherwise starve. Larger sets go to the ANN engine with the
allowed set as a filter. HYBRID fuses ANN and bm25 rankings by reciprocal rank fusion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lakeai.errors import InvalidParameterValue
from lakeai.vectorsearch import fulltext
from lakeai.vectorsearch.engines.exact import prepare, topk
from lakeai.vectorsearch.filters import compile_filters
from lakeai.vectorsearch.store_sql import col_sql, from_sql

if TYPE_CHECKING:
    from lakeai.vectorsearch.store import IndexStore

QUERY_TYPES = ("ANN", "HYBRID", "FULL_TEXT")
RRF_K = 60


def query(store: IndexStore, vector, text, k, filters, columns, query_type, threshold, offset):
    kind = (query_type or "ANN").upper()
    if kind not in QUERY_TYPES:
        raise InvalidParameterValue(
            f"Unknown query_type {query_type!r}; valid values: {', '.join(QUERY_TYPES)}."
        )
    if k < 0 or offset < 0:
        raise InvalidParameterValue("num_results and the page offset must not be negative.")
    names = _columns(store, columns)
    where, params = compile_filters(filters, store.sql_kinds, col_sql)
    want = offset + k
    if kind == "FULL_TEXT":
        hits = fulltext.search(store.conn, _need_text(store, text), want, where, params)
    elif kind == "ANN":
        hits = _ann(store, _query_vector(store, vector, text), want, where, params)
    else:
        depth = max(2 * want, 60)
        ann = _ann(store, _query_vector(store, vector, text), depth, where, params)
        keyword = fulltext.search(store.conn, _need_text(store, text), depth, where, params)
        hits = _rrf([ann, keyword])
    hits = hits[offset:want]
    if threshold:
        hits = [(r, s) for r, s in hits if s >= threshold]
    rows = _fetch(store, names, [r for r, _ in hits])
    return [*names, "score"], [[*rows[r], float(s)] for r, s in hits]


def _columns(store: IndexStore, columns: list[str] | None) -> list[str]:
    if not columns:
        return [n for n in store.kinds if n != store.spec["vector_column"]]
    unknown = [c for c in columns if c not in store.kinds]
    if unknown:
        raise InvalidParameterValue(
            f"Columns {unknown} are not in the index; available: {', '.join(store.kinds)}."
        )
    return list(columns)


def _need_text(store: IndexStore, text: str | None) -> str:
    if not store.has_fts:
        raise InvalidParameterValue("Keyword search needs an index with a text column.")
    if not text:
        raise InvalidParameterValue("HYBRID and FULL_TEXT queries need query_text.")
    return text


def _query_vector(store: IndexStore, vector: Any, text: str | None) -> np.ndarray:
    if vector is None:
        if not text or store.embedder is None:
            raise InvalidParameterValue(
                "query_vector is required: this index has no embedding model for query_text."
            )
        vector = np.asarray(store.embedder([text]), dtype=np.float32)[0]
    vec = np.asarray(vector, dtype=np.float32).reshape(-1)
    if vec.shape[0] != store.dimension and store.dimension != 0:
        raise InvalidParameterValue(
            f"query_vector has {vec.shape[0]} dimensions; the index has {store.dimension}."
        )
    return vec


def _ann(store: IndexStore, vec: np.ndarray, want: int, where: str, params: list) -> list:
    if want <= 0 or store.dimension == 0:
        return []
    base = f"FROM rows WHERE vector IS NOT NULL AND ({where})"
    if where == "1":
        allowed = len(store.engine)
    else:
        allowed = store.conn.execute(f"SELECT count(*) {base}", params).fetchone()[0]
    total = max(len(store.engine), 1)
    if allowed < store.exact_threshold or allowed < store.exact_fraction * total:
        ids, matrix = _exact_candidates(store, base, where, params)
        if len(ids) == 0:
            return []
        labels, scores = topk(matrix, ids, prepare(vec, store.metric), want, store.metric)
    else:
        subset = None
        if where != "1":
            rids = store.conn.execute(f"SELECT rid {base}", params).fetchall()
            subset = np.asarray([r for (r,) in rids], dtype=np.int64)
        labels, scores = store.engine.search(vec, want, allowed=subset)
    return list(zip(labels[0].tolist(), scores[0].tolist(), strict=True))


def _exact_candidates(
    store: IndexStore, base: str, where: str, params: list
) -> tuple[np.ndarray, np.ndarray]:
    """Ids and prepared vectors of the allowed rows: from the cached matrix of a small index,
    else read from SQLite (only the few rows a selective filter lets through)."""
    if len(store.engine) < store.exact_threshold:
        ids, matrix = _dense(store)
        if where != "1":
            rids = store.conn.execute(f"SELECT rid {base}", params).fetchall()
            keep = np.isin(ids, np.asarray([r for (r,) in rids], dtype=np.int64))
            ids, matrix = ids[keep], matrix[keep]
        return ids, matrix
    return _read_vectors(store, f"SELECT rid, vector {base}", params)


def _read_vectors(store: IndexStore, sql: str, params: list) -> tuple[np.ndarray, np.ndarray]:
    found = store.conn.execute(sql, params).fetchall()
    ids = np.asarray([r for r, _ in found], dtype=np.int64)
    matrix = np.frombuffer(b"".join(v for _, v in found), np.float32)
    return ids, prepare(matrix.reshape(len(found), store.dimension), store.metric)


def _dense(store: IndexStore) -> tuple[np.ndarray, np.ndarray]:
    """All vectors of a small index, prepared once per write (``store.write_version``)."""
    cached = store.dense_cache
    if cached is None or cached[0] != store.write_version:
        sql = "SELECT rid, vector FROM rows WHERE vector IS NOT NULL"
        cached = store.dense_cache = (store.write_version, *_read_vectors(store, sql, []))
    return cached[1], cached[2]


def _rrf(rankings: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of 1 / (60 + rank) over the lists a row appears in."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (rid, _score) in enumerate(ranking, start=1):
            fused[rid] = fused.get(rid, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def _fetch(store: IndexStore, names: list[str], rids: list[int]) -> dict[int, list]:
    if not rids:
        return {}
    vector_col = store.spec["vector_column"]
    exprs = ["vector" if n == vector_col else col_sql(n) for n in names]
    sql = f"SELECT rid{''.join(', ' + e for e in exprs)} FROM rows WHERE rid IN ({', '.join('?' * len(rids))})"
    out = {}
    for rid, *values in store.conn.execute(sql, rids):
        out[rid] = [_decode(store, n, v) for n, v in zip(names, values, strict=True)]
    return out


def _decode(store: IndexStore, name: str, value: Any) -> Any:
    if name == store.spec["vector_column"]:
        return None if value is None else np.frombuffer(value, np.float32).tolist()
    return from_sql(value, store.kinds[name])


def scan(store: IndexStore, after: Any, limit: int) -> list[dict[str, Any]]:
    """Rows as dicts in primary-key order (typed order: 2 before 10), after ``after``."""
    pk_col = col_sql(store.spec["primary_key"])
    where, params = ("1", []) if after is None else (f"{pk_col} > ?", [after])
    names = [*store.sql_kinds, *filter(None, [store.spec["vector_column"]])]
    exprs = ", ".join("vector" if n == store.spec["vector_column"] else col_sql(n) for n in names)
    sql = f"SELECT {exprs} FROM rows WHERE {where} ORDER BY {pk_col} LIMIT ?"
    return [
        {n: _decode(store, n, v) for n, v in zip(names, row, strict=True)}
        for row in store.conn.execute(sql, [*params, limit])
    ]
