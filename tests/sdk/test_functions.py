"""Catalog functions through ``lakeai.connect``: the same answers as in-process."""

from __future__ import annotations

import pytest

from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from lakeai.functions.models import FunctionInfo

X_INT = [{"name": "x", "type_text": "int"}]


def test_sql_function_lifecycle(remote, local, schema: str) -> None:
    name = f"{schema}.add_one"
    info = remote.functions.create(name, params=X_INT, returns="int", body="x + 1", comment="c")
    assert isinstance(info, FunctionInfo) and info.full_name == name
    assert info.routine_body == "SQL" and info.comment == "c"
    assert remote.functions.get(name) == local.functions.get(name)
    assert [f.full_name for f in remote.functions.list(*schema.split("."))] == [name]
    assert remote.functions.execute(name, {"x": 41}) == 42
    assert remote.functions.execute(name, [1]) == 2
    assert remote.functions.execute_batch(name, [{"x": 1}, {"x": 2}]) == [2, 3]
    replaced = remote.functions.create(
        name, params=X_INT, returns="int", body="x + 2", replace=True
    )
    assert replaced.routine_definition == "x + 2"
    assert remote.functions.execute(name, {"x": 1}) == 3
    assert remote.functions.update(name, owner="admin").owner == "admin"
    remote.functions.delete(name)
    with pytest.raises(ResourceDoesNotExist):
        remote.functions.get(name)


def test_python_function(remote, schema: str) -> None:
    name = f"{schema}.greet"
    params = [{"name": "who", "type_text": "string"}]
    info = remote.functions.create(
        name, params=params, returns="string", language="PYTHON", body="return 'hi ' + who"
    )
    assert info.external_language == "PYTHON" and info.routine_body == "EXTERNAL"
    assert remote.functions.get(name).routine_definition == "return 'hi ' + who"
    assert name in [f.full_name for f in remote.functions.list(*schema.split("."))]
    assert remote.functions.execute(name, {"who": "ada"}) == "hi ada"
    remote.functions.delete(name)
    with pytest.raises(ResourceDoesNotExist):
        remote.functions.execute(name, {"who": "ada"})


def test_errors_are_raised_as_lakeai_types(remote, schema: str) -> None:
    with pytest.raises(ResourceDoesNotExist):
        remote.functions.get(f"{schema}.nope")
    with pytest.raises(ResourceDoesNotExist):
        remote.functions.execute(f"{schema}.nope", {})
    with pytest.raises(ResourceDoesNotExist):
        remote.functions.list(schema.split(".")[0], "no_such_schema")
    name = f"{schema}.f"
    remote.functions.create(name, params=X_INT, returns="int", body="x")
    with pytest.raises(ResourceAlreadyExists):
        remote.functions.create(name, params=X_INT, returns="int", body="x")
    with pytest.raises(InvalidParameterValue, match="takes"):
        remote.functions.execute(name, {"y": 1})
    with pytest.raises(InvalidParameterValue):
        remote.functions.create(f"{schema}.g", returns="int", language="COBOL", body="x")
    with pytest.raises(InvalidParameterValue):
        remote.functions.create("not_three_parts", returns="int", body="1")
