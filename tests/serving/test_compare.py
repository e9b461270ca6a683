"""``lakeai endpoints compare``: per-entity numbers from the inference and feedback tables."""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

import httpx
import numpy as np
import pytest

from lakeai.serving.compare import betainc, two_proportions, welch
from tests.cli.conftest import invoke
from tests.serving.test_inference_tables import RAG, builtin


# -- the statistics, against independent computations --------------------------------------
def _t_two_sided_p(t: float, df: float) -> float:
    """P(|T| > t) by integrating Student's t density numerically (numpy only)."""
    x = np.linspace(abs(t), abs(t) + 400, 2_000_001)
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    pdf = np.exp(log_c - (df + 1) / 2 * np.log1p(x * x / df))
    return float(2 * np.sum((pdf[1:] + pdf[:-1]) / 2 * np.diff(x)))


@pytest.mark.parametrize(
    ("a", "b"),
    [([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]), ([0.9, 1.0, 0.8, 1.0], [0.1, 0.3, 0.2, 0.0, 0.4, 0.1])],
)
def test_welch_matches_the_definition(a, b):
    m1, m2 = float(np.mean(a)), float(np.mean(b))
    v1, v2 = float(np.var(a, ddof=1)), float(np.var(b, ddof=1))
    result = welch(m1, v1, len(a), m2, v2, len(b))
    assert result is not None
    se = math.sqrt(v1 / len(a) + v2 / len(b))
    assert result["t"] == pytest.approx((m2 - m1) / se)
    df = (v1 / len(a) + v2 / len(b)) ** 2 / (
        (v1 / len(a)) ** 2 / (len(a) - 1) + (v2 / len(b)) ** 2 / (len(b) - 1)
    )
    assert result["df"] == pytest.approx(df)
    assert result["p_value"] == pytest.approx(_t_two_sided_p(result["t"], df), rel=1e-4, abs=1e-9)


def test_welch_and_z_edge_cases():
    assert welch(1, 0, 1, 0, 0, 5) is None  # one rating cannot be tested
    assert welch(1, 0, 3, 1, 0, 3)["p_value"] == 1.0
    assert two_proportions(0, 0, 1, 10) is None
    assert two_proportions(0, 10, 0, 10) == {"z": 0.0, "p_value": 1.0}
    z = two_proportions(10, 100, 20, 100)
    assert z["z"] == pytest.approx(0.1 / math.sqrt(0.15 * 0.85 * 0.02))
    assert z["p_value"] == pytest.approx(0.0477, abs=1e-3)
    assert betainc(2, 3, 0.4) == pytest.approx(0.5248, abs=1e-4)  # 1 - sum of binomial terms


# -- end to end -------------------------------------------------------------------------
def _ab_endpoint(post, name: str) -> None:
    body = {
        "name": name,
        "config": {
            "served_entities": [builtin("v1"), builtin("v2")],
            "traffic_config": {
                "routes": [
                    {"served_entity_name": "v1", "traffic_percentage": 50},
                    {"served_entity_name": "v2", "traffic_percentage": 50},
                ]
            },
        },
        "ai_gateway": {
            "inference_table_config": {
                "catalog_name": "main",
                "schema_name": "default",
                "enabled": True,
            }
        },
    }
    response = post("/api/2.0/serving-endpoints", json=body)
    assert response.status_code == 200, response.text


def _traffic_with_ratings(post, name: str, n: int = 40) -> dict[str, int]:
    """``n`` calls; v1's answers rated high, v2's low (with a little spread)."""
    served: dict[str, int] = {}
    messages = [{"role": "system", "content": RAG}, {"role": "user", "content": "refunds?"}]
    for i in range(n):
        response = post(f"/serving-endpoints/{name}/invocations", json={"messages": messages})
        assert response.status_code == 200, response.text
        entity = response.headers["served-model-name"]
        served[entity] = served.get(entity, 0) + 1
        rating = (0.9 if entity == "v1" else 0.2) + (0.1 if i % 2 else 0.0)
        feedback = {"request_id": response.headers["x-request-id"], "rating": rating}
        assert post(f"/serving-endpoints/{name}/feedback", json=feedback).status_code == 200
    return served


def _check(result: dict[str, Any], served: dict[str, int]) -> None:
    entities = {e["served_entity"]: e for e in result["entities"]}
    assert [e["served_entity"] for e in result["entities"]] == sorted(served)
    for name, count in served.items():
        entity = entities[name]
        assert entity["requests"] == count == entity["ratings"]
        assert entity["error_rate"] == 0 and entity["cost_usd"] is not None
        assert float(entity["cost_usd"]) == 0.0  # the built-in model is priced at 0
        assert entity["latency_p50_ms"] <= entity["latency_p99_ms"]
    assert entities["v1"]["mean_rating"] == pytest.approx(0.95, abs=0.06)
    assert entities["v2"]["mean_rating"] == pytest.approx(0.25, abs=0.06)
    if min(served.values()) >= 2:
        assert entities["v2"]["vs"] == "v1" and entities["v2"]["rating_test"]["p_value"] < 1e-3
        assert entities["v2"]["error_rate_test"]["p_value"] == 1.0


def test_service_compare_and_the_cli_in_process(api):
    _ab_endpoint(api.post, "ab")
    served = _traffic_with_ratings(api.post, "ab")
    services = api.app.state.services
    result = services.inference_tables.compare(api.app.state.bootstrap.admin, "ab")
    _check(result, served)
    assert result["feedback_table"] == "main.default.ab_feedback"
    workspace = str(services.platform.root)
    out = invoke(["--workspace", workspace, "endpoints", "compare", "ab", "--json"])
    assert out.exit_code == 0, out.stdout
    _check(json.loads(out.stdout), served)
    wide = {"COLUMNS": "200"}
    table = invoke(["--workspace", workspace, "endpoints", "compare", "ab"], env=wide)
    assert table.exit_code == 0 and "rating_p" in table.stdout and "v2" in table.stdout


def test_cli_compare_against_a_server(live_server):
    name = f"ab-{uuid.uuid4().hex[:6]}"
    headers = {"Authorization": f"Bearer {live_server.token}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=30) as client:
        _ab_endpoint(client.post, name)
        served = _traffic_with_ratings(client.post, name, 20)
    services = live_server.app.state.services
    services.serving_endpoints.usage.flush()
    services.inference_tables.writer.flush()
    prefix = ["--host", live_server.url, "--token", live_server.token]
    out = invoke([*prefix, "endpoints", "compare", name, "--json"])
    assert out.exit_code == 0, out.stdout
    _check(json.loads(out.stdout), served)


def test_compare_without_inference_table_is_404(api):
    body = {"name": "plain", "config": {"served_entities": [builtin()]}}
    assert api.post("/api/2.0/serving-endpoints", json=body).status_code == 200
    workspace = str(api.app.state.services.platform.root)
    out = invoke(["--workspace", workspace, "endpoints", "compare", "plain"])
    assert out.exit_code != 0 and "inference_table_config" in out.stdout + out.stderr
