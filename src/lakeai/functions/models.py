"""``FunctionInfo``, field for field Unity Catalog's JSON (plus ``securable_kind``)."""

from __future__ import annotations

from typing import Any

from lakeai.catalog.models import _Info
from lakeai.core.models import SecurableRow
from lakeai.functions import types
from lakeai.functions.definition import FunctionDef


class FunctionInfo(_Info):
    name: str
    catalog_name: str
    schema_name: str
    full_name: str
    input_params: dict[str, Any]
    data_type: str
    full_data_type: str
    routine_body: str
    routine_definition: str
    external_language: str | None = None
    parameter_style: str = "S"
    is_deterministic: bool = True
    sql_data_access: str = "CONTAINS_SQL"
    is_null_call: bool = False
    security_type: str = "DEFINER"
    specific_name: str
    comment: str | None = None
    properties: str | None = None
    owner: str
    function_id: str
    securable_kind: str
    securable_type: str = "FUNCTION"
    created_at: int
    created_by: str
    updated_at: int
    updated_by: str


def function_info(row: SecurableRow) -> FunctionInfo:
    fn = FunctionDef.from_spec(row.full_name, row.spec or {})
    catalog, schema, name = row.full_name.split(".")
    python = fn.language == "PYTHON"
    parameters = [
        {
            "name": n,
            "type_text": types.type_text(t),
            "type_name": types.type_name(t),
            "type_json": types.type_json(n, t),
            "position": i,
            "parameter_mode": "IN",
            "parameter_type": "PARAM",
        }
        for i, (n, t) in enumerate(fn.params)
    ]
    return FunctionInfo(
        name=name,
        catalog_name=catalog,
        schema_name=schema,
        full_name=row.full_name,
        input_params={"parameters": parameters},
        data_type=types.type_name(fn.returns),
        full_data_type=types.type_text(fn.returns).upper(),
        routine_body="EXTERNAL" if python else "SQL",
        routine_definition=fn.body,
        external_language="PYTHON" if python else None,
        sql_data_access="NO_SQL" if python else "CONTAINS_SQL",
        specific_name=name,
        comment=row.comment,
        owner=row.owner,
        function_id=row.id,
        securable_kind=fn.securable_kind,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )
