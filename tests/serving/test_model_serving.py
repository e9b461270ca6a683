"""Serving registered model versions: formats, clients, traffic, shadows and config errors."""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest

from tests.serving.model_fixtures import (
    create,
    invoke,
    model_entity,
    wait_for,
)

FORMATS = {
    "dataframe_records": {"dataframe_records": [{"x": 1}, {"x": 2}]},
    "dataframe_split": {"dataframe_split": {"columns": ["x"], "data": [[1], [2]]}},
    "instances": {"instances": [[1], [2]]},
    "inputs": {"inputs": [[1], [2]]},
}


def test_four_input_formats_answer_predictions_with_served_model_name(http, models):
    endpoint = create(http, "ms-formats", [model_entity(models.echo, 1, "echo")])
    assert endpoint["task"] == "pyfunc"
    [entity] = endpoint["config"]["served_entities"]
    assert (entity["entity_version"], entity["state"]["deployment"]) == ("1", "DEPLOYMENT_READY")
    for fmt, body in FORMATS.items():
        response = invoke(http, "ms-formats", body)
        assert response.status_code == 200, (fmt, response.text)
        predictions = response.json()["predictions"]
        assert [p["tag"] for p in predictions] == ["v1", "v1"], fmt
        assert response.headers["served-model-name"] == "echo"
    with_params = invoke(http, "ms-formats", {**FORMATS["inputs"], "params": {}})
    assert with_params.status_code == 200, with_params.text
    large = invoke(http, "ms-formats", {"dataframe_records": [{"x": i} for i in range(20_000)]})
    assert large.status_code == 200 and len(large.json()["predictions"]) == 20_000


def test_wrong_input_format_is_400(http, models):
    create(http, "ms-bad-input", [model_entity(models.echo, 1)])
    for body in [{}, {"rows": [1]}, {**FORMATS["instances"], **FORMATS["inputs"]}]:
        response = invoke(http, "ms-bad-input", body)
        assert response.status_code == 400, response.text
        assert "dataframe_records" in response.json()["message"]


def test_databricks_sdk_query(dbx, models, http):
    create(http, "ms-sdk", [model_entity(models.echo, 2, "echo-2")])
    response = dbx.serving_endpoints.query("ms-sdk", dataframe_records=[{"x": 1}])
    assert response.predictions == [{"tag": "v2", "rows": 1, "pid": response.predictions[0]["pid"]}]
    assert response.served_model_name == "echo-2"
    from databricks.sdk.service.serving import DataframeSplitInput

    split_input = DataframeSplitInput(columns=["x"], data=[[1], [2]])
    split = dbx.serving_endpoints.query("ms-sdk", dataframe_split=split_input)
    assert len(split.predictions) == 2


def test_chat_model_serves_llm_v1_chat_to_the_openai_client(live_server, models, http):
    import openai

    endpoint = create(http, "ms-chat", [model_entity(models.chat, 1, "parrot")])
    assert endpoint["task"] == "llm/v1/chat"
    client = openai.OpenAI(
        base_url=live_server.url + "/serving-endpoints", api_key=live_server.token
    )
    answer = client.chat.completions.create(
        model="ms-chat", messages=[{"role": "user", "content": "hello"}]
    )
    assert answer.choices[0].message.content == "you said: hello"
    raw = invoke(http, "ms-chat", {"messages": [{"role": "user", "content": "hi"}]})
    assert raw.status_code == 200 and raw.headers["served-model-name"] == "parrot"
    assert raw.json()["choices"][0]["message"]["role"] == "assistant"
    not_chat = invoke(http, "ms-chat", FORMATS["dataframe_records"])
    assert not_chat.status_code == 400 and "messages" in not_chat.json()["message"]


def test_traffic_split_between_versions(http, models):
    entities = [model_entity(models.echo, 1, "a"), model_entity(models.echo, 2, "b")]
    routes = [
        {"served_entity_name": "a", "traffic_percentage": 50},
        {"served_entity_name": "b", "traffic_percentage": 50},
    ]
    create(http, "ms-ab", entities, traffic_config={"routes": routes})
    seen = Counter()
    for _ in range(200):
        response = invoke(http, "ms-ab", FORMATS["dataframe_records"])
        assert response.status_code == 200, response.text
        tag = response.json()["predictions"][0]["tag"]
        assert {"a": "v1", "b": "v2"}[response.headers["served-model-name"]] == tag
        seen[tag] += 1
    assert 60 <= seen["v1"] <= 140, seen  # 50/50 within ~6 standard deviations


