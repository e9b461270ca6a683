"""IndexStore: pipeline batches, re-embedding only on text change, queries, paging, scan."""

from __future__ import annotations

import functools
import hashlib
import json

import numpy as np
import pyarrow as pa
import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.pipelines.changes import ChangeBatch
from lakeai.vectorsearch.engines.exact import prepare, topk
from lakeai.vectorsearch.store import IndexStore

DIM = 16
SCHEMA = {"id": pa.int64(), "text": pa.string(), "cat": pa.string(), "n": pa.int64()}


def toy_vector(text: str, dim: int = DIM) -> np.ndarray:
    """A seeded pseudo-random vector per text: equal texts, equal vectors; no model needed."""
    seed = int(hashlib.sha256(text.encode()).hexdigest()[:16], 16)
    return np.random.default_rng(seed).normal(size=dim).astype(np.float32)


class ToyEmbedder:
    """Counts the texts it embeds, to prove unchanged text is never re-embedded."""

    def __init__(self, dim: int = DIM) -> None:
        self.dim, self.texts = dim, []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return np.stack([toy_vector(t, self.dim) for t in texts])


def make_store(path, embedder=None, **kw) -> IndexStore:
    options = {"primary_key": "id", "columns": SCHEMA, "dimension": DIM, "text_column": "text"}
    return IndexStore.create(path, **{**options, **kw}, embedder=embedder or ToyEmbedder())


def rows_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=pa.schema(SCHEMA))


def store_rows(store: IndexStore) -> dict:
    return {r["id"]: r for r in store.scan(limit=10**6)}


def test_incremental_and_full_batches_embed_only_changed_text(tmp_path):
    emb = ToyEmbedder()
    store = make_store(tmp_path / "i", emb)
    first = [{"id": i, "text": f"doc {i}", "cat": "a", "n": i} for i in range(5)]
    store.apply(ChangeBatch(None, 0, rows_table(first), []))
    assert (store.checkpoint(), store.count(), len(emb.texts)) == (0, 5, 5)
    changed = [
        {"id": 1, "text": "doc 1", "cat": "b", "n": 10},
        {"id": 2, "text": "new 2", "cat": "a", "n": 2},
    ]
    store.apply(ChangeBatch(0, 1, rows_table(changed), [(4,)]))
    assert emb.texts[5:] == ["new 2"]  # id 1 kept its vector: only a column changed
    assert store_rows(store)[1]["cat"] == "b" and 4 not in store_rows(store)
    store.apply(ChangeBatch(0, 1, rows_table(changed), [(4,)]))  # a replayed batch: no change
    assert len(emb.texts) == 6 and store.count() == 4
    full = [
        {"id": 1, "text": "doc 1", "cat": "c", "n": 1},
        {"id": 9, "text": "nine", "cat": "a", "n": 9},
    ]
    extra = rows_table(full).append_column("unsynced", pa.array([1, 2]))
    store.apply(ChangeBatch(None, 5, extra, []))  # columns the index does not sync are ignored
    assert set(store_rows(store)) == {1, 9} and emb.texts[6:] == ["nine"]
    assert store.status()["ann_row_count"] == 2 and store.checkpoint() == 5
    top = store.query(vector=toy_vector("doc 1"), k=1, columns=["id", "cat"])
    assert top[0] == ["id", "cat", "score"] and top[1][0][:2] == [1, "c"]
    store.close()


def test_dimension_errors_name_both_sizes(tmp_path):
    store = IndexStore.create(
        tmp_path / "v",
        primary_key="id",
        columns={"id": pa.int64(), "vec": pa.list_(pa.float32())},
        dimension=4,
        vector_column="vec",
    )
    with pytest.raises(InvalidParameterValue, match=r"3 dimensions.*has 4"):
        store.upsert([{"id": 1, "vec": [1.0, 2.0, 3.0]}])
    with pytest.raises(InvalidParameterValue, match=r"2 dimensions.*has 4"):
        store.query(vector=[1.0, 2.0])
    bad = make_store(tmp_path / "e", ToyEmbedder(dim=5))
    with pytest.raises(InvalidParameterValue, match=r"5-dimensional.*16"):
        bad.apply(
            ChangeBatch(None, 0, rows_table([{"id": 1, "text": "x", "cat": "a", "n": 1}]), [])
        )
    assert bad.checkpoint() is None and bad.count() == 0  # nothing was committed


