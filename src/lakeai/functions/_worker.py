"""A Python function worker: run as a script (``python -I _worker.py MEMORY_MB``), stdlib only.

Why a script and JSON lines instead of multiprocessing and pickle: the worker imports nothing of
LakeAI (it starts in ~20 ms), and nothing a user's function returns is ever unpickled in the
server; only JSON text crosses the process boundary. Protocol, one line each way per job:

    -> {"source": "<def ...>", "params": [[name, kind], ...], "rows": [[arg, ...], ...]}
    <- {"ok": [value, ...]}  or  {"error": "<ExceptionType>: <message>"}
"""

import datetime
import decimal
import json
import os
import sys


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _argument(value, kind):
    """JSON values back to the Python types the declared parameter type promises."""
    if value is None:
        return None
    if kind == "timestamp":
        moment = datetime.datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "decimal":
        return decimal.Decimal(str(value))
    return value


def _jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"result of type {type(value).__name__} is not a SQL value")


_compiled = {}


def _function(source):
    fn = _compiled.get(source)
    if fn is None:
        namespace = {}
        exec(compile(source, "<catalog function>", "exec"), namespace)
        fn = namespace["__lakeai_fn"]
        _compiled[source] = fn
    return fn


def _run(job):
    fn = _function(job["source"])
    kinds = [kind for _, kind in job["params"]]
    out = []
    for row in job["rows"]:
        out.append(fn(*[_argument(v, k) for v, k in zip(row, kinds, strict=True)]))
    return out


def main() -> None:
    _limit_memory(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # a function's print() must never corrupt the protocol stream
    sys.stdout = sys.stderr
    for line in sys.stdin:
        try:
            answer = json.dumps({"ok": _run(json.loads(line))}, default=_jsonable)
        except BaseException as exc:
            answer = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]})
        protocol.write(answer + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
