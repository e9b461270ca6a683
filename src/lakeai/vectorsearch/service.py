"""VectorSearchService: indexes as catalog securables, kept in sync with their Delta tables.

Creating an index needs CREATE_TABLE on its schema and SELECT on the source table (and QUERY
on the embedding endpoint); querying needs SELECT on the index; upserting into a
direct-access index needs MODIFY; dropping needs MANAGE. Every change is audited.
"""

from __future__ import annotations

import shutil
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from lakeai.catalog.names import parse
from lakeai.catalog.privileges import Privilege
from lakeai.core.audit import AuditEvent
from lakeai.core.models import SecurableRow
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists
from lakeai.gateway.schemas import EMBEDDINGS
from lakeai.pipelines.engine import SourceTable, latest_version
from lakeai.tables import delta
from lakeai.vectorsearch.endpoints import VectorEndpointService
from lakeai.vectorsearch.manager import IndexManager
from lakeai.vectorsearch.queries import IndexDataMixin
from lakeai.vectorsearch.responses import index_json
from lakeai.vectorsearch.specs import (
    INDEX_TYPES,
    METRICS,
    SUBTYPES,
    IndexPlan,
    plan_delta_sync,
    plan_direct_access,
)

if TYPE_CHECKING:
    from lakeai.services import Services

SECURABLE = "vector_index"
INLINE_FIRST_SYNC_ROWS = (
    5_000  # a first sync this small runs inside create; larger ones in the background
)
EMBED_BATCH = 256


