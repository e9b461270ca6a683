"""MERGE INTO: every WHEN clause form, in one commit, and idempotence as a property."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sql.conftest import rows

UPSERT = (
    "MERGE INTO shop.orders t USING {source} s ON t.id = s.id "
    "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
)


def test_merge_upsert_from_table_is_one_commit(shop):
    shop.sql(
        "CREATE TABLE shop.updates (id BIGINT, customer_id BIGINT, amount DOUBLE, status STRING)"
    )
    shop.sql("INSERT INTO shop.updates VALUES (2, 10, 8.0, 'returned'), (7, 40, 3.0, 'open')")
    before = shop.tables.version("main.shop.orders")
    result = shop.sql(UPSERT.format(source="main.shop.updates"))
    assert result.column_names == [
        "num_affected_rows",
        "num_updated_rows",
        "num_deleted_rows",
        "num_inserted_rows",
    ]
    assert rows(result) == [(2, 1, 0, 1)]
    assert shop.tables.version("main.shop.orders") == before + 1
    assert rows(
        shop.sql("SELECT id, amount, status FROM shop.orders WHERE id IN (2, 7) ORDER BY id")
    ) == [
        (2, 8.0, "returned"),
        (7, 3.0, "open"),
    ]


def test_merge_conditional_clauses_and_explicit_columns(shop):
    result = shop.sql(
        """
        MERGE INTO main.shop.orders AS o
        USING (SELECT * FROM (VALUES (1, 0.0), (3, 99.0), (8, 4.0)) AS v(id, amount)) AS src
        ON o.id = src.id
        WHEN MATCHED AND src.amount = 0 THEN DELETE
        WHEN MATCHED THEN UPDATE SET amount = o.amount + src.amount, status = 'changed'
        WHEN NOT MATCHED AND src.amount > 1 THEN INSERT (id, amount, status)
            VALUES (src.id, src.amount, 'new')
        WHEN NOT MATCHED BY SOURCE AND o.status = 'returned' THEN DELETE
        """
    )
    assert rows(result) == [(4, 1, 2, 1)]
    assert rows(shop.sql("SELECT id, amount, status FROM shop.orders ORDER BY id")) == [
        (2, 7.5, "shipped"),
        (3, 111.0, "changed"),
        (8, 4.0, "new"),
    ]


def test_merge_not_matched_by_source_update(shop):
    shop.sql(
        "MERGE INTO shop.orders t USING (SELECT 1 AS id) s ON t.id = s.id "
        "WHEN NOT MATCHED BY SOURCE THEN UPDATE SET status = 'stale'"
    )
    assert rows(shop.sql("SELECT count(*) FROM shop.orders WHERE status = 'stale'")) == [(3,)]


_names = itertools.count()
row = st.tuples(st.integers(1, 6), st.sampled_from(["a", "b", None]), st.integers(-5, 5))


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(row, max_size=5, unique_by=lambda r: r[0]))
def test_merge_is_idempotent(ws, source_rows):
    name = f"t{next(_names)}"
    ws.sql(f"CREATE TABLE {name} (id BIGINT, tag STRING, v BIGINT)")
    ws.sql(f"INSERT INTO {name} VALUES (1, 'x', 1), (2, 'y', 2), (3, NULL, 3)")
    ws.tables.create(
        f"main.default.{name}_src",
        data=[{"id": i, "tag": t, "v": v} for i, t, v in source_rows] or None,
        schema=None
        if source_rows
        else [
            {"name": "id", "type_text": "bigint"},
            {"name": "tag", "type_text": "string"},
            {"name": "v", "type_text": "bigint"},
        ],
    )
    merge = (
        f"MERGE INTO {name} t USING {name}_src s ON t.id = s.id "
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
    )
    ws.sql(merge)
    once = sorted(rows(ws.sql(f"SELECT * FROM {name}")), key=lambda r: r[0])
    ws.sql(merge)
    twice = sorted(rows(ws.sql(f"SELECT * FROM {name}")), key=lambda r: r[0])
    assert once == twice
    expected = {1: (1, "x", 1), 2: (2, "y", 2), 3: (3, None, 3)}
    expected.update({i: (i, t, v) for i, t, v in source_rows})
    assert once == sorted(expected.values())
