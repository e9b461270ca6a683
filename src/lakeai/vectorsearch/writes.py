"""The write path of an index store: vectors first, then one SQLite transaction.

Embedding is slow and may fail, so it happens before the transaction: a row whose source
text hashes the same as the stored one keeps its stored vector, so only new or changed text
reaches the embedder. The transaction then carries deletes, upserts, the FTS rows, the
tombstones and (for a pipeline batch) the checkpoint, so a crash leaves either all or none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lakeai.errors import InvalidParameterValue
from lakeai.vectorsearch.store_sql import col_sql, get_meta, pk_json, set_meta, to_sql

if TYPE_CHECKING:
    from lakeai.vectorsearch.store import IndexStore

EMBED_BATCH = 256
LOOKUP_CHUNK = 500


@dataclass
class Prepared:
    """Rows ready for the transaction, and what the ANN engine must do after commit."""

    rows: list[tuple[str, dict, str | None, bytes | None]]  # pk, values, text_hash, vector
    delete_pks: list[str]
    changed: set[str] = field(default_factory=set)  # pks whose vector changed
    embedded: int = 0


def text_hash(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def existing(store: IndexStore, pks: list[str] | None) -> dict[str, tuple[int, str, bytes]]:
    """pk -> (rid, text_hash, vector) for the given pks (all rows when ``pks`` is None)."""
    sql = "SELECT pk, rid, text_hash, vector FROM rows"
    if pks is None:
        return {r[0]: r[1:] for r in store.conn.execute(sql)}
    found = {}
    for i in range(0, len(pks), LOOKUP_CHUNK):
        chunk = pks[i : i + LOOKUP_CHUNK]
        where = f" WHERE pk IN ({', '.join('?' * len(chunk))})"
        found.update({r[0]: r[1:] for r in store.conn.execute(sql + where, chunk)})
    return found


def _vector_bytes(store: IndexStore, value: Any, pk: str) -> bytes | None:
    if value is None:
        return None
    vec = np.asarray(value, dtype=np.float32).reshape(-1)
    if vec.shape[0] != store.dimension:
        raise InvalidParameterValue(
            f"Vector for primary key {pk} in column {store.spec['vector_column']!r} has "
            f"{vec.shape[0]} dimensions; the index has {store.dimension}."
        )
    return vec.tobytes()


def _embed(store: IndexStore, texts: list[str]) -> list[bytes | None]:
    if store.embedder is None and store.dimension == 0:
        return [None] * len(texts)  # a keyword-only (FULL_TEXT) index: no vectors at all
    if store.embedder is None:
        raise InvalidParameterValue(
            f"Rows need embeddings of column {store.spec['text_column']!r} but this index was "
            "opened without an embedder; pass embedder= or supply vectors."
        )
    out: list[bytes] = []
    for i in range(0, len(texts), EMBED_BATCH):
        vectors = np.asarray(store.embedder(texts[i : i + EMBED_BATCH]), dtype=np.float32)
        if store.dimension == 0 and vectors.ndim == 2 and vectors.shape[1] > 0:
            store.adopt_dimension(vectors.shape[1])
        if vectors.ndim != 2 or vectors.shape[1] != store.dimension:
            got = vectors.shape[-1] if vectors.ndim else 0
            raise InvalidParameterValue(
                f"The embedder returned {got}-dimensional vectors; the index has "
                f"{store.dimension} dimensions."
            )
        out.extend(v.tobytes() for v in vectors)
    return out


def prepare(store: IndexStore, upserts: list[dict], delete_pks: list[str], full: bool) -> Prepared:
    """Validate rows and compute their vectors (outside any transaction)."""
    spec, by_pk = store.spec, {}
    for row in upserts:
        unknown = set(row) - set(spec["columns"])
        if unknown:
            raise InvalidParameterValue(
                f"Columns {sorted(unknown)} are not in the index schema; synced columns: "
                f"{', '.join(spec['columns'])}."
            )
        if row.get(spec["primary_key"]) is None:
            raise InvalidParameterValue(f"Row without primary key {spec['primary_key']!r}.")
        by_pk[pk_json(row[spec["primary_key"]])] = row  # the last row per key wins
    old = existing(store, None if full else list(by_pk))
    prepared = Prepared([], [p for p in delete_pks if p not in by_pk])
    if full:
        prepared.delete_pks = [p for p in old if p not in by_pk]
    pending: list[tuple[int, str]] = []
    for pk, row in by_pk.items():
        prev = old.get(pk)
        if spec["vector_column"]:
            h, vec = None, _vector_bytes(store, row.get(spec["vector_column"]), pk)
        elif spec["text_column"] is None:  # a full-text-only index
            h, vec = None, None
        else:
            h = text_hash(row.get(spec["text_column"]))
            vec = prev[2] if prev and prev[1] == h else None
            if h is not None and vec is None:
                pending.append((len(prepared.rows), row[spec["text_column"]]))
        if prev is None or prev[2] != vec or (h is not None and vec is None):
            prepared.changed.add(pk)
        prepared.rows.append((pk, row, h, vec))
    if pending:
        vectors = _embed(store, [t for _, t in pending])
        for (i, _), vec in zip(pending, vectors, strict=True):
            pk, row, h, _old = prepared.rows[i]
            prepared.rows[i] = (pk, row, h, vec)
        prepared.embedded = sum(v is not None for v in vectors)
    return prepared


def commit(store: IndexStore, prep: Prepared, checkpoint: Any) -> tuple[list[int], dict]:
    """One transaction; returns the deleted rids and pk -> rid of the upserted rows."""
    conn, kinds = store.conn, store.sql_kinds
    names = list(kinds)
    cols = ", ".join(col_sql(n) for n in names)
    marks = ", ".join("?" * len(names))
    updates = ", ".join(f"{col_sql(n)} = excluded.{col_sql(n)}" for n in names)
    upsert_sql = (
        f"INSERT INTO rows (pk, text_hash, vector, change_seq{', ' if names else ''}{cols}) "
        f"VALUES (?, ?, ?, ?{', ' if names else ''}{marks}) ON CONFLICT (pk) DO UPDATE SET "
        f"text_hash = excluded.text_hash, vector = excluded.vector, "
        f"change_seq = excluded.change_seq{', ' if names else ''}{updates} RETURNING rid"
    )
    conn.execute("BEGIN IMMEDIATE")
    try:
        meta = get_meta(conn)
        seq = meta["seq"] + 1
        deleted = _delete(store, prep.delete_pks, seq)
        rids = {}
        for pk, row, h, vec in prep.rows:
            values = [to_sql(row.get(n), kinds[n]) for n in names]
            rid = conn.execute(upsert_sql, [pk, h, vec, seq, *values]).fetchone()[0]
            rids[pk] = rid
            if store.has_fts:
                conn.execute("DELETE FROM fts WHERE rowid = ?", (rid,))
                text = row.get(store.spec["text_column"])
                if text is not None:
                    conn.execute("INSERT INTO fts (rowid, body) VALUES (?, ?)", (rid, text))
        updates_meta: dict[str, Any] = {
            "spec": store.spec,
            "seq": seq,
            "rows_upserted": meta["rows_upserted"] + len(prep.rows),
            "rows_deleted": meta["rows_deleted"] + len(deleted),
            "rows_embedded": meta["rows_embedded"] + prep.embedded,
        }
        if checkpoint is not store.KEEP:
            updates_meta["checkpoint"] = checkpoint
        set_meta(conn, **updates_meta)
        store.crash_point("before_commit")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    store.crash_point("after_commit")
    return deleted, rids


def _delete(store: IndexStore, pks: list[str], seq: int) -> list[int]:
    conn, deleted = store.conn, []
    for pk in pks:
        row = conn.execute("DELETE FROM rows WHERE pk = ? RETURNING rid", (pk,)).fetchone()
        if row is None:
            continue
        deleted.append(row[0])
        conn.execute("INSERT OR REPLACE INTO tombstones (rid, seq) VALUES (?, ?)", (row[0], seq))
        if store.has_fts:
            conn.execute("DELETE FROM fts WHERE rowid = ?", (row[0],))
    return deleted
