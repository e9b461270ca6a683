"""The store as a pipeline sink over real Delta tables: kill -9 at each step, and a property.

A crash is simulated by running ``sync_once`` in a subprocess that the store SIGKILLs at a
named step (``LAKEAI_VS_CRASH_AT``). Reopened, the store must equal the table at the store's
checkpoint, and the next sync must converge to the table's latest version.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakeai.pipelines.engine import SourceTable, latest_version, sync_once
from lakeai.tables import delta
from lakeai.vectorsearch.store import CRASH_ENV, IndexStore
from tests.vectorsearch.test_store import DIM, ToyEmbedder, toy_vector

_names = itertools.count()
REPO = Path(__file__).resolve().parents[2]
SCHEMA = {"id": pa.int64(), "text": pa.string()}
CHILD = """
import sys
sys.path.insert(0, sys.argv[3])
from lakeai.pipelines.engine import SourceTable, latest_version, sync_once
from lakeai.vectorsearch.store import IndexStore
from tests.vectorsearch.test_store import ToyEmbedder
store = IndexStore.open(sys.argv[2], embedder=ToyEmbedder(), snapshot_every=1)
sync_once(SourceTable(sys.argv[1], ["id"]), store)
store.close()
"""


def make_table(ws, rows):
    name = f"main.default.vs_{next(_names)}"
    info = ws.tables.create(name, data=rows, primary_key="id")
    return name, SourceTable(info.storage_location, ["id"])


def new_store(path) -> IndexStore:
    return IndexStore.create(
        path,
        primary_key="id",
        columns=SCHEMA,
        dimension=DIM,
        text_column="text",
        embedder=ToyEmbedder(),
    )


def table_at(source: SourceTable, version: int | None) -> dict:
    if version is None:
        return {}
    rows = delta.dataset(source.location, version=version).to_table().to_pylist()
    return {r["id"]: r["text"] for r in rows}


def store_state(store: IndexStore) -> dict:
    return {r["id"]: r["text"] for r in store.scan(limit=10**6)}


def assert_consistent(store: IndexStore) -> None:
    """The ANN engine holds exactly the stored rows, and each row finds itself."""
    state = store_state(store)
    assert store.status()["ann_row_count"] == len(state)
    for pk, text in list(state.items())[:5]:
        assert store.query(vector=toy_vector(text), k=1, columns=["id"])[1][0][0] == pk


@pytest.mark.parametrize("step", ["before_commit", "after_commit", "snapshot_write"])
def test_kill_9_at_each_step_recovers_to_a_checkpoint(ws, tmp_path, step):
    name, source = make_table(ws, [{"id": i, "text": f"row {i}"} for i in range(20)])
    store = new_store(tmp_path / "idx")
    first = sync_once(source, store).to_version
    store.close()  # leaves a snapshot at the first checkpoint
    ws.tables.merge(name, [{"id": 3, "text": "changed"}, {"id": 50, "text": "new"}])
    ws.tables.delete_rows(name, "id < 3")
    latest = latest_version(source)
    env = {**os.environ, CRASH_ENV: step}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, source.location, str(tmp_path / "idx"), str(REPO)],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    store = IndexStore.open(tmp_path / "idx", embedder=ToyEmbedder())
    checkpoint = store.checkpoint()
    assert checkpoint == (first if step == "before_commit" else latest)
    assert store_state(store) == table_at(source, checkpoint)
    if step != "before_commit":  # the old snapshot was loaded and caught up, not rebuilt
        assert store.status()["last_snapshot_seq"] == 1
    if step == "snapshot_write":
        assert list((tmp_path / "idx" / "ann").glob("tmp-*"))  # the torn snapshot is ignored
    assert_consistent(store)
    sync_once(source, store)
    assert store_state(store) == table_at(source, latest)
    assert_consistent(store)
    store.close()
    assert store_state(IndexStore.open(tmp_path / "idx")) == table_at(source, latest)


ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("merge"),
            st.dictionaries(st.integers(0, 8), st.text("abc", max_size=3), min_size=1, max_size=4),
        ),
        st.tuples(st.just("delete"), st.integers(0, 8)),
        st.tuples(st.just("sync"), st.none()),
        st.tuples(st.just("reopen"), st.none()),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=ops)
def test_store_equals_table_after_any_writes(ws, steps):
    name, source = make_table(ws, [{"id": 1, "text": "a"}])
    with tempfile.TemporaryDirectory() as folder:
        store = new_store(Path(folder) / "idx")
        for kind, arg in steps:
            if kind == "merge":
                ws.tables.merge(name, [{"id": k, "text": v} for k, v in arg.items()])
            elif kind == "delete":
                ws.tables.delete_rows(name, f"id = {arg}")
            elif kind == "sync":
                sync_once(source, store)
            else:
                store.close()
                store = IndexStore.open(Path(folder) / "idx", embedder=ToyEmbedder())
        sync_once(source, store)
        expected = {r["id"]: r["text"] for r in ws.tables.read(name).to_pylist()}
        assert store_state(store) == expected
        assert store.status()["ann_row_count"] == len(expected)
        store.close()
