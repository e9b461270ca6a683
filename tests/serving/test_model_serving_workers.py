"""Model worker processes: bounded queues, timeouts, crashes, and a config swap under load."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.serving.model_fixtures import (
    create,
    invoke,
    model_entity,
    wait_for,
)


@contextmanager
def limits(live_server, **values: float) -> Iterator[object]:
    """Set the model pools' limits (settings read when a pool starts) for one test."""
    deployments = live_server.app.state.services.serving_endpoints.model_deployments
    saved = {k: getattr(deployments, k) for k in values}
    for key, value in values.items():
        setattr(deployments, key, value)
    try:
        yield deployments
    finally:
        for key, value in saved.items():
            setattr(deployments, key, value)


def _pool(deployments, endpoint: str):
    [key] = deployments.current_keys(endpoint)
    return deployments._pools[key]


def test_full_queue_answers_503_with_retry_after_at_once(live_server, http, models):
    with limits(live_server, max_queue=1) as deployments:
        create(http, "ms-queue", [model_entity(models.echo, 1, "slow", workers=1)])
    pool = _pool(deployments, "ms-queue")
    slow = {"dataframe_records": [{"sleep": 3}]}
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(invoke(http, "ms-queue", slow).status_code))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    wait_for(lambda: pool.in_flight() == 2, what="one running and one queued request")
    full = invoke(http, "ms-queue", {"dataframe_records": [{"x": 1}]})
    assert full.status_code == 503, full.text
    assert full.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    assert int(full.headers["retry-after"]) >= 1
    assert "serving_max_queue" in full.json()["message"]
    for thread in threads:
        thread.join()
    assert results == [200, 200]


def test_timeout_is_504_and_the_stuck_worker_is_replaced(live_server, http, models):
    with limits(live_server, timeout=1.0) as deployments:
        create(http, "ms-timeout", [model_entity(models.echo, 1, "slow", workers=1)])
    pool = _pool(deployments, "ms-timeout")
    late = invoke(http, "ms-timeout", {"dataframe_records": [{"sleep": 30}]})
    assert late.status_code == 504, late.text
    assert "serving_model_timeout_seconds" in late.json()["message"]
    wait_for(lambda: pool.replaced == 1 and len(pool._idle) == 1, what="a warm replacement")
    assert invoke(http, "ms-timeout", {"dataframe_records": [{"x": 1}]}).status_code == 200


def test_crash_fails_only_its_request_and_the_worker_is_replaced(live_server, http, models):
    create(http, "ms-crash", [model_entity(models.echo, 1, "echo", workers=1)])
    deployments = live_server.app.state.services.serving_endpoints.model_deployments
    pool = _pool(deployments, "ms-crash")
    before = invoke(http, "ms-crash", {"dataframe_records": [{"x": 1}]}).json()
    crashed = invoke(http, "ms-crash", {"dataframe_records": [{"crash": 1}]})
    assert crashed.status_code == 500, crashed.text
    assert "died" in crashed.json()["message"]
    after = invoke(http, "ms-crash", {"dataframe_records": [{"x": 1}]})
    assert after.status_code == 200, after.text
    assert after.json()["predictions"][0]["pid"] != before["predictions"][0]["pid"]
    assert pool.replaced == 1
    logs = http.get("/api/2.0/serving-endpoints/ms-crash/served-models/echo/logs")
    assert "predicting 1 row(s)" in logs.json()["logs"]
    missing = http.get("/api/2.0/serving-endpoints/ms-crash/served-models/nope/logs")
    assert missing.status_code == 404, missing.text


def test_config_update_swaps_versions_under_load_without_a_failure(live_server, http, models):
    create(http, "ms-swap", [model_entity(models.echo, 1, "echo", workers=2)])
    seen: Counter[tuple[int, str]] = Counter()
    stop = threading.Event()
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {live_server.token}"}

    def fire() -> None:
        with httpx.Client(base_url=live_server.url, headers=headers, timeout=60) as client:
            while not stop.is_set():
                response = invoke(client, "ms-swap", {"dataframe_records": [{"x": 1}]})
                tag = response.json()["predictions"][0]["tag"] if response.is_success else ""
                with lock:
                    seen[(response.status_code, tag)] += 1

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: seen[(200, "v1")] >= 20, what="load on version 1")
        config = {"served_entities": [model_entity(models.echo, 2, "echo", workers=2)]}
        update = http.put("/api/2.0/serving-endpoints/ms-swap/config", json=config)
        assert update.status_code == 200, update.text
        assert update.json()["config"]["config_version"] == 2
        mark = seen[(200, "v2")]
        wait_for(lambda: seen[(200, "v2")] >= mark + 20, what="load on version 2")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    failures = {k: n for k, n in seen.items() if k[0] != 200}
    assert failures == {}, failures
    assert seen[(200, "v1")] >= 20 and seen[(200, "v2")] >= 20
    deployments = live_server.app.state.services.serving_endpoints.model_deployments
    assert len(deployments.current_keys("ms-swap")) == 1


def test_a_replica_that_never_saw_the_config_starts_workers_on_first_request(
    live_server, http, models
):
    from lakeai import Workspace

    create(http, "ms-replica", [model_entity(models.echo, 2, "echo")])
    replica = Workspace(live_server.workspace)  # a second process's view of the same workspace
    try:
        body = {"dataframe_records": [{"x": 1}]}
        answer = replica.serving_endpoints.query("ms-replica", body)
        assert answer["predictions"][0]["tag"] == "v2"
        deployments = replica.services.serving_endpoints.model_deployments
        [key] = deployments.current_keys("ms-replica")
        procs = [w.proc for w in deployments._pools[key]._workers]
    finally:
        replica.close()
    assert all(p.poll() is not None for p in procs)  # close() stopped them


def test_a_version_that_fails_to_load_fails_the_update_and_the_old_one_keeps_serving(
    live_server, http, models
):
    create(http, "ms-fail", [model_entity(models.echo, 1, "echo")])
    broken = model_entity(models.echo, 2, "echo", environment_vars={"FAIL_LOAD": "1"})
    update = http.put(
        "/api/2.0/serving-endpoints/ms-fail/config", json={"served_entities": [broken]}
    )
    assert update.status_code == 400, update.text
    assert "refuses to load" in update.json()["message"]
    endpoint = http.get("/api/2.0/serving-endpoints/ms-fail").json()
    assert endpoint["config"]["config_version"] == 1
    answer = invoke(http, "ms-fail", {"dataframe_records": [{"x": 1}]})
    assert answer.status_code == 200 and answer.json()["predictions"][0]["tag"] == "v1"
    deployments = live_server.app.state.services.serving_endpoints.model_deployments
    assert len(deployments.current_keys("ms-fail")) == 1


def test_a_restarted_server_warms_its_model_endpoints(tmp_path):
    from lakeai import Workspace
    from tests.serving.model_fixtures import ECHO_SOURCE, log_from_code

    first = Workspace(tmp_path / "ws")
    try:
        source = ECHO_SOURCE.replace("TAG", repr("v1"))
        version = log_from_code(first.services, first.principal, "main.default.m", source, tmp_path)
        config = {"served_entities": [model_entity("main.default.m", version, "m")]}
        first.serving_endpoints.create("warm", config=config)
    finally:
        first.close()
    restarted = Workspace(tmp_path / "ws")
    try:
        service = restarted.services.serving_endpoints
        service.start()
        wait_for(lambda: service.model_deployments.current_keys("warm"), what="warm workers")
        [key] = service.model_deployments.current_keys("warm")
        assert service.model_deployments._pools[key].in_flight() == 0
        answer = restarted.serving_endpoints.query("warm", {"inputs": [[1]]})
        assert answer["predictions"][0]["tag"] == "v1"
    finally:
        restarted.close()
