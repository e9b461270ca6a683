"""SCIM, token and secret routes answer Databricks' error JSON with the right status."""

import pytest

SCIM = "/api/2.0/preview/scim/v2"


def assert_error(response, status: int, code: str, contains: str = "") -> None:
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error_code", "message"}
    assert response.json()["error_code"] == code
    assert contains in response.json()["message"]


@pytest.mark.parametrize("kind", ["Users", "ServicePrincipals", "Groups"])
def test_unknown_ids_are_404(api, kind):
    for method in ("GET", "DELETE"):
        assert_error(api.request(method, f"{SCIM}/{kind}/999999"), 404, "RESOURCE_DOES_NOT_EXIST")
    assert_error(api.get(f"{SCIM}/{kind}/abc"), 404, "RESOURCE_DOES_NOT_EXIST")


def test_scim_duplicates_bad_fields_and_non_admins(api):
    assert api.post(f"{SCIM}/Users", json={"userName": "bob"}).status_code == 201
    assert_error(
        api.post(f"{SCIM}/Users", json={"userName": "bob"}), 409, "RESOURCE_ALREADY_EXISTS"
    )
    assert_error(api.post(f"{SCIM}/Users", json={}), 400, "INVALID_PARAMETER_VALUE")
    assert_error(
        api.get(f"{SCIM}/Users", params={"filter": "nonsense"}), 400, "INVALID_PARAMETER_VALUE"
    )
    bad_op = {"Operations": [{"op": "move", "path": "displayName", "value": "x"}]}
    bob_id = api.get(f"{SCIM}/Users", params={"filter": 'userName eq "bob"'}).json()
    bob_id = bob_id["Resources"][0]["id"]
    assert_error(api.patch(f"{SCIM}/Users/{bob_id}", json=bad_op), 400, "INVALID_PARAMETER_VALUE")
    services = api.app.state.services
    bob = services.platform.principals.principal("bob")
    token = services.tokens.create(bob)["token_value"]
    refused = api.post(f"{SCIM}/Users", json={"userName": "eve"}, token=token)
    assert_error(refused, 403, "PERMISSION_DENIED", "admins")
    assert api.get(f"{SCIM}/Users/{bob_id}", token=token).status_code == 200
    assert api.get(f"{SCIM}/Me", token=token).json()["userName"] == "bob"
    assert_error(api.get("/api/2.0/token-management/tokens", token=token), 403, "PERMISSION_DENIED")


def test_scim_list_pages_with_start_index_and_count(api):
    for i in range(3):
        api.post(f"{SCIM}/Groups", json={"displayName": f"g{i}"})
    page = api.get(f"{SCIM}/Groups", params={"startIndex": 2, "count": 2}).json()
    assert page["totalResults"] == 4  # with the admins group
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [g["displayName"] for g in page["Resources"]] == ["g0", "g1"]
    assert page["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert api.get(f"{SCIM}/Groups", params={"startIndex": 9}).json()["Resources"] == []


def test_secret_and_token_errors(api):
    api.post("/api/2.0/secrets/scopes/create", json={"scope": "s"})
    assert_error(
        api.post("/api/2.0/secrets/scopes/create", json={"scope": "s"}),
        409,
        "RESOURCE_ALREADY_EXISTS",
    )
    assert_error(
        api.post("/api/2.0/secrets/scopes/delete", json={"scope": "x"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    assert_error(
        api.post("/api/2.0/secrets/delete", json={"scope": "s", "key": "k"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    bad_acl = {"scope": "s", "principal": "admin", "permission": "OWN"}
    assert_error(
        api.post("/api/2.0/secrets/acls/put", json=bad_acl), 400, "INVALID_PARAMETER_VALUE"
    )
    assert_error(
        api.post("/api/2.0/token/delete", json={"token_id": "nope"}), 404, "RESOURCE_DOES_NOT_EXIST"
    )
    assert_error(
        api.post("/api/2.0/token/create", json={"lifetime_seconds": -1}),
        400,
        "INVALID_PARAMETER_VALUE",
    )
    obo = {"application_id": "no-such-sp"}
    assert_error(
        api.post("/api/2.0/token-management/on-behalf-of/tokens", json=obo),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
