"""One conformance suite for every registered ANN engine (built-ins register like plug-ins)."""

from __future__ import annotations

import numpy as np
import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.vectorsearch.engines import ENGINES, METRICS, get_engine, register_builtins
from lakeai.vectorsearch.engines.exact import prepare, topk

register_builtins()
NAMES = sorted(ENGINES)


def clustered(n: int = 5000, dim: int = 32, clusters: int = 50, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(clusters, dim)) * 3
    return (centers[rng.integers(0, clusters, n)] + rng.normal(size=(n, dim))).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    vectors = clustered()
    return vectors, vectors[:: 5000 // 100] + np.float32(0.1)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("name", NAMES)
def test_recall_at_10_against_exact(name, metric, data):
    vectors, queries = data
    engine = get_engine(name).create(32, metric, capacity=100)  # grows as needed
    ids = np.arange(10, 10 + len(vectors), dtype=np.int64)
    engine.add(ids, vectors)
    assert len(engine) == len(vectors)
    found, scores = engine.search(queries, 10)
    truth, truth_scores = topk(prepare(vectors, metric), ids, prepare(queries, metric), 10, metric)
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.95
    assert np.all(np.diff(scores, axis=1) <= 1e-5)  # best first
    np.testing.assert_allclose(scores[:, 0], truth_scores[:, 0], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_deletes_and_replaces_are_honoured(name):
    vectors = clustered(300, 16, 5)
    engine = get_engine(name).create(16, "cosine", 64)
    engine.add(np.arange(300), vectors)
    engine.remove(np.arange(0, 300, 2))
    engine.remove(np.array([0, 9999]))  # replayed / unknown deletes are ignored
    assert len(engine) == 150
    found, _ = engine.search(vectors[:20], 10)
    assert not ({int(i) for i in found.ravel()} & set(range(0, 300, 2)))
    target = -vectors[1]
    engine.add(np.array([7]), target[None, :])  # replace an existing id's vector
    engine.add(np.array([4]), target[None, :] * 2)  # re-add a deleted id
    assert len(engine) == 151
    top, scores = engine.search(target, 2)
    assert set(top[0]) == {4, 7} and scores[0][0] == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_allowed_set_restricts_results(name):
    vectors = clustered(2000, 16, 10)
    engine = get_engine(name).create(16, "l2", 2000)
    engine.add(np.arange(2000), vectors)
    allowed = np.arange(0, 2000, 37)
    found, scores = engine.search(vectors[5], 10, allowed=allowed)
    truth, _ = topk(vectors[allowed], allowed, vectors[5][None, :], 10, "l2")
    assert set(found[0]) <= set(allowed.tolist())
    assert list(found[0]) == list(truth[0])
    assert np.all((scores > 0) & (scores <= 1.0))  # 1 / (1 + d^2)
    few, _ = engine.search(vectors[5], 10, allowed=np.array([3, 5, 123456]))
    assert sorted(few[0]) == [3, 5]


@pytest.mark.parametrize("name", NAMES)
def test_save_load_round_trip(name, tmp_path):
    vectors = clustered(1000, 8, 10)
    engine = get_engine(name).create(8, "inner_product", 100)
    engine.add(np.arange(1000), vectors)
    engine.remove(np.arange(100))
    engine.save(tmp_path)
    loaded = get_engine(name).load(tmp_path)
    assert (len(loaded), loaded.dim, loaded.metric) == (900, 8, "inner_product")
    before, after = engine.search(vectors[:10], 5), loaded.search(vectors[:10], 5)
    np.testing.assert_array_equal(before[0], after[0])
    loaded.add(np.array([5000]), vectors[:1])  # a loaded engine keeps working
    assert len(loaded) == 901


@pytest.mark.parametrize("name", NAMES)
def test_empty_engine_and_one_dimensional_query(name):
    engine = get_engine(name).create(4, "cosine")
    ids, scores = engine.search(np.ones(4, dtype=np.float32), 3)
    assert ids.shape == (1, 0) and scores.shape == (1, 0)


def test_unknown_engine_and_metric_list_the_valid_ones():
    with pytest.raises(InvalidParameterValue, match="exact, hnsw"):
        get_engine("faiss-gpu")
    with pytest.raises(InvalidParameterValue, match="cosine, l2, inner_product"):
        get_engine("exact").create(4, "manhattan")
