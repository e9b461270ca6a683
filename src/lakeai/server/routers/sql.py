"""Databricks' SQL Statement Execution API and a single always-running SQL warehouse.

``POST /api/2.0/sql/statements`` runs one statement synchronously (INLINE, JSON_ARRAY);
``GET .../{id}`` re-reads a stored result; ``GET /api/2.0/sql/warehouses`` lists ``lakeai``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from pydantic import ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from lakeai.errors import InvalidParameterValue, ResourceDoesNotExist
from lakeai.server.deps import PrincipalDep, ServicesDep
from lakeai.server.routers._models import Body
from lakeai.sql.statements import WAREHOUSE_ID, StatementStore

router = APIRouter(tags=["sql"])

_WAIT = re.compile(r"^(\d+)s$")


class Parameter(Body):
    name: str
    value: str | None = None
    type: str | None = None


class ExecuteStatement(Body):
    statement: str
    warehouse_id: str | None = None
    wait_timeout: str | None = None
    on_wait_timeout: str | None = None
    format: str | None = None
    disposition: str | None = None
    row_limit: int | None = None
    byte_limit: int | None = None
    catalog: str | None = None
    # ``schema`` would shadow a pydantic BaseModel attribute, hence the alias.
    schema_: str | None = Field(default=None, alias="schema")
    parameters: list[Parameter] | None = None

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    def validate_options(self) -> None:
        if self.format not in (None, "JSON_ARRAY"):
            raise InvalidParameterValue(
                "format must be JSON_ARRAY (ARROW_STREAM and CSV are not supported)."
            )
        if self.disposition not in (None, "INLINE"):
            raise InvalidParameterValue(
                "disposition must be INLINE (EXTERNAL_LINKS is not supported)."
            )
        if self.on_wait_timeout not in (None, "CONTINUE", "CANCEL"):
            raise InvalidParameterValue("on_wait_timeout must be CONTINUE or CANCEL.")
        if self.wait_timeout is not None:
            match = _WAIT.match(self.wait_timeout)
            seconds = int(match.group(1)) if match else -1
            if not (seconds == 0 or 5 <= seconds <= 50):
                raise InvalidParameterValue("wait_timeout must be '0s' or between '5s' and '50s'.")
        if self.row_limit is not None and self.row_limit < 0:
            raise InvalidParameterValue("row_limit must be 0 or more.")
        if self.warehouse_id not in (None, WAREHOUSE_ID):
            raise ResourceDoesNotExist(
                f"Warehouse {self.warehouse_id} does not exist; use '{WAREHOUSE_ID}'."
            )


def _store(s: Any) -> StatementStore:
    return StatementStore(s)


@router.post("/api/2.0/sql/statements")
async def execute_statement(
    body: ExecuteStatement, s: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    body.validate_options()
    parameters = {prm.name: {"value": prm.value, "type": prm.type} for prm in body.parameters or []}
    return await run_in_threadpool(
        _store(s).execute,
        p,
        body.statement,
        catalog=body.catalog,
        schema=body.schema_,
        parameters=parameters,
        row_limit=body.row_limit,
    )


@router.get("/api/2.0/sql/statements/{statement_id}")
def get_statement(statement_id: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return _store(s).get(p, statement_id)


@router.post("/api/2.0/sql/statements/{statement_id}/cancel")
def cancel_statement(statement_id: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    _store(s).cancel(p, statement_id)
    return {}


def _warehouse(creator: str) -> dict[str, Any]:
    return {
        "id": WAREHOUSE_ID,
        "name": WAREHOUSE_ID,
        "state": "RUNNING",
        "cluster_size": "X-Small",
        "min_num_clusters": 1,
        "max_num_clusters": 1,
        "num_clusters": 1,
        "num_active_sessions": 0,
        "auto_stop_mins": 0,
        "enable_photon": False,
        "enable_serverless_compute": False,
        "warehouse_type": "PRO",
        "creator_name": creator,
        "health": {"status": "HEALTHY"},
    }


@router.get("/api/2.0/sql/warehouses")
def list_warehouses(s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"warehouses": [_warehouse(p.name)]}


@router.get("/api/2.0/sql/warehouses/{warehouse_id}")
def get_warehouse(warehouse_id: str, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    if warehouse_id != WAREHOUSE_ID:
        raise ResourceDoesNotExist(
            f"Warehouse {warehouse_id} does not exist; use '{WAREHOUSE_ID}'."
        )
    return _warehouse(p.name)