def test_sticky_assignment_is_deterministic_per_field_value(http, models):
    entities = [model_entity(models.echo, 1, "a"), model_entity(models.echo, 2, "b")]
    routes = [
        {"served_entity_name": "a", "traffic_percentage": 30},
        {"served_entity_name": "b", "traffic_percentage": 70},
    ]
    traffic = {"routes": routes, "sticky_field": "customer_id"}
    endpoint = create(http, "ms-sticky", entities, traffic_config=traffic)
    assert endpoint["config"]["traffic_config"]["sticky_field"] == "customer_id"

    def served(customer: int) -> str:
        body = {"dataframe_records": [{"customer_id": customer, "x": 1}]}
        response = invoke(http, "ms-sticky", body)
        assert response.status_code == 200, response.text
        return response.headers["served-model-name"]

    first = {c: served(c) for c in range(100)}
    assert all(served(c) == first[c] for c in range(0, 100, 7))
    split = {"dataframe_split": {"columns": ["customer_id"], "data": [[5]]}}
    assert invoke(http, "ms-sticky", split).headers["served-model-name"] == first[5]
    share_b = Counter(first.values())["b"]
    assert 50 <= share_b <= 90, share_b


def test_shadow_route_gets_copies_with_secret_env_and_answers_are_not_returned(
    live_server, http, models, tmp_path
):
    http.post("/api/2.0/secrets/scopes/create", json={"scope": "ms"})
    put = {"scope": "ms", "key": "token", "string_value": "s3cr3t-value"}
    assert http.post("/api/2.0/secrets/put", json=put).status_code == 200
    env = {"SHADOW_DIR": str(tmp_path), "TOKEN": "{{secrets/ms/token}}"}
    entities = [
        model_entity(models.echo, 1, "live"),
        model_entity(models.echo, 2, "shadow", environment_vars=env),
    ]
    traffic = {
        "routes": [{"served_entity_name": "live", "traffic_percentage": 100}],
        "shadow_routes": [{"served_entity_name": "shadow", "traffic_percentage": 100}],
    }
    endpoint = create(http, "ms-shadow", entities, traffic_config=traffic)
    assert "s3cr3t" not in json.dumps(endpoint)
    for i in range(5):
        response = invoke(http, "ms-shadow", {"dataframe_records": [{"i": i}]})
        assert response.status_code == 200, response.text
        assert response.headers["served-model-name"] == "live"
        assert response.json()["predictions"][0]["tag"] == "v1"
    wait_for(lambda: len(list(tmp_path.glob("*.json"))) == 5, what="5 shadow copies")
    copies = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert sorted(c["rows"][0]["i"] for c in copies) == [0, 1, 2, 3, 4]
    assert {c["token"] for c in copies} == {"s3cr3t-value"}

    def shadow_usage() -> list[dict]:
        services = live_server.app.state.services
        services.serving_endpoints.usage.flush()
        rows = services.tables.read(
            live_server.app.state.bootstrap.admin, "system.serving.endpoint_usage"
        ).to_pylist()
        return [r for r in rows if r["endpoint_name"] == "ms-shadow"]

    wait_for(lambda: len(shadow_usage()) == 10, what="usage rows of both entities")
    served = Counter((r["served_entity_name"], r["status_code"]) for r in shadow_usage())
    assert served == {("live", 200): 5, ("shadow", 200): 5}


