"""Property: after any sequence of appends, merges and deletes, the table equals a plain dict model."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_counter = itertools.count()

keys = st.integers(min_value=0, max_value=12)
values = st.integers(min_value=-5, max_value=5)
op = st.one_of(
    st.tuples(st.just("merge"), st.dictionaries(keys, values, min_size=1, max_size=5)),
    st.tuples(st.just("delete"), keys),
    st.tuples(st.just("delete_above"), values),
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(op, min_size=1, max_size=6))
def test_table_matches_model(ws, ops):
    name = f"main.default.prop_{next(_counter)}"
    ws.tables.create(
        name,
        schema=[{"name": "k", "type_text": "bigint"}, {"name": "v", "type_text": "bigint"}],
        primary_key="k",
    )
    model: dict[int, int] = {}
    for kind, arg in ops:
        if kind == "merge":
            batch = [{"k": k, "v": v} for k, v in arg.items()]
            ws.tables.merge(name, batch)
            ws.tables.merge(name, batch)  # idempotent: applying it twice changes nothing more
            model.update(arg)
        elif kind == "delete":
            ws.tables.delete_rows(name, f"k = {arg}")
            model.pop(arg, None)
        else:
            ws.tables.delete_rows(name, f"v > {arg}")
            model = {k: v for k, v in model.items() if not v > arg}
    got = {r["k"]: r["v"] for r in ws.tables.read(name).to_pylist()}
    assert got == model
    ws.tables.delete(name)
