"""Feature specs: created and validated whole, stored as FUNCTION_FEATURE_SPEC functions, governed."""

from __future__ import annotations

import pytest

from lakeai.errors import InvalidParameterValue, PermissionDenied
from tests.sql.conftest import rows

USERS = [{"user_id": i, "age": 20 + i, "score": i / 10} for i in range(1, 4)]
B = [{"name": "x", "type_text": "BIGINT"}]


@pytest.fixture
def fs(ws):
    ws.schemas.create("main", "fs")
    ws.tables.create("main.fs.users", data=USERS, primary_key="user_id")
    ws.tables.create("main.fs.cities", data=[{"city": "a", "pop": 1}], primary_key="city")
    ws.tables.create("main.fs.nopk", data=[{"user_id": 1, "v": 1}])
    ws.functions.create("main.fs.add_one", params=B, returns="BIGINT", body="x + 1")
    return ws


def lookup(**kw):
    return {"table_name": "main.fs.users", "lookup_key": ["user_id"], **kw}


def fn(udf="main.fs.add_one", out="age_plus_one", **bindings):
    return {"udf_name": udf, "input_bindings": bindings or {"x": "age"}, "output_name": out}


def test_create_stores_a_feature_spec_function(fs):
    info = fs.feature_specs.create("main.fs.spec", features=[lookup(), fn()])
    assert info["name"] == "main.fs.spec" and info["owner"] == info["creator"]
    assert info["creation_timestamp_ms"] > 0
    assert fs.functions.get("main.fs.spec").securable_kind == "FUNCTION_FEATURE_SPEC"
    with pytest.raises(InvalidParameterValue, match="FUNCTION_FEATURE_SPEC"):
        fs.functions.execute("main.fs.spec", [])
    got = fs.feature_specs.get("main.fs.spec")
    assert got["spec"]["functions"][0]["output_name"] == "age_plus_one"
    fs.feature_specs.delete("main.fs.spec")
    assert [f.name for f in fs.functions.list("main", "fs")] == ["add_one"]


@pytest.mark.parametrize(
    ("features", "match"),
    [
        (
            [{"table_name": "main.fs.nopk", "lookup_key": ["user_id"]}],
            "main.fs.nopk has no primary",
        ),
        ([lookup(feature_names=["nope"])], "no column nope"),
        ([lookup(lookup_key=["age"])], "must be its primary key"),
        ([lookup(rename_outputs={"zzz": "a"})], "unknown features"),
        ([lookup(), lookup()], "produced twice"),
        ([lookup(), fn(out="age")], "produced twice"),
        ([lookup(), fn(y="age")], "unknown parameters"),
        ([lookup(), {"udf_name": "main.fs.add_one", "input_bindings": {}}], "unbound"),
        ([lookup(rename_outputs={"age": "a"}), fn()], "does not output"),
        ([lookup(), fn(out="p", x="q"), fn(out="q", x="p")], "cycle"),
        ([lookup(), fn(udf="main.fs.missing")], "main.fs.missing"),
        ([{"bogus": 1}], "feature_lookup"),
    ],
)
def test_bad_specs_are_400_naming_the_problem(fs, features, match):
    with pytest.raises(Exception, match=match) as info:
        fs.feature_specs.create("main.fs.bad", features=features)
    assert info.value.http_status in (400, 404)
    assert fs.platform.securables.find("main.fs.bad") is None


def test_shared_lookup_key_needs_one_type(fs):
    fs.tables.create("main.fs.other", data=[{"user_id": "x", "w": 1}], primary_key="user_id")
    other = {"table_name": "main.fs.other", "lookup_key": ["user_id"]}
    with pytest.raises(InvalidParameterValue, match="Lookup key user_id is"):
        fs.feature_specs.create("main.fs.bad", features=[lookup(), other])


def test_exclude_columns_must_be_outputs(fs):
    with pytest.raises(InvalidParameterValue, match="exclude_columns"):
        fs.feature_specs.create("main.fs.bad", features=[lookup()], exclude_columns=["zz"])


def test_grants_create_function_select_execute_and_audit(fs):
    fs.platform.principals.create("user", "bob")
    fs.grants.update("catalog", "main", [{"principal": "bob", "add": ["USE_CATALOG"]}])
    fs.grants.update("schema", "main.fs", [{"principal": "bob", "add": ["USE_SCHEMA"]}])
    bob = fs.as_principal("bob")
    features = [lookup(), fn()]
    with pytest.raises(PermissionDenied, match="CREATE_FUNCTION"):
        bob.feature_specs.create("main.fs.s", features=features)
    fs.grants.update("schema", "main.fs", [{"principal": "bob", "add": ["CREATE_FUNCTION"]}])
    with pytest.raises(PermissionDenied, match="SELECT"):
        bob.feature_specs.create("main.fs.s", features=features)
    fs.grants.update("table", "main.fs.users", [{"principal": "bob", "add": ["SELECT"]}])
    with pytest.raises(PermissionDenied, match="EXECUTE"):
        bob.feature_specs.create("main.fs.s", features=features)
    fs.grants.update("function", "main.fs.add_one", [{"principal": "bob", "add": ["EXECUTE"]}])
    assert bob.feature_specs.create("main.fs.s", features=features)["owner"] == "bob"
    fs.feature_specs.create("main.fs.admins", features=[lookup()])
    with pytest.raises(PermissionDenied, match="EXECUTE"):
        bob.feature_specs.get("main.fs.admins")
    audit = rows(
        fs.sql(
            "SELECT principal, action FROM system.access.audit WHERE action = 'createFeatureSpec'"
        )
    )
    assert ("bob", "createFeatureSpec") in audit


def test_rest_wire_body_and_uc_function_read_back(api):
    services = api.app.state.services
    admin = api.app.state.bootstrap.admin
    services.schemas.create(admin, "main", "fs")
    services.tables.create(admin, "main.fs.users", data=USERS, primary_key="user_id")
    body = {
        "name": "main.fs.spec",
        "features": [
            {
                "feature_lookup": {
                    "table_name": "main.fs.users",
                    "lookup_keys": ["user_id"],
                    "feature_names": ["age", "score"],
                    "rename_outputs": [{"feature_name": "score", "output_name": "user_score"}],
                    "default_values": [{"feature_name": "age", "default_value": "0"}],
                }
            }
        ],
        "exclude_columns": [],
    }
    r = api.post("/api/2.0/feature-store/feature-spec/create", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["feature_spec_info"]["name"] == "main.fs.spec"
    r = api.get("/api/2.0/unity-catalog/functions/main.fs.spec")
    assert r.status_code == 200 and r.json()["securable_kind"] == "FUNCTION_FEATURE_SPEC"
    spec = api.get("/api/2.0/feature-store/feature-spec/main.fs.spec").json()
    assert spec["feature_spec_info"]["spec"]["lookups"][0]["default_values"] == {"age": 0}
    bad = api.post("/api/2.0/feature-store/feature-spec/create", json={"name": "main.fs.x"})
    assert bad.status_code == 400 and bad.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert api.delete("/api/2.0/feature-store/feature-spec/main.fs.spec").status_code == 200
    assert api.get("/api/2.0/unity-catalog/functions/main.fs.spec").status_code == 404