def test_config_errors(http, models):
    cases = [
        (model_entity("main.default.ms_nope", 1), 404, "RESOURCE_DOES_NOT_EXIST"),
        (model_entity(models.echo, 99), 404, "RESOURCE_DOES_NOT_EXIST"),
        ({"entity_name": models.echo}, 400, "entity_version"),
        (model_entity(models.echo, 1, workers=0), 400, "workers"),
        (
            model_entity(models.echo, 1, environment_vars={"K": "{{secrets/none/x}}"}),
            404,
            "RESOURCE_DOES_NOT_EXIST",
        ),
    ]
    for entity, status, expected in cases:
        body = {"name": "ms-errors", "config": {"served_entities": [entity]}}
        response = http.post("/api/2.0/serving-endpoints", json=body)
        assert response.status_code == status, (entity, response.text)
        assert expected in response.text, response.text
    assert http.get("/api/2.0/serving-endpoints/ms-errors").status_code == 404
    shadow_unknown = {
        "served_entities": [model_entity(models.echo, 1, "a")],
        "traffic_config": {
            "shadow_routes": [{"served_entity_name": "zz", "traffic_percentage": 5}]
        },
    }
    response = http.post(
        "/api/2.0/serving-endpoints", json={"name": "ms-errors", "config": shadow_unknown}
    )
    assert response.status_code == 400 and "zz" in response.json()["message"]


def test_delete_stops_the_workers(live_server, http, models):
    create(http, "ms-delete", [model_entity(models.echo, 1, "echo")])
    assert invoke(http, "ms-delete", FORMATS["inputs"]).status_code == 200
    deployments = live_server.app.state.services.serving_endpoints.model_deployments
    [key] = deployments.current_keys("ms-delete")
    pool = deployments._pools[key]
    procs = [w.proc for w in pool._workers]
    assert http.delete("/api/2.0/serving-endpoints/ms-delete").status_code == 200
    assert deployments.current_keys("ms-delete") == set()
    wait_for(lambda: all(p.poll() is not None for p in procs), what="workers to stop")


def test_serving_a_model_needs_execute_on_it(live_server, models):
    services = live_server.app.state.services
    platform = services.platform
    admin = platform.principals.principal("admin")
    row = platform.principals.create("user", "ms-no-exec")
    services.grants.update(
        admin, "catalog", "main", [{"principal": row.name, "add": ["USE_CATALOG"]}]
    )
    services.grants.update(
        admin, "schema", "main.default", [{"principal": row.name, "add": ["USE_SCHEMA"]}]
    )
    token, _ = platform.principals.create_token(row.id)
    body = {"name": "ms-exec", "config": {"served_entities": [model_entity(models.echo, 1)]}}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=120) as user:
        denied = user.post("/api/2.0/serving-endpoints", json=body)
        assert denied.status_code == 403, denied.text
        change = [{"principal": row.name, "add": ["EXECUTE"]}]
        services.grants.update(admin, "model", models.echo, change)
        allowed = user.post("/api/2.0/serving-endpoints", json=body)
        assert allowed.status_code == 200, allowed.text
        assert invoke(user, "ms-exec", {"inputs": [[1]]}).status_code == 200


def test_sticky_value_is_found_in_every_request_format():
    from lakeai.serving.invoke import _sticky_value

    bodies = [
        {"customer_id": 7, "inputs": [[1]]},
        {"dataframe_records": [{"customer_id": 7}, {"customer_id": 8}]},
        {"dataframe_split": {"columns": ["x", "customer_id"], "data": [[0, 7]]}},
        {"instances": [{"customer_id": 7}]},
        {"inputs": {"customer_id": [7, 8]}},
    ]
    assert {_sticky_value("customer_id", b) for b in bodies} == {"7"}
    assert _sticky_value("customer_id", {"inputs": [[1]]}) is None


SKLEARN_SOURCE = """
import mlflow
import numpy as np
from mlflow.pyfunc import PythonModel
from sklearn.linear_model import LinearRegression

FITTED = LinearRegression().fit(np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0]))


class Line(PythonModel):
    def predict(self, context, model_input, params=None):
        return FITTED.predict(model_input[["x"]].to_numpy(dtype=float))


mlflow.models.set_model(Line())
"""


def test_a_scikit_learn_model(live_server, http, tmp_path):
    pytest.importorskip("sklearn")
    from tests.serving.model_fixtures import log_from_code

    services = live_server.app.state.services
    admin = live_server.app.state.bootstrap.admin
    version = log_from_code(services, admin, "main.default.ms_line", SKLEARN_SOURCE, tmp_path)
    create(http, "ms-sklearn", [model_entity("main.default.ms_line", version)])
    response = invoke(
        http, "ms-sklearn", {"dataframe_split": {"columns": ["x"], "data": [[3], [10]]}}
    )
    assert response.status_code == 200, response.text
    assert [round(p, 6) for p in response.json()["predictions"]] == [7.0, 21.0]
