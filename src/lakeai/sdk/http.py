"""The one HTTP boundary of the SDK: a bearer-token ``httpx.Client`` and error mapping.

Every non-2xx answer becomes the ``lakeai.errors`` class its ``error_code`` names, so a caller's
``except ResourceDoesNotExist`` works the same remotely as in-process.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from lakeai.errors import LakeAIError, RetryableError, TemporarilyUnavailable, error_from_code

DEFAULT_TIMEOUT = httpx.Timeout(300.0, connect=10.0)


def segment(name: str) -> str:
    """A path segment: full names keep their dots, anything else is percent-encoded."""
    return quote(str(name), safe=".")


def as_dict(value: Any) -> Any:
    """A plain dict of a pydantic model (``as_dict``/``model_dump``) or the value itself."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_none=True)
    return value


def raise_for_error(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = body.get("error_code") or f"HTTP_{response.status_code}"
    message = body.get("message") or body.get("detail") or response.text[:200] or code
    if "error_code" not in body and response.status_code in (502, 503, 504):
        raise TemporarilyUnavailable(f"{response.status_code}: {message}")
    error = error_from_code(str(code), str(message))
    if error.error_code != code:
        # A code LakeAI has no class for (ENDPOINT_NOT_FOUND, ...): keep it for the message.
        error.error_code, error.http_status = str(code), response.status_code
    if isinstance(error, RetryableError):
        error.retry_after_seconds = _retry_after(response)
    raise error


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None


class Transport:
    """One ``httpx.Client`` per remote workspace; ``json()`` for API calls, ``raw()`` for bytes."""

    def __init__(self, url: str, token: str, *, client: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self.client = client or httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "lakeai-sdk"},
            timeout=DEFAULT_TIMEOUT,
        )

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        params = kwargs.pop("params", None)
        if params:
            kwargs["params"] = {k: v for k, v in params.items() if v is not None}
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise TemporarilyUnavailable(f"Cannot reach LakeAI at {self.url}: {exc}") from exc
        raise_for_error(response)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.raw(method, path, **kwargs)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError as exc:
            raise LakeAIError(f"{method} {path} answered non-JSON content.") from exc

    def get(self, path: str, **params: Any) -> Any:
        return self.json("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        return self.json("POST", path, json=_drop_none(body or {}), params=params)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.json("PATCH", path, json=_drop_none(body))

    def delete(self, path: str, **params: Any) -> Any:
        return self.json("DELETE", path, params=params)

    def pages(self, path: str, key: str, **params: Any) -> list[Any]:
        """Every item of a paginated UC list, following ``next_page_token``."""
        items: list[Any] = []
        token: str | None = None
        while True:
            body = self.get(path, **params, page_token=token)
            items.extend(body.get(key) or [])
            token = body.get("next_page_token")
            if not token:
                return items

    def close(self) -> None:
        self.client.close()


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}
