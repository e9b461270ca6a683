"""Concurrent writers: appends all land (threads and processes); real conflicts are named."""

import multiprocessing as mp
import threading

import pytest

from lakeai.errors import ConcurrentModification
from lakeai.tables import delta


def _append_rows(location: str, start: int, count: int) -> None:
    import pyarrow as pa

    for i in range(start, start + count):
        delta.append(location, pa.table({"id": pa.array([i], pa.int64())}))


def test_threads_appending_lose_no_commit(ws):
    info = ws.tables.create("main.default.c", data=[{"id": 0}])
    threads = [
        threading.Thread(
            target=lambda k=k: [
                ws.tables.append("main.default.c", [{"id": k * 100 + j}]) for j in range(1, 6)
            ]
        )
        for k in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = sorted(ws.tables.read("main.default.c").column("id").to_pylist())
    assert ids == sorted([0] + [k * 100 + j for k in range(4) for j in range(1, 6)])
    assert info.full_name == "main.default.c"


def test_processes_appending_lose_no_commit(ws):
    info = ws.tables.create("main.default.p", data=[{"id": -1}])
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_append_rows, args=(info.storage_location, k * 100, 5)) for k in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    ids = sorted(ws.tables.read("main.default.p").column("id").to_pylist())
    assert ids == sorted([-1] + [k * 100 + j for k in range(3) for j in range(5)])


def test_conflicting_deletes_raise_concurrent_modification(ws):
    """Two deletes built on the same snapshot: the second must fail, not silently win."""
    info = ws.tables.create("main.default.d", data=[{"id": i} for i in range(10)])
    stale = delta.open_table(info.storage_location)
    ws.tables.delete_rows("main.default.d", "id < 5")
    with pytest.raises(ConcurrentModification):
        delta._translate(lambda: stale.delete("id >= 5"), "delete")
    assert sorted(ws.tables.read("main.default.d").column("id").to_pylist()) == [5, 6, 7, 8, 9]
