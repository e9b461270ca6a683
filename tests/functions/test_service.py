"""FunctionService: SQL and Python functions created, read, called one row and many rows."""

from __future__ import annotations

import pytest

from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from tests.functions.conftest import python_fn

X_INT = [{"name": "x", "type_text": "INT"}]


def test_sql_expression_function(fws):
    info = fws.functions.create(
        "main.shop.add_one", params=X_INT, returns="INT", body="x + 1", comment="adds one"
    )
    assert info.full_name == "main.shop.add_one"
    assert info.routine_body == "SQL" and info.securable_kind == "FUNCTION_STANDARD"
    assert info.input_params["parameters"][0]["type_name"] == "INT"
    assert fws.functions.execute("main.shop.add_one", {"x": 41}) == 42
    assert fws.functions.execute("main.shop.add_one", [1]) == 2
    assert fws.functions.execute_batch("main.shop.add_one", [{"x": 1}, [2], {"x": None}]) == [
        2,
        3,
        None,
    ]


def test_sql_function_with_a_scalar_query_over_a_table(fws):
    fws.functions.create(
        "main.shop.spent",
        params=[{"name": "customer", "type_text": "BIGINT"}],
        returns="DOUBLE",
        body="SELECT coalesce(sum(amount), 0) FROM orders WHERE customer_id = customer",
    )
    assert fws.functions.execute_batch("main.shop.spent", [[10], [20], [99]]) == [12.5, 12.0, 0.0]


def test_minutes_since_with_unix_timestamp(fws):
    fws.functions.create(
        "main.shop.minutes_since",
        params=[{"name": "ts", "type_text": "TIMESTAMP"}],
        returns="DOUBLE",
        body="RETURN (unix_timestamp(TIMESTAMP '2024-01-01 02:00:00') - unix_timestamp(ts)) / 60",
    )
    assert fws.functions.execute("main.shop.minutes_since", ["2024-01-01 01:00:00"]) == 60.0


def test_python_function_typed_by_its_declaration(fws):
    python_fn(
        fws,
        "label",
        "return f'{name}:{x * 2}'",
        params=[{"name": "x", "type_text": "INT"}, {"name": "name", "type_text": "STRING"}],
        returns="STRING",
    )
    assert fws.functions.execute("main.shop.label", {"x": 2, "name": "a"}) == "a:4"
    rows = [{"x": i, "name": "n"} for i in range(100)]
    assert fws.functions.execute_batch("main.shop.label", rows)[99] == "n:198"
    info = fws.functions.get("main.shop.label")
    assert info.routine_body == "EXTERNAL" and info.external_language == "PYTHON"


def test_python_function_gets_dates_as_dates_and_indented_bodies_work(fws):
    python_fn(
        fws,
        "weekday",
        "\n    if ts is None:\n        return -1\n    return ts.weekday()\n",
        params=[{"name": "ts", "type_text": "TIMESTAMP"}],
    )
    assert fws.functions.execute_batch("main.shop.weekday", [["2024-01-01T10:00:00"], [None]]) == [
        0,
        -1,
    ]


def test_results_are_checked_against_the_return_type(fws):
    python_fn(fws, "wrong", "return 'not a number'")
    with pytest.raises(InvalidParameterValue, match="does not match the declared type INT"):
        fws.functions.execute("main.shop.wrong", [1])
    python_fn(fws, "too_big", "return 2 ** 40")
    with pytest.raises(InvalidParameterValue, match="INT"):
        fws.functions.execute("main.shop.too_big", [1])


def test_bad_arguments_are_400(fws):
    fws.functions.create("main.shop.add_one", params=X_INT, returns="INT", body="x + 1")
    with pytest.raises(InvalidParameterValue, match="missing"):
        fws.functions.execute("main.shop.add_one", {})
    with pytest.raises(InvalidParameterValue, match="unknown"):
        fws.functions.execute("main.shop.add_one", {"x": 1, "y": 2})
    with pytest.raises(InvalidParameterValue, match="argument x"):
        fws.functions.execute("main.shop.add_one", {"x": "one"})
    with pytest.raises(InvalidParameterValue, match="takes 1 argument"):
        fws.functions.execute("main.shop.add_one", [1, 2])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"language": "RUBY", "body": "x"}, "valid: SQL, PYTHON"),
        ({"language": "PYTHON", "body": "return (x +"}, "Syntax error in the Python body"),
        ({"language": "SQL", "body": "x +* 1"}, "Syntax error"),
        ({"language": "SQL", "body": ""}, "empty"),
        ({"language": "SQL", "body": "x", "returns": "NOTATYPE"}, "Unknown type"),
        ({"language": "SQL", "body": "SELECT * FROM read_csv('/etc/passwd')"}, "not allowed"),
    ],
)
def test_invalid_definitions_are_refused(fws, kwargs, match):
    kwargs = {"returns": "INT", **kwargs}
    with pytest.raises((InvalidParameterValue, Exception), match=match):
        fws.functions.create("main.shop.bad", params=X_INT, **kwargs)
    with pytest.raises(ResourceDoesNotExist):
        fws.functions.get("main.shop.bad")


def test_get_list_replace_delete(fws):
    fws.functions.create("main.shop.f", params=X_INT, returns="INT", body="x + 1")
    with pytest.raises(ResourceAlreadyExists):
        fws.functions.create("main.shop.f", params=X_INT, returns="INT", body="x + 2")
    fws.functions.create("main.shop.f", params=X_INT, returns="INT", body="x + 2", replace=True)
    assert fws.functions.execute("main.shop.f", [1]) == 3
    assert [f.name for f in fws.functions.list("main", "shop")] == ["f"]
    fws.functions.delete("main.shop.f")
    with pytest.raises(ResourceDoesNotExist):
        fws.functions.get("main.shop.f")
    with pytest.raises(ResourceDoesNotExist):
        fws.functions.create("main.nope.f", params=X_INT, returns="INT", body="x")
