"""The app answers health and refuses unauthenticated calls with Databricks' error JSON."""


def test_health_needs_no_token(api):
    assert api.client.get("/api/2.0/lakeai/health").json() == {"status": "OK"}


def test_missing_token_is_401(api):
    response = api.client.get("/api/2.1/unity-catalog/catalogs")
    assert response.status_code == 401
    assert response.json()["error_code"] == "UNAUTHENTICATED"


def test_default_catalogs(api):
    names = [c["name"] for c in api.get("/api/2.1/unity-catalog/catalogs").json()["catalogs"]]
    assert names == ["main", "system"]
