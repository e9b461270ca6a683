"""Vector search over Databricks' REST API: ``VectorSearchService``'s methods, remotely.

The method names and parameters are the in-process ones (``ws.vector_search.query_index(name,
query_text=..., num_results=...)``), so a script runs unchanged against a server. The paths are
the SDK dialect (``POST /indexes``, ``POST .../query``, delete keys as query parameters), which
the router serves next to the VectorSearchClient's.
"""

from __future__ import annotations

import json
from typing import Any

from lakeai.sdk.http import Transport, segment

BASE = "/api/2.0/vector-search"


class RemoteVectorSearchEndpoints:
    """``ws.vector_search_endpoints``: create, get, list and delete endpoints."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(self, name: str, *, endpoint_type: str = "STANDARD") -> dict[str, Any]:
        answer = self._http.post(
            f"{BASE}/endpoints", {"name": name, "endpoint_type": endpoint_type}
        )
        return dict(answer.get("endpoint") or answer)

    def get(self, name: str) -> dict[str, Any]:
        return self._http.get(f"{BASE}/endpoints/{segment(name)}")

    def list(self) -> list[dict[str, Any]]:
        return list(self._http.get(f"{BASE}/endpoints").get("endpoints") or [])

    def delete(self, name: str) -> None:
        self._http.delete(f"{BASE}/endpoints/{segment(name)}")


class RemoteVectorSearch:
    """``ws.vector_search``: indexes (control plane) and their data (query, scan, upsert)."""

    def __init__(self, http: Transport) -> None:
        self._http = http
        self.endpoints = RemoteVectorSearchEndpoints(http)

    def _path(self, name: str, tail: str = "") -> str:
        return f"{BASE}/indexes/{segment(name)}{tail}"

    # -- control plane --------------------------------------------------------------------
    def create_index(self, name: str, *, endpoint_name: str, **body: Any) -> dict[str, Any]:
        """Create an index; ``body`` is the Databricks create request (``index_type``, ...)."""
        request = {"name": name, "endpoint_name": endpoint_name, **body}
        return self._http.post(f"{BASE}/indexes", request)

    def get_index(self, name: str) -> dict[str, Any]:
        return self._http.get(self._path(name))

    def list_indexes(self, endpoint_name: str | None = None) -> list[dict[str, Any]]:
        answer = self._http.get(f"{BASE}/indexes", endpoint_name=endpoint_name)
        return list(answer.get("vector_indexes") or [])

    def delete_index(self, name: str) -> None:
        self._http.delete(self._path(name))

    def sync_index(self, name: str) -> dict[str, Any]:
        return self._http.post(self._path(name, "/sync"))

    # -- data plane -----------------------------------------------------------------------
    def query_index(
        self,
        name: str,
        *,
        columns: list[str] | None = None,
        query_vector: list[float] | None = None,
        query_text: str | None = None,
        num_results: int = 10,
        filters_json: Any = None,
        filter_string: str | None = None,
        score_threshold: float | None = None,
        query_type: str | None = None,
        offset: int = 0,
    ) -> dict[str, Any]:
        """The top rows, ``score`` last. ``offset`` pages are reached by ``query_next_page``."""
        if offset:
            from lakeai.errors import InvalidParameterValue

            raise InvalidParameterValue(
                "offset is not sent over REST; follow next_page_token with query_next_page."
            )
        if isinstance(filters_json, (dict, list)):
            filters_json = json.dumps(filters_json)
        if query_vector is not None:
            query_vector = [float(x) for x in query_vector]  # numpy arrays serialise too
        body = {
            "columns": columns,
            "query_vector": query_vector,
            "query_text": query_text,
            "num_results": num_results,
            "filters_json": filters_json,
            "filter_string": filter_string,
            "score_threshold": score_threshold,
            "query_type": query_type,
        }
        return self._http.post(self._path(name, "/query"), body)

    def query_next_page(self, name: str, page_token: str) -> dict[str, Any]:
        return self._http.post(self._path(name, "/query-next-page"), {"page_token": page_token})

    def scan_index(
        self, name: str, *, num_results: int = 10, last_primary_key: str | None = None
    ) -> dict[str, Any]:
        body = {"num_results": num_results, "last_primary_key": last_primary_key}
        return self._http.post(self._path(name, "/scan"), body)

    def upsert_data(self, name: str, inputs_json: Any) -> dict[str, Any]:
        if not isinstance(inputs_json, str):
            inputs_json = json.dumps(inputs_json, default=_plain)
        return self._http.post(self._path(name, "/upsert-data"), {"inputs_json": inputs_json})

    def delete_data(self, name: str, primary_keys: list[Any]) -> dict[str, Any]:
        keys = [str(k) for k in primary_keys]
        return self._http.json(
            "DELETE", self._path(name, "/delete-data"), params={"primary_keys": keys}
        )


def _plain(value: Any) -> Any:
    """numpy scalars and arrays in upserted rows, as JSON numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
