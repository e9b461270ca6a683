"""The transport's error mapping, over a mock transport (no server needed)."""

from __future__ import annotations

import httpx
import pytest

from lakeai.errors import (
    LakeAIError,
    PermissionDenied,
    RequestLimitExceeded,
    TemporarilyUnavailable,
)
from lakeai.sdk.http import Transport


def _transport(status: int, body: object = None, headers: dict | None = None) -> Transport:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer t"
        if isinstance(body, dict):
            return httpx.Response(status, json=body, headers=headers)
        return httpx.Response(status, text=str(body or ""), headers=headers)

    client = httpx.Client(
        base_url="http://lakeai",
        transport=httpx.MockTransport(handler),
        headers={"Authorization": "Bearer t"},
    )
    return Transport("http://lakeai", "t", client=client)


def test_known_codes_become_their_classes() -> None:
    body = {"error_code": "PERMISSION_DENIED", "message": "no"}
    with pytest.raises(PermissionDenied, match="no"):
        _transport(403, body).get("/x")


def test_retry_after_is_kept() -> None:
    body = {"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}
    with pytest.raises(RequestLimitExceeded) as caught:
        _transport(429, body, {"Retry-After": "3"}).get("/x")
    assert caught.value.retry_after_seconds == 3.0


def test_unknown_codes_keep_their_name() -> None:
    body = {"error_code": "ENDPOINT_NOT_FOUND", "message": "No API at this path."}
    with pytest.raises(LakeAIError) as caught:
        _transport(404, body).get("/x")
    assert caught.value.error_code == "ENDPOINT_NOT_FOUND" and caught.value.http_status == 404


def test_a_gateway_error_without_json_is_retryable() -> None:
    with pytest.raises(TemporarilyUnavailable):
        _transport(502, "Bad Gateway").get("/x")
