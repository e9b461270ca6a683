"""Python functions run in worker processes: a raise, a hang, an exit or a memory blow-up
fails that call cleanly and the next call works."""

from __future__ import annotations

import pytest

from lakeai.errors import DeadlineExceeded, InvalidParameterValue, TemporarilyUnavailable
from tests.functions.conftest import python_fn


@pytest.fixture
def ok(fws):
    python_fn(fws, "ok", "return x + 1")
    return lambda: fws.functions.execute("main.shop.ok", [1]) == 2


def test_a_raise_is_400_with_its_message_and_no_traceback(fws, ok):
    python_fn(fws, "boom", "def helper():\n    raise ValueError(f'bad input {x}')\nhelper()")
    with pytest.raises(InvalidParameterValue) as info:
        fws.functions.execute("main.shop.boom", [7])
    assert info.value.message == "The function raised ValueError: bad input 7"
    assert "Traceback" not in info.value.message and "line" not in info.value.message
    assert ok()


def test_a_hang_is_504_and_the_worker_is_replaced(fws, ok):
    python_fn(fws, "hang", "while True:\n    pass")
    runner = fws.services.functions.runner
    with pytest.raises(DeadlineExceeded, match="functions_python_timeout_seconds") as info:
        fws.functions.execute("main.shop.hang", [1])
    assert info.value.http_status == 504 and info.value.error_code == "DEADLINE_EXCEEDED"
    assert runner.replaced == 1
    assert ok()


def test_an_exit_is_503_and_the_worker_is_replaced(fws, ok):
    python_fn(fws, "die", "import os\nos._exit(1)")
    with pytest.raises(TemporarilyUnavailable, match="died"):
        fws.functions.execute("main.shop.die", [1])
    assert ok()
    python_fn(fws, "segv", "import ctypes\nctypes.string_at(0)")
    with pytest.raises(TemporarilyUnavailable):
        fws.functions.execute("main.shop.segv", [1])
    assert ok()


def test_memory_past_the_limit_fails_cleanly(fws, ok):
    python_fn(fws, "hog", "block = bytearray(2 * 1024 ** 3)\nreturn len(block)", returns="BIGINT")
    with pytest.raises((InvalidParameterValue, TemporarilyUnavailable), match=r"MemoryError|died"):
        fws.functions.execute("main.shop.hog", [1])
    assert ok()


def test_print_does_not_corrupt_the_protocol(fws):
    python_fn(fws, "chatty", "print('hello\\n{\"ok\": [99]}')\nreturn x")
    assert fws.functions.execute_batch("main.shop.chatty", [[1], [2]]) == [1, 2]


def test_results_must_be_sql_values(fws):
    python_fn(fws, "obj", "return object()")
    with pytest.raises(InvalidParameterValue, match="not a SQL value"):
        fws.functions.execute("main.shop.obj", [1])
