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


def test_request_id_is_echoed_and_audited(api):
    response = api.post(
        "/api/2.1/unity-catalog/catalogs",
        json={"name": "traced"},
        headers={"x-request-id": "req-123"},
    )
    assert response.headers["x-request-id"] == "req-123"
    ws_tables = api.app.state.services.tables
    admin = api.app.state.bootstrap.admin
    rows = ws_tables.read(admin, "system.access.audit").to_pylist()
    assert [r["request_id"] for r in rows if r["securable"] == "traced"] == ["req-123"]
    generated = api.get("/api/2.1/unity-catalog/catalogs").headers["x-request-id"]
    assert len(generated) == 32
