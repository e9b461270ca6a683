"""The store conformance suite, run against every backend: SQLite and Redis."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lakeai.pipelines.changes import ChangeBatch
from tests.features.conftest import open_store


def batch(start, end, rows, deletes=()):
    table = pa.Table.from_pylist(rows) if rows else pa.table({"id": pa.array([], pa.int64())})
    return ChangeBatch(start, end, table, list(deletes))


@pytest.fixture
def store(backend, tmp_path):
    s = open_store(backend, tmp_path, ["id"])
    yield s
    s.destroy()


def test_apply_lookup_and_checkpoint(store):
    assert store.checkpoint() is None and store.count() == 0
    store.apply(batch(None, 0, [{"id": i, "v": f"r{i}"} for i in range(150)]))
    assert store.checkpoint() == 0 and store.count() == 150
    assert store.lookup([(3,)]) == [{"id": 3, "v": "r3"}]
    keys = [(i,) for i in range(100)] + [(999,)]
    found = store.lookup(keys)
    assert found[:100] == [{"id": i, "v": f"r{i}"} for i in range(100)] and found[100] is None
    store.apply(batch(0, 2, [{"id": 3, "v": "new"}], deletes=[(4,)]))
    assert store.lookup([(3,), (4,)]) == [{"id": 3, "v": "new"}, None]
    assert store.checkpoint() == 2 and store.status()["row_count"] == 149


def test_full_batch_replaces_everything(store):
    store.apply(batch(None, 0, [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]))
    store.apply(batch(None, 5, [{"id": 9, "v": "z"}]))
    assert store.count() == 1 and store.lookup([(1,), (9,)]) == [None, {"id": 9, "v": "z"}]
    assert store.checkpoint() == 5


def test_replaying_a_batch_is_idempotent(store):
    store.apply(batch(None, 0, [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]))
    again = batch(0, 1, [{"id": 1, "v": "x"}], deletes=[(2,)])
    store.apply(again)
    store.apply(again)
    assert store.lookup([(1,), (2,)]) == [{"id": 1, "v": "x"}, None] and store.count() == 1


def test_composite_key(backend, tmp_path):
    store = open_store(backend, tmp_path, ["region", "id"])
    try:
        store.apply(
            batch(None, 0, [{"region": "eu", "id": 1, "v": 1}, {"region": "us", "id": 1, "v": 2}])
        )
        assert store.lookup([("us", 1), ("eu", 1), ("eu", 2)]) == [
            {"region": "us", "id": 1, "v": 2},
            {"region": "eu", "id": 1, "v": 1},
            None,
        ]
    finally:
        store.destroy()


def test_timeseries_keeps_the_latest_event(backend, tmp_path):
    store = open_store(backend, tmp_path, ["id"], "ts")
    try:
        store.apply(batch(None, 0, [{"id": 1, "ts": 10, "v": "new"}]))
        store.apply(batch(0, 1, [{"id": 1, "ts": 5, "v": "late"}]))  # out of order: ignored
        assert store.lookup([(1,)]) == [{"id": 1, "ts": 10, "v": "new"}]
        store.apply(batch(1, 2, [{"id": 1, "ts": 12, "v": "newer"}]))
        assert store.lookup([(1,)])[0]["v"] == "newer"
        store.apply(batch(2, 3, [], deletes=[(1, 10)]))  # an older row's delete: kept
        assert store.lookup([(1,)])[0]["v"] == "newer"
        store.apply(batch(3, 4, [], deletes=[(1, 12)]))
        assert store.lookup([(1,)]) == [None]
        # a full copy holding several rows per key keeps the newest, in any order
        rows = [{"id": 2, "ts": t, "v": str(t)} for t in (3, 9, 1)]
        store.apply(batch(None, 5, rows))
        assert store.lookup([(2,)])[0]["v"] == "9" and store.count() == 1
    finally:
        store.destroy()