def _corpus(n: int = 3000) -> list[dict]:
    rng = np.random.default_rng(3)
    cats = ["rare"] + [f"c{i}" for i in range(9)]
    weights = [0.01] + [0.11] * 9
    return [
        {
            "id": i,
            "text": f"t{i}",
            "cat": str(rng.choice(cats, p=weights)),
            "n": int(rng.integers(0, 100)),
        }
        for i in range(n)
    ]


def _brute(rows: list[dict], keep, query: np.ndarray, k: int) -> list[int]:
    chosen = [i for i, r in enumerate(rows) if keep(r)]
    ids = np.array([rows[i]["id"] for i in chosen])
    matrix = _matrix(len(rows))[chosen]
    return topk(matrix, ids, prepare(query, "cosine"), k, "cosine")[0][0].tolist()


@functools.cache
def _matrix(n: int) -> np.ndarray:
    return prepare(np.stack([toy_vector(r["text"]) for r in _corpus(n)]), "cosine")


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    rows = _corpus()
    store = make_store(tmp_path_factory.mktemp("c") / "i", exact_threshold=500)
    store.apply(ChangeBatch(None, 0, rows_table(rows), []))
    yield store, rows
    store.close()


@pytest.mark.parametrize(
    ("filters", "keep", "min_recall"),
    [
        ({"cat": "rare"}, lambda r: r["cat"] == "rare", 1.0),  # selective: exact path
        ({"cat": "rare", "n <": 50}, lambda r: r["cat"] == "rare" and r["n"] < 50, 1.0),
        (None, lambda r: True, 0.95),  # broad: HNSW
        ({"cat NOT": "c1"}, lambda r: r["cat"] != "c1", 0.95),  # broad: HNSW with a filter
    ],
)
def test_filtered_queries_match_brute_force(corpus_store, filters, keep, min_recall):
    store, rows = corpus_store
    recalls = []
    for q in range(20):
        query = toy_vector(f"query {q}")
        _, got = store.query(vector=query, k=10, filters=filters, columns=["id", "cat", "n"])
        truth = _brute(rows, keep, query, 10)
        assert all(keep({"id": r[0], "cat": r[1], "n": r[2]}) for r in got)
        recalls.append(len({r[0] for r in got} & set(truth)) / len(truth))
        if min_recall == 1.0:
            assert [r[0] for r in got] == truth  # true top-k, no post-filter starvation
    assert np.mean(recalls) >= min_recall


def test_paging_with_offset_concatenates_to_one_query(corpus_store):
    store, _ = corpus_store
    query = toy_vector("paging")
    _, whole = store.query(vector=query, k=30, filters={"cat": "rare"}, columns=["id"])
    pages = [
        store.query(vector=query, k=10, offset=o, filters={"cat": "rare"}, columns=["id"])[1]
        for o in (0, 10, 20)
    ]
    assert [r for p in pages for r in p] == whole


def test_hybrid_and_full_text_find_keyword_hits(tmp_path):
    store = make_store(tmp_path / "h")
    rows = [{"id": i, "text": f"filler words {i}", "cat": "a", "n": i} for i in range(200)]
    rows.append({"id": 999, "text": "the zebra policy for returns", "cat": "b", "n": 0})
    store.apply(ChangeBatch(None, 0, rows_table(rows), []))
    query = toy_vector("filler words 3")
    _, ann = store.query(vector=query, text="zebra returns", k=5, columns=["id"])
    _, hybrid = store.query(
        vector=query, text="zebra returns", k=5, columns=["id"], query_type="hybrid"
    )
    _, keyword = store.query(text="ZEBRA: returns!", k=5, columns=["id"], query_type="FULL_TEXT")
    assert 999 not in [r[0] for r in ann]
    assert 999 in [r[0] for r in hybrid] and hybrid[0][1] <= 2 / 61
    assert [r[0] for r in keyword] == [999] and keyword[0][1] > 0
    _, none = store.query(text="zebra", k=5, query_type="FULL_TEXT", filters={"cat": "a"})
    assert none == []
    assert store.query(vector=query, k=5, score_threshold=0.99, columns=["id"])[1] == [
        [3, pytest.approx(1.0)]
    ]
    with pytest.raises(InvalidParameterValue, match="ANN, HYBRID, FULL_TEXT"):
        store.query(vector=query, query_type="SEMANTIC")
    with pytest.raises(InvalidParameterValue, match="'nope'"):
        store.query(vector=query, columns=["nope"])


def test_scan_in_primary_key_order(tmp_path):
    store = make_store(tmp_path / "s")
    store.apply(
        ChangeBatch(
            None,
            0,
            rows_table([{"id": i, "text": str(i), "cat": "x", "n": i} for i in (10, 2, 33, 1)]),
            [],
        )
    )
    assert [r["id"] for r in store.scan(limit=3)] == [1, 2, 10]
    assert [r["id"] for r in store.scan(after_pk="2", limit=10)] == [10, 33]
    assert store.scan(after_pk=33) == []


def test_direct_upsert_and_delete_self_managed_vectors(tmp_path):
    store = IndexStore.create(
        tmp_path / "d",
        primary_key="id",
        columns={"id": pa.int64(), "vec": pa.list_(pa.float32()), "tags": pa.list_(pa.string())},
        dimension=2,
        vector_column="vec",
        metric="l2",
        engine="exact",
    )
    assert (
        store.upsert(
            [{"id": 1, "vec": [0, 0], "tags": ["a"]}, {"id": 2, "vec": [1, 1], "tags": ["b"]}]
        )
        == 2
    )
    store.upsert(pa.table({"id": [3], "vec": [[5.0, 5.0]], "tags": [["a", "c"]]}))
    names, rows = store.query(vector=[1, 1], k=3, columns=["id", "vec"])
    assert names == ["id", "vec", "score"] and rows[0] == [2, [1.0, 1.0], 1.0]
    assert rows[1][2] == pytest.approx(1 / 3)  # l2: 1 / (1 + d^2), d^2 = 2
    assert store.delete(["1", "404"]) == 1
    assert [r["id"] for r in store.scan()] == [2, 3] and store.checkpoint() is None
    assert store.query(vector=[0, 0], k=5, filters={"tags": "a"}, columns=["id"])[1][0][0] == 3
    with pytest.raises(InvalidParameterValue, match="not in the index schema"):
        store.upsert([{"id": 4, "vec": [1, 1], "colour": "red"}])
    store.close()
    reopened = IndexStore.open(tmp_path / "d")
    assert reopened.status()["last_snapshot_seq"] == reopened.status()["change_seq"]
    assert reopened.query(vector=[5, 5], k=1, columns=["id"])[1][0][0] == 3


def test_snapshot_is_used_and_a_mismatched_tag_forces_a_rebuild(tmp_path):
    store = make_store(tmp_path / "p", snapshot_every=3)
    store.apply(
        ChangeBatch(
            None,
            0,
            rows_table([{"id": i, "text": f"x{i}", "cat": "a", "n": i} for i in range(5)]),
            [],
        )
    )
    assert store.status()["last_snapshot_seq"] == 1  # 5 changes >= 3: a snapshot was written
    store.delete([0])
    store.conn.close()  # a "crash": no snapshot on close
    emb = ToyEmbedder()
    reopened = IndexStore.open(tmp_path / "p", embedder=emb)
    assert reopened.status()["last_snapshot_seq"] == 1 and reopened.status()["ann_row_count"] == 4
    assert reopened.query(vector=toy_vector("x0"), k=10, columns=["id"])[1][0][0] != 0
    reopened.close()
    (tag,) = (tmp_path / "p" / "ann").glob("snap-*/tag.json")
    tag.write_text(json.dumps({**json.loads(tag.read_text()), "uid": "someone else"}))
    rebuilt = IndexStore.open(tmp_path / "p", embedder=emb)
    assert rebuilt.status()["last_snapshot_seq"] is None and rebuilt.status()["ann_row_count"] == 4
    assert emb.texts == []  # rebuilt from stored vectors, never re-embedded


def test_full_text_only_and_learned_dimension(tmp_path):
    keyword = make_store(tmp_path / "f", dimension=0, embedder=None)
    keyword.embedder = None
    keyword.apply(
        ChangeBatch(None, 0, rows_table([{"id": 1, "text": "hello world", "cat": "a", "n": 1}]), [])
    )
    assert keyword.query(text="hello", query_type="FULL_TEXT", columns=["id"])[1][0][0] == 1
    learned = make_store(tmp_path / "l", dimension=0)
    learned.apply(
        ChangeBatch(None, 0, rows_table([{"id": 1, "text": "hello", "cat": "a", "n": 1}]), [])
    )
    assert learned.status()["dimension"] == DIM
    learned.close()
    assert (
        IndexStore.open(tmp_path / "l").query(vector=toy_vector("hello"), columns=["id"])[1][0][0]
        == 1
    )
