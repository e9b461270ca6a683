"""Querying, scanning and writing index data (the data-plane half of the service)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import numpy as np

from lakeai.catalog.privileges import Privilege
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue
from lakeai.vectorsearch.responses import query_json, scan_json

QUERY_TYPES = ("ANN", "HYBRID", "FULL_TEXT")
PAGE_LIMIT = 1_000
MAX_RESULTS = 10_000
# A query reuses the index's metastore row this long: the lookup was half of an in-process
# query's time (benchmarks/vectorsearch.py). A delete in this process invalidates it at once
# (the manager's state object changes); another replica's delete is seen within the TTL.
ROW_TTL_SECONDS = 1.0


def _token(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _untoken(token: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise InvalidParameterValue("Invalid page_token.") from None
    if not isinstance(payload, dict) or "q" not in payload:
        raise InvalidParameterValue("Invalid page_token.")
    return payload


def parse_filters(filters_json: Any, filter_string: Any = None) -> dict[str, Any] | list | None:
    if filter_string:
        raise InvalidParameterValue(
            "filter_string (storage-optimized SQL filters) is not supported; pass filters_json, "
            'e.g. {"price <": 100, "color": ["red", "blue"]}.'
        )
    if filters_json in (None, "", "{}"):
        return None
    if isinstance(filters_json, (dict, list)):
        return filters_json
    try:
        parsed = json.loads(filters_json)
    except (ValueError, TypeError):
        raise InvalidParameterValue("filters_json must be a JSON object string.") from None
    if not isinstance(parsed, (dict, list)):
        raise InvalidParameterValue("filters_json must be a JSON object string.")
    return parsed


class IndexDataMixin:
    """Query/scan/upsert/delete; mixed into VectorSearchService (which provides the plumbing)."""

    def query_index(
        self,
        principal: Principal,
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
        row = self._cached_row(name)
        self._require(principal, Privilege.SELECT, row.full_name, "queryVectorIndex")  # type: ignore[attr-defined]
        query_type = str(query_type or "ANN").upper()
        if query_type not in QUERY_TYPES:
            raise InvalidParameterValue(f"query_type must be one of {', '.join(QUERY_TYPES)}.")
        if not isinstance(num_results, int) or not 1 <= num_results <= MAX_RESULTS:
            raise InvalidParameterValue(f"num_results must be from 1 to {MAX_RESULTS}.")
        filters = parse_filters(filters_json, filter_string)
        state = self.manager.state(row.full_name)  # type: ignore[attr-defined]
        if state.phase == "PROVISIONING_INITIAL_SNAPSHOT":
            from lakeai.errors import TemporarilyUnavailable

            error = TemporarilyUnavailable(
                f"Index {row.full_name} is in its first sync (PROVISIONING_INITIAL_SNAPSHOT); query it when ready."
            )
            error.retry_after_seconds = 5
            raise error
        vector = self._query_vector(principal, row, query_vector, query_text, query_type)
        store = self._open_store(row)  # type: ignore[attr-defined]
        wanted = columns or [c for c in row.spec["columns"] if c != row.spec.get("vector_column")]
        page = min(num_results - offset, PAGE_LIMIT)
        names, rows = store.query(
            vector=vector,
            text=query_text,
            k=page,
            filters=filters,
            columns=wanted,
            query_type=query_type,
            score_threshold=score_threshold,
            offset=offset,
        )
        more = offset + page < num_results and len(rows) == page
        token = ""
        if more:
            request = {
                "columns": wanted,
                "query_vector": query_vector,
                "query_text": query_text,
                "num_results": num_results,
                "filters_json": filters,
                "score_threshold": score_threshold,
                "query_type": query_type,
            }
            token = _token({"i": row.full_name, "q": request, "o": offset + page})
        return query_json(names, [list(r) for r in rows], token)

    def _cached_row(self, name: str) -> Any:
        """The index's securable row, from a short per-process cache (see ROW_TTL_SECONDS)."""
        cache: dict[str, tuple[Any, Any, float]] = self.__dict__.setdefault("_row_cache", {})
        manager = self.manager  # type: ignore[attr-defined]
        now = time.monotonic()
        hit = cache.get(name)
        if hit is not None and now < hit[2] and manager.state(hit[0].full_name) is hit[1]:
            return hit[0]
        row = self._row(name)  # type: ignore[attr-defined]
        cache[name] = (row, manager.state(row.full_name), now + ROW_TTL_SECONDS)
        return row

    def query_next_page(self, principal: Principal, name: str, page_token: str) -> dict[str, Any]:
        payload = _untoken(page_token)
        if payload.get("i") != self._row(name).full_name:  # type: ignore[attr-defined]
            raise InvalidParameterValue("This page_token belongs to another index.")
        return self.query_index(principal, name, offset=int(payload.get("o", 0)), **payload["q"])

    def _query_vector(
        self,
        principal: Principal,
        row: Any,
        query_vector: Any,
        query_text: str | None,
        query_type: str,
    ) -> np.ndarray | None:
        dimension = row.spec.get("dimension")
        if query_vector is not None:
            vector = np.asarray(query_vector, dtype=np.float32)
            if vector.ndim != 1 or vector.shape[0] != dimension:
                raise InvalidParameterValue(
                    f"query_vector has {vector.shape[0] if vector.ndim == 1 else vector.shape} dimensions; "
                    f"index {row.full_name} holds {dimension}-dimensional vectors."
                )
            return vector
        if query_type == "FULL_TEXT":
            if not query_text:
                raise InvalidParameterValue("A FULL_TEXT query needs query_text.")
            return None
        if not query_text:
            raise InvalidParameterValue("Give query_vector or query_text.")
        endpoint = row.spec.get("query_endpoint") or row.spec.get("embedding_endpoint")
        if not endpoint:
            raise InvalidParameterValue(
                f"Index {row.full_name} has no embedding endpoint to embed query_text; pass query_vector."
            )
        return self.embedder(principal, endpoint)([query_text])[0]  # type: ignore[attr-defined]

    def scan_index(
        self,
        principal: Principal,
        name: str,
        *,
        num_results: int = 10,
        last_primary_key: str | None = None,
    ) -> dict[str, Any]:
        row = self._row(name)  # type: ignore[attr-defined]
        self._require(principal, Privilege.SELECT, row.full_name, "scanVectorIndex")  # type: ignore[attr-defined]
        if not isinstance(num_results, int) or not 1 <= num_results <= MAX_RESULTS:
            raise InvalidParameterValue(f"num_results must be from 1 to {MAX_RESULTS}.")
        store = self._open_store(row)  # type: ignore[attr-defined]
        rows = store.scan(after_pk=self._key(row, last_primary_key), limit=num_results)
        return scan_json(rows, row.spec["primary_key"])

    @staticmethod
    def _key(row: Any, value: Any) -> Any:
        if value is None:
            return None
        kind = row.spec["columns"][row.spec["primary_key"]]
        if kind.startswith("int") and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise InvalidParameterValue(
                    f"Primary key {value!r} is not a whole number."
                ) from None
        return value

    def _direct(self, principal: Principal, name: str, action: str) -> Any:
        row = self._row(name)  # type: ignore[attr-defined]
        self._require(principal, Privilege.MODIFY, row.full_name, action)  # type: ignore[attr-defined]
        if row.spec.get("index_type") != "DIRECT_ACCESS":
            raise InvalidParameterValue(
                f"Index {row.full_name} is synced from {row.spec.get('source_table')}; write to that table instead."
            )
        return row

    def upsert_data(self, principal: Principal, name: str, inputs_json: Any) -> dict[str, Any]:
        row = self._direct(principal, name, "upsertVectorIndexData")
        try:
            rows = json.loads(inputs_json) if isinstance(inputs_json, str) else inputs_json
        except ValueError:
            raise InvalidParameterValue(
                "inputs_json must be a JSON string of a list of row objects."
            ) from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InvalidParameterValue(
                "inputs_json must be a JSON string of a list of row objects."
            )
        unknown = sorted({k for r in rows for k in r} - set(row.spec["columns"]))
        if unknown:
            raise InvalidParameterValue(
                f"Unknown columns {', '.join(unknown)}; the index has {', '.join(row.spec['columns'])}."
            )
        self._open_store(row).upsert(rows)  # type: ignore[attr-defined]
        self._audit(principal, "upsertVectorIndexData", row.full_name, f"rows={len(rows)}")  # type: ignore[attr-defined]
        return {
            "status": "SUCCESS",
            "result": {"success_row_count": len(rows), "failed_primary_keys": []},
        }

    def delete_data(
        self, principal: Principal, name: str, primary_keys: list[Any]
    ) -> dict[str, Any]:
        row = self._direct(principal, name, "deleteVectorIndexData")
        if not isinstance(primary_keys, list) or not primary_keys:
            raise InvalidParameterValue("primary_keys must be a non-empty list.")
        keys = [self._key(row, k) for k in primary_keys]
        self._open_store(row).delete(keys)  # type: ignore[attr-defined]
        self._audit(principal, "deleteVectorIndexData", row.full_name, f"rows={len(keys)}")  # type: ignore[attr-defined]
        return {
            "status": "SUCCESS",
            "result": {"success_row_count": len(keys), "failed_primary_keys": []},
        }
