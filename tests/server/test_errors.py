"""Every router's failure cases answer Databricks' error JSON with the right status, never a 500."""

import re

import pytest
from fastapi.routing import APIRoute

UC = "/api/2.1/unity-catalog"


def assert_error(response, status: int, code: str, *, contains: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] == code
    if contains:
        assert contains in body["message"]


CASES = [
    ("GET", f"{UC}/catalogs/nope", None, 404, "RESOURCE_DOES_NOT_EXIST"),
    ("GET", f"{UC}/schemas/main.nope", None, 404, "RESOURCE_DOES_NOT_EXIST"),
    ("GET", f"{UC}/tables/main.default.nope", None, 404, "RESOURCE_DOES_NOT_EXIST"),
    ("GET", f"{UC}/volumes/main.default.nope", None, 404, "RESOURCE_DOES_NOT_EXIST"),
    ("GET", f"{UC}/schemas?catalog_name=nope", None, 404, "RESOURCE_DOES_NOT_EXIST"),
    (
        "GET",
        f"{UC}/tables?catalog_name=main&schema_name=nope",
        None,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    ),
    ("POST", f"{UC}/catalogs", {"name": "main"}, 409, "RESOURCE_ALREADY_EXISTS"),
    (
        "POST",
        f"{UC}/schemas",
        {"name": "default", "catalog_name": "main"},
        409,
        "RESOURCE_ALREADY_EXISTS",
    ),
    ("POST", f"{UC}/catalogs", {"name": "../../etc"}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", f"{UC}/catalogs", {"comment": "no name"}, 400, "INVALID_PARAMETER_VALUE"),
    (
        "POST",
        f"{UC}/catalogs",
        {"name": "x", "properties": "notamap"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        f"{UC}/schemas",
        {"name": "s", "catalog_name": "nope"},
        404,
        "RESOURCE_DOES_NOT_EXIST",
    ),
    (
        "POST",
        f"{UC}/tables",
        {"name": "t", "catalog_name": "main", "schema_name": "default", "columns": []},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        f"{UC}/tables",
        {
            "name": "t",
            "catalog_name": "main",
            "schema_name": "default",
            "columns": [{"name": "a", "type_text": "nonsense"}],
        },
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        f"{UC}/tables",
        {
            "name": "t",
            "catalog_name": "main",
            "schema_name": "default",
            "data_source_format": "CSV",
            "columns": [{"name": "a", "type_text": "int"}],
        },
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        f"{UC}/volumes",
        {"name": "v", "catalog_name": "main", "schema_name": "default", "volume_type": "ODD"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    ("GET", f"{UC}/catalogs?max_results=-1", None, 400, "INVALID_PARAMETER_VALUE"),
    ("GET", f"{UC}/catalogs?page_token=zzz", None, 400, "INVALID_PARAMETER_VALUE"),
    ("GET", f"{UC}/permissions/rocket/main", None, 400, "INVALID_PARAMETER_VALUE"),
    (
        "PATCH",
        f"{UC}/permissions/catalog/main",
        {"changes": [{"principal": "ghost", "add": ["SELECT"]}]},
        404,
        "RESOURCE_DOES_NOT_EXIST",
    ),
    (
        "PATCH",
        f"{UC}/permissions/catalog/main",
        {"changes": [{"principal": "admin", "add": ["FLY"]}]},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    ("PATCH", f"{UC}/permissions/catalog/main", {"changes": []}, 400, "INVALID_PARAMETER_VALUE"),
    ("DELETE", f"{UC}/catalogs/system", None, 403, "PERMISSION_DENIED"),
    ("GET", "/api/2.1/unity-catalog/nothing-here", None, 404, "ENDPOINT_NOT_FOUND"),
    ("GET", "/api/2.0/lakeai/tables/main.default.nope/data", None, 404, "RESOURCE_DOES_NOT_EXIST"),
    (
        "POST",
        "/api/2.0/lakeai/tables/main.default.nope/data?mode=explode",
        None,
        400,
        "INVALID_PARAMETER_VALUE",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), CASES)
def test_error_cases(api, method, path, body, status, code):
    assert_error(api.request(method, path, json=body), status, code)


def test_malformed_json_is_400(api):
    response = api.post(
        f"{UC}/catalogs", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "MALFORMED_REQUEST")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer wrong", "Basic dXNlcjpwYXNz"])
def test_bad_credentials_are_401(api, header):
    headers = {"Authorization": header} if header else {}
    assert_error(api.client.get(f"{UC}/catalogs", headers=headers), 401, "UNAUTHENTICATED")


def test_missing_privilege_is_403_naming_it(api):
    platform = api.app.state.services.platform
    row = platform.principals.create("user", "eve")
    token, _ = platform.principals.create_token(row.id)
    assert_error(
        api.post(f"{UC}/catalogs", json={"name": "evil"}, token=token),
        403,
        "PERMISSION_DENIED",
        contains="CREATE_CATALOG",
    )
    assert_error(
        api.get(f"{UC}/catalogs/main", token=token),
        403,
        "PERMISSION_DENIED",
        contains="USE_CATALOG",
    )


def test_data_that_does_not_fit_is_400_and_writes_nothing(api):
    api.post(
        f"{UC}/tables",
        json={
            "name": "t",
            "catalog_name": "main",
            "schema_name": "default",
            "columns": [{"name": "id", "type_text": "bigint"}],
        },
    )
    path = "/api/2.0/lakeai/tables/main.default.t/data"
    ok = api.post(path, content=b'[{"id": 1}]', headers={"content-type": "application/json"})
    assert ok.status_code == 200
    bad = api.post(path, content=b'[{"id": "x"}]', headers={"content-type": "application/json"})
    assert_error(bad, 400, "INVALID_PARAMETER_VALUE", contains="Column id has type string")
    assert_error(
        api.post(
            path,
            content=b"\x00\x01",
            headers={"content-type": "application/vnd.apache.arrow.stream"},
        ),
        400,
        "INVALID_PARAMETER_VALUE",
    )
    assert_error(
        api.post(path, content=b"a,b", headers={"content-type": "text/plain"}),
        400,
        "INVALID_PARAMETER_VALUE",
    )
    history = api.get("/api/2.0/lakeai/tables/main.default.t/history").json()["history"]
    assert len(history) == 2  # create + the one good append


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "main.default.nope", path)


def test_no_route_answers_500_to_garbage(api):
    """Sweep every registered route with an unknown name and a junk body."""
    for route in api.app.routes:
        if not isinstance(route, APIRoute):
            continue
        for method in route.methods:
            path = _fill(route.path)
            for kwargs in (
                {"content": b"[1, 2", "headers": {"content-type": "application/json"}},
                {"json": {"x": [1]}},
            ):
                response = api.request(method, path, **kwargs)
                assert response.status_code < 500, (method, path, response.text)
                if (
                    response.headers.get("content-type", "").startswith("application/json")
                    and response.status_code >= 400
                ):
                    assert "error_code" in response.json(), (method, path)