class VectorSearchService(IndexDataMixin):
    def __init__(self, services: Services) -> None:
        self.s = services
        self.p = services.platform
        self.endpoints = VectorEndpointService(self.p)
        self.manager = IndexManager(self.p.root / "indexes")
        self._started = False

    # -- plumbing -------------------------------------------------------------------------
    def _row(self, name: str) -> SecurableRow:
        full = parse(name, SECURABLE)
        return self.p.securables.get(SECURABLE, full)

    def _require(self, principal: Principal, privilege: Privilege, name: str, action: str) -> None:
        self.p.grants.require(principal, privilege, SECURABLE, name, action=action)

    def _audit(
        self, principal: Principal, action: str, name: str, detail: str | None = None
    ) -> None:
        self.p.audit.record(AuditEvent(principal.name, action, SECURABLE, name, detail=detail))

    def embedder(self, principal: Principal, endpoint: str) -> Any:
        """A function embedding texts through a serving endpoint, as ``principal``."""

        def embed(texts: list[str]) -> np.ndarray:
            vectors: list[list[float]] = []
            for start in range(0, len(texts), EMBED_BATCH):
                response = self.s.serving_endpoints.query(
                    principal, endpoint, {"input": texts[start : start + EMBED_BATCH]}
                )
                data = sorted(response.get("data", []), key=lambda d: d.get("index", 0))
                vectors.extend(d["embedding"] for d in data)
            return np.asarray(vectors, dtype=np.float32)

        return embed

    def _check_embedding_endpoint(self, principal: Principal, endpoint: str) -> int:
        """The endpoint must serve embeddings to this principal; returns its dimension."""
        if self.s.serving_endpoints.task_of(principal, endpoint) != EMBEDDINGS:
            raise InvalidParameterValue(
                f"Serving endpoint {endpoint} does not serve llm/v1/embeddings."
            )
        return int(self.embedder(principal, endpoint)(["dimension probe"]).shape[1])

    def _source(self, row: SecurableRow) -> SourceTable:
        spec = row.spec
        return SourceTable(
            spec["source_location"], [spec["primary_key"]], columns=list(spec["columns"])
        )

    def _open_store(self, row: SecurableRow) -> Any:
        from lakeai.vectorsearch.store import IndexStore

        spec = row.spec
        embedder = None
        if spec.get("embedding_endpoint"):
            owner = self.p.principals.principal(row.owner)
            embedder = self.embedder(owner, spec["embedding_endpoint"])
        return self.manager.store(
            row.full_name,
            lambda: IndexStore.open(self.manager.path(row.full_name), embedder=embedder),
        )

    def start(self) -> None:
        """Start the pipelines of CONTINUOUS indexes (once per process, at server start)."""
        if self._started:
            return
        self._started = True
        for row in self.p.securables.list_type(SECURABLE):
            if row.spec.get("pipeline_type") == "CONTINUOUS":
                try:
                    self.manager.start_continuous(
                        row.full_name, self._source(row), self._open_store(row)
                    )
                except Exception as exc:  # one broken index must not stop the server
                    self.manager.state(row.full_name).last_error = f"{type(exc).__name__}"

    # -- create ---------------------------------------------------------------------------
    def _plan(self, principal: Principal, body: dict[str, Any]) -> tuple[IndexPlan, str | None]:
        index_type = str(body.get("index_type") or "").upper()
        if index_type not in INDEX_TYPES:
            raise InvalidParameterValue(f"index_type must be one of {', '.join(INDEX_TYPES)}.")
        subtype = str(body.get("index_subtype") or "VECTOR").upper()
        if subtype not in SUBTYPES:
            raise InvalidParameterValue(f"index_subtype must be one of {', '.join(SUBTYPES)}.")
        primary_key = body.get("primary_key")
        if not isinstance(primary_key, str) or not primary_key:
            raise InvalidParameterValue("primary_key is required: the name of the key column.")
        metric = str(body.get("similarity_metric") or "cosine").lower()
        if metric not in METRICS:
            raise InvalidParameterValue(f"similarity_metric must be one of {', '.join(METRICS)}.")
        if index_type == "DIRECT_ACCESS":
            plan = plan_direct_access(
                primary_key, body.get("direct_access_index_spec") or {}, subtype
            )
            plan.metric = metric
            return plan, None
        spec = body.get("delta_sync_index_spec") or {}
        source_name = spec.get("source_table")
        if not source_name:
            raise InvalidParameterValue("delta_sync_index_spec.source_table is required.")
        info = self.s.tables.get(principal, source_name)
        self.p.grants.require(
            principal, Privilege.SELECT, "table", info.full_name, action="createVectorIndex"
        )
        table = delta.open_table(info.storage_location)
        cdf = table.metadata().configuration.get("delta.enableChangeDataFeed") == "true"
        plan = plan_delta_sync(primary_key, spec, delta.arrow_schema(table), cdf, subtype)
        plan.source_table = info.full_name
        plan.metric = metric
        return plan, info.storage_location

    def create_index(
        self, principal: Principal, name: str, *, endpoint_name: str, **body: Any
    ) -> dict[str, Any]:
        full = parse(name, SECURABLE)
        self.endpoints._row(endpoint_name)
        schema_full = f"{full.catalog}.{full.schema}"
        self.p.securables.get("schema", schema_full)
        self.p.grants.require(
            principal, Privilege.CREATE_TABLE, "schema", schema_full, action="createVectorIndex"
        )
        if self.p.securables.find(full) is not None:
            raise ResourceAlreadyExists(f"'{full}' already exists.")
        plan, location = self._plan(principal, body)
        if plan.embedding_endpoint:
            plan.dimension = self._check_embedding_endpoint(principal, plan.embedding_endpoint)
        if plan.query_endpoint and plan.query_endpoint != plan.embedding_endpoint:
            self.s.serving_endpoints.task_of(principal, plan.query_endpoint)
        spec = {
            "endpoint_name": endpoint_name,
            "index_type": plan.index_type,
            "index_subtype": plan.subtype,
            "primary_key": plan.primary_key,
            "columns": {c: str(t) for c, t in plan.columns.items()},
            "text_column": plan.text_column,
            "vector_column": plan.vector_column,
            "dimension": plan.dimension,
            "embedding_endpoint": plan.embedding_endpoint,
            "query_endpoint": plan.query_endpoint,
            "source_table": plan.source_table,
            "source_location": location,
            "pipeline_type": plan.pipeline_type,
            "similarity_metric": plan.metric,
            "request": {k: v for k, v in body.items() if k.endswith("_spec")},
        }
        store = self._create_store(str(full), plan, principal)
        try:
            row = self.p.securables.insert(SECURABLE, full, owner=principal.name, spec=spec)
        except Exception:
            store.close()
            shutil.rmtree(self.manager.path(str(full)), ignore_errors=True)
            raise
        self.manager.put(row.full_name, store)
        self._audit(
            principal,
            "createVectorIndex",
            row.full_name,
            f"type={plan.index_type} source={plan.source_table}",
        )
        if plan.index_type == "DELTA_SYNC":
            self._first_sync(row, store)
        return index_json(row, self._status(row))

    def _create_store(self, name: str, plan: IndexPlan, principal: Principal) -> Any:
        from lakeai.vectorsearch.store import IndexStore

        path = self.manager.path(name)
        if path.exists():
            shutil.rmtree(path)
        embedder = (
            self.embedder(principal, plan.embedding_endpoint) if plan.embedding_endpoint else None
        )
        return IndexStore.create(
            path,
            primary_key=plan.primary_key,
            columns=plan.columns,
            dimension=plan.dimension or 0,
            metric=plan.metric,
            text_column=plan.text_column,
            vector_column=plan.vector_column,
            embedder=embedder,
        )

    def _first_sync(self, row: SecurableRow, store: Any) -> None:
        source = self._source(row)
        rows = delta.dataset(row.spec["source_location"]).count_rows()
        state = self.manager.state(row.full_name)
        if rows <= INLINE_FIRST_SYNC_ROWS:
            self.manager.sync(row.full_name, source, store)
        else:
            state.phase = "PROVISIONING_INITIAL_SNAPSHOT"
            thread = threading.Thread(target=self._background_sync, args=(row, store), daemon=True)
            thread.start()
        if row.spec.get("pipeline_type") == "CONTINUOUS":
            self.manager.start_continuous(row.full_name, source, store)

    def _background_sync(self, row: SecurableRow, store: Any) -> None:
        try:
            self.manager.sync(row.full_name, self._source(row), store)
        except Exception:
            self.manager.state(row.full_name).phase = "FAILED"

    # -- read, list, delete, sync ---------------------------------------------------------
    def _status(self, row: SecurableRow) -> dict[str, Any]:
        store = self._open_store(row)
        state = self.manager.state(row.full_name)
        latest = latest_version(self._source(row)) if row.spec.get("source_location") else None
        return {"store": store.status(), "state": state, "latest": latest}

    def get_index(self, principal: Principal, name: str) -> dict[str, Any]:
        row = self._row(name)
        self._require(principal, Privilege.SELECT, row.full_name, "getVectorIndex")
        return index_json(row, self._status(row))

    def list_indexes(
        self, principal: Principal, endpoint_name: str | None = None
    ) -> list[dict[str, Any]]:
        if endpoint_name:
            self.endpoints._row(endpoint_name)
        found = []
        for row in self.p.securables.list_type(SECURABLE):
            if endpoint_name and row.spec.get("endpoint_name") != endpoint_name:
                continue
            if self.p.grants.holds(principal, Privilege.SELECT, SECURABLE, row.full_name):
                found.append(index_json(row, None, brief=True))
        return found

    def delete_index(self, principal: Principal, name: str) -> None:
        row = self._row(name)
        self._require(principal, Privilege.MANAGE, row.full_name, "deleteVectorIndex")
        self.manager.drop(row.full_name)
        self.p.securables.delete_tree(row.full_name)
        self.p.grants.drop_all(row.full_name)
        shutil.rmtree(self.manager.path(row.full_name), ignore_errors=True)
        self._audit(principal, "deleteVectorIndex", row.full_name)

    def sync_index(self, principal: Principal, name: str) -> dict[str, Any]:
        row = self._row(name)
        self._require(principal, Privilege.MODIFY, row.full_name, "syncVectorIndex")
        if row.spec.get("index_type") != "DELTA_SYNC":
            raise InvalidParameterValue(
                f"Index {row.full_name} is a direct-access index; it has no pipeline to sync."
            )
        result = self.manager.sync(row.full_name, self._source(row), self._open_store(row))
        self._audit(principal, "syncVectorIndex", row.full_name, f"to_version={result.to_version}")
        return {
            "from_version": result.from_version,
            "to_version": result.to_version,
            "upserted_rows": result.upserts,
            "deleted_rows": result.deletes,
            "full_rebuild": result.full_rebuild,
            "reason": result.reason,
        }

    def close(self) -> None:
        self.manager.close()
