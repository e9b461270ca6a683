"""Serving endpoints over Databricks' serving API: ``EndpointService``'s methods, remotely.

``query`` answers the response dict, as ``Workspace.serving_endpoints.query`` does;
``query_stream`` yields the chunks of a streamed chat (server-sent ``data:`` lines).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lakeai.sdk.http import Transport, raise_for_error, segment

BASE = "/api/2.0/serving-endpoints"


class RemoteServingEndpoints:
    def __init__(self, http: Transport) -> None:
        self._http = http

    def _path(self, name: str, tail: str = "") -> str:
        return f"{BASE}/{segment(name)}{tail}"

    def create(
        self,
        name: str,
        *,
        config: Any,
        ai_gateway: Any = None,
        rate_limits: list[Any] | None = None,
        tags: list[Any] | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "config": config,
            "ai_gateway": ai_gateway,
            "rate_limits": rate_limits,
            "tags": tags,
            "description": description,
        }
        return self._http.post(BASE, body)

    def get(self, name: str) -> dict[str, Any]:
        return self._http.get(self._path(name))

    def list(self) -> list[dict[str, Any]]:
        return list(self._http.get(BASE).get("endpoints") or [])

    def update_config(self, name: str, config: Any) -> dict[str, Any]:
        return self._http.json("PUT", self._path(name, "/config"), json=config)

    def put_ai_gateway(self, name: str, ai_gateway: Any) -> dict[str, Any]:
        return self._http.json("PUT", self._path(name, "/ai-gateway"), json=ai_gateway or {})

    def put_rate_limits(self, name: str, rate_limits: list[Any]) -> list[dict[str, Any]]:
        body = {"rate_limits": rate_limits}
        answer = self._http.json("PUT", self._path(name, "/rate-limits"), json=body)
        return list(answer.get("rate_limits") or [])

    def patch_tags(
        self,
        name: str,
        *,
        add_tags: list[Any] | None = None,
        delete_tags: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        body = {"add_tags": add_tags, "delete_tags": delete_tags}
        return list(self._http.patch(self._path(name, "/tags"), body).get("tags") or [])

    def delete(self, name: str) -> None:
        self._http.delete(self._path(name))

    def query(self, name: str, body: Any) -> dict[str, Any]:
        return self._http.post(f"/serving-endpoints/{segment(name)}/invocations", body)

    def query_stream(self, name: str, body: Any) -> Iterator[dict[str, Any]]:
        """The chunks of a streamed answer, as they arrive; an error chunk raises."""
        path = f"/serving-endpoints/{segment(name)}/invocations"
        with self._http.client.stream("POST", path, json={**body, "stream": True}) as response:
            if not response.is_success:
                response.read()
                raise_for_error(response)
            for line in response.iter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                if "error" in chunk:
                    from lakeai.errors import error_from_code

                    error = chunk["error"]
                    raise error_from_code(str(error.get("code")), str(error.get("message")))
                yield chunk

    def task_of(self, name: str) -> str:
        return str(self.get(name).get("task"))
