"""Statements run through the Statement Execution API, kept in the metastore for GET by id.

Statements run synchronously, so each is stored once in a terminal state (SUCCEEDED, FAILED);
only the principal who ran one may read or cancel it.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from lakeai.core.models import StatementRow
from lakeai.core.principals import Principal
from lakeai.errors import LakeAIError, ResourceDoesNotExist
from lakeai.sql.results import manifest_and_result, service_error

WAREHOUSE_ID = "lakeai"


class StatementStore:
    def __init__(self, services: Any) -> None:
        self.services = services
        self.metastore = services.platform.metastore

    def execute(
        self,
        principal: Principal,
        statement: str,
        *,
        catalog: str | None = None,
        schema: str | None = None,
        parameters: dict[str, Any] | None = None,
        row_limit: int | None = None,
    ) -> dict[str, Any]:
        """Run and store; a user's SQL mistake is a FAILED statement, not an HTTP error."""
        statement_id = str(uuid.uuid4())
        try:
            table = self.services.sql.execute(
                principal, statement, catalog=catalog, schema=schema, parameters=parameters
            )
            response = {
                "statement_id": statement_id,
                "status": {"state": "SUCCEEDED"},
                **manifest_and_result(table, row_limit),
            }
        except LakeAIError as exc:
            response = {
                "statement_id": statement_id,
                "status": {"state": "FAILED", "error": service_error(exc)},
            }
        with self.metastore.session() as s:
            s.add(
                StatementRow(
                    statement_id=statement_id,
                    principal=principal.name,
                    state=response["status"]["state"],
                    created_at=int(time.time() * 1000),
                    response=response,
                )
            )
        return response

    def get(self, principal: Principal, statement_id: str) -> dict[str, Any]:
        with self.metastore.session() as s:
            row = s.get(StatementRow, statement_id)
            if row is None or row.principal != principal.name:
                raise ResourceDoesNotExist(f"Statement {statement_id} does not exist.")
            return dict(row.response)

    def cancel(self, principal: Principal, statement_id: str) -> None:
        """Statements finish before their POST answers, so there is nothing left to cancel."""
        self.get(principal, statement_id)
