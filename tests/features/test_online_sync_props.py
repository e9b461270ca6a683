"""Invariants and crash safety: any writes + syncs leave the store equal to the table."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakeai.features.online_store import SqliteOnlineStore
from lakeai.pipelines.engine import SourceTable, sync_once
from lakeai.tables import delta

_names = itertools.count()

ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("merge"),
            st.lists(st.tuples(st.integers(0, 9), st.text(max_size=3)), min_size=1, max_size=5),
        ),
        st.tuples(st.just("delete"), st.integers(0, 9)),
        st.tuples(st.just("sync"), st.none()),
    ),
    max_size=8,
)


def _table_rows(ws, name):
    return {(r["id"],): r for r in ws.tables.read(name).to_pylist()}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=ops)
def test_store_equals_table_after_any_writes(ws, tmp_path, steps):
    name = f"main.default.p{next(_names)}"
    info = ws.tables.create(name, data=[{"id": 0, "v": "start"}], primary_key="id")
    store = SqliteOnlineStore(tmp_path / f"{name}.db", ["id"], None)
    source = SourceTable(info.storage_location, ["id"])
    sync_once(source, store)
    for op, arg in steps:
        if op == "merge":
            rows = {i: {"id": i, "v": v} for i, v in arg}
            ws.tables.merge(name, list(rows.values()))
        elif op == "delete":
            ws.tables.delete_rows(name, f"id = {arg}")
        else:
            sync_once(source, store)
    sync_once(source, store)
    expected = _table_rows(ws, name)
    assert store.count() == len(expected)
    assert store.lookup(list(expected)) == list(expected.values())
    store.close()


# The child applies a sync, but its upserts generator stops halfway and waits to be killed,
# so SIGKILL lands inside the open transaction, deterministically.
CHILD = r"""
import sys
from lakeai.features import online_store
from lakeai.features.online_codec import KeyedRows
from lakeai.pipelines.engine import SourceTable, sync_once

class Stalling(KeyedRows):
    def upserts(self, batch):
        rows = super().upserts(batch)
        def gen():
            for i, row in enumerate(rows):
                if i == len(rows) // 2:
                    print("mid-apply", flush=True)
                    sys.stdin.read()
                yield row
        return gen()

store = online_store.SqliteOnlineStore(sys.argv[2], ["id"], None)
store.rows = Stalling(["id"], None)
sync_once(SourceTable(sys.argv[1], ["id"]), store)
"""


def test_sigkill_mid_apply_leaves_the_checkpointed_state(ws, tmp_path):
    info = ws.tables.create(
        "main.default.crash", data=[{"id": i, "v": "a"} for i in range(100)], primary_key="id"
    )
    path = tmp_path / "crash.db"
    store = SqliteOnlineStore(path, ["id"], None)
    source = SourceTable(info.storage_location, ["id"])
    sync_once(source, store)
    checkpoint = store.checkpoint()
    store.close()
    ws.tables.merge("main.default.crash", [{"id": i, "v": "b"} for i in range(50, 150)])
    ws.tables.delete_rows("main.default.crash", "id < 10")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, info.storage_location, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "mid-apply"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.stdin.close()
        child.stdout.close()
    reopened = SqliteOnlineStore(path, ["id"], None)
    old = delta.dataset(info.storage_location, version=checkpoint).to_table().to_pylist()
    assert reopened.checkpoint() == checkpoint and reopened.count() == len(old)
    assert reopened.lookup([(r["id"],) for r in old]) == old
    sync_once(source, reopened)  # the replay brings it to the table, exactly
    expected = _table_rows(ws, "main.default.crash")
    assert reopened.count() == len(expected)
    assert reopened.lookup(list(expected)) == list(expected.values())
    reopened.close()
