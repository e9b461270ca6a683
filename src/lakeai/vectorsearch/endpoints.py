"""Vector search endpoints: named groups of indexes (Databricks' compute unit for them).

LakeAI needs no separate compute, so an endpoint is metadata: it is ONLINE when created.
Any authenticated principal may create one; its creator (or an admin) may delete it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lakeai.catalog.names import validate_endpoint_name
from lakeai.core.audit import AuditEvent
from lakeai.core.clock import new_id, now_ms
from lakeai.core.models import SecurableRow, VectorSearchEndpointRow
from lakeai.core.platform import Platform
from lakeai.core.principals import Principal
from lakeai.errors import (
    InvalidParameterValue,
    PermissionDenied,
    ResourceAlreadyExists,
    ResourceConflict,
    ResourceDoesNotExist,
)

ENDPOINT_TYPES = ("STANDARD", "STORAGE_OPTIMIZED")


def endpoint_json(row: VectorSearchEndpointRow, num_indexes: int) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "endpoint_type": row.endpoint_type,
        "endpoint_status": {"state": "ONLINE", "message": "Ready"},
        "creator": row.creator,
        "creation_timestamp": row.created_at,
        "last_updated_timestamp": row.updated_at,
        "last_updated_user": row.creator,
        "num_indexes": num_indexes,
        "custom_tags": row.custom_tags or [],
    }


class VectorEndpointService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    def _row(self, name: str) -> VectorSearchEndpointRow:
        validate_endpoint_name(name)
        with self.p.metastore.session() as s:
            row = s.get(VectorSearchEndpointRow, name)
        if row is None:
            raise ResourceDoesNotExist(f"Vector search endpoint '{name}' does not exist.")
        return row

    def _count(self, name: str) -> int:
        with self.p.metastore.session() as s:
            indexes = s.scalars(
                select(SecurableRow.spec).where(SecurableRow.securable_type == "vector_index")
            )
            return sum(1 for spec in indexes if spec.get("endpoint_name") == name)

    def create(
        self, principal: Principal, name: str, *, endpoint_type: str = "STANDARD"
    ) -> dict[str, Any]:
        validate_endpoint_name(name)
        endpoint_type = (endpoint_type or "STANDARD").upper()
        if endpoint_type not in ENDPOINT_TYPES:
            raise InvalidParameterValue(
                f"endpoint_type must be one of {', '.join(ENDPOINT_TYPES)}."
            )
        now = now_ms()
        row = VectorSearchEndpointRow(
            name=name,
            id=new_id(),
            endpoint_type=endpoint_type,
            creator=principal.name,
            created_at=now,
            updated_at=now,
            custom_tags=[],
        )
        with self.p.metastore.session() as s:
            if s.get(VectorSearchEndpointRow, name) is not None:
                raise ResourceAlreadyExists(f"Vector search endpoint '{name}' already exists.")
            s.add(row)
        self.p.audit.record(
            AuditEvent(principal.name, "createVectorSearchEndpoint", "vector_search_endpoint", name)
        )
        return endpoint_json(row, 0)

    def get(self, principal: Principal, name: str) -> dict[str, Any]:
        return endpoint_json(self._row(name), self._count(name))

    def list(self, principal: Principal) -> list[dict[str, Any]]:
        with self.p.metastore.session() as s:
            rows = list(
                s.scalars(select(VectorSearchEndpointRow).order_by(VectorSearchEndpointRow.name))
            )
        return [endpoint_json(r, self._count(r.name)) for r in rows]

    def delete(self, principal: Principal, name: str) -> None:
        row = self._row(name)
        if not (principal.is_admin or principal.name == row.creator):
            self.p.audit.record(
                AuditEvent(
                    principal.name,
                    "deleteVectorSearchEndpoint",
                    "vector_search_endpoint",
                    name,
                    "DENIED",
                )
            )
            raise PermissionDenied(
                f"Only the creator of vector search endpoint {name} or an admin may delete it."
            )
        if self._count(name):
            raise ResourceConflict(
                f"Vector search endpoint '{name}' still has indexes; delete them first."
            )
        with self.p.metastore.session() as s:
            found = s.get(VectorSearchEndpointRow, name)
            if found is not None:
                s.delete(found)
        self.p.audit.record(
            AuditEvent(principal.name, "deleteVectorSearchEndpoint", "vector_search_endpoint", name)
        )
