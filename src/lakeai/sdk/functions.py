"""Catalog functions over Unity Catalog's REST API: ``FunctionService``'s methods, remotely.

``create`` sends Databricks' ``{"function_info": CreateFunction}`` (a Python function is
``routine_body: EXTERNAL`` with ``external_language: PYTHON``); calls go through LakeAI's batch
execute route, so ``execute`` is ``execute_batch`` with one row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lakeai.sdk.http import Transport, segment

if TYPE_CHECKING:
    from lakeai.functions.models import FunctionInfo

BASE = "/api/2.1/unity-catalog/functions"
EXECUTE = "/api/2.0/lakeai/functions/{name}/execute"


def _info(body: dict[str, Any]) -> FunctionInfo:
    from lakeai.functions.models import FunctionInfo  # sqlglot only when a function is used

    return FunctionInfo.model_validate(body)


class RemoteFunctions:
    """``ws.functions``: create, read, call and drop ``catalog.schema.fn``."""

    def __init__(self, http: Transport) -> None:
        self._http = http

    def create(
        self,
        full_name: str,
        *,
        params: list[dict[str, Any]] | None = None,
        returns: str,
        language: str = "SQL",
        body: str,
        comment: str | None = None,
        replace: bool = False,
    ) -> FunctionInfo:
        catalog, schema, name = _split(full_name)
        python = str(language).upper() == "PYTHON"
        parameters = [
            {"name": p["name"], "type_text": p["type_text"], "position": i}
            for i, p in enumerate(params or [])
        ]
        info = {
            "name": name,
            "catalog_name": catalog,
            "schema_name": schema,
            "input_params": {"parameters": parameters},
            "full_data_type": returns,
            "routine_body": "EXTERNAL" if python else str(language).upper(),
            "external_language": "PYTHON" if python else None,
            "routine_definition": body,
            "comment": comment,
        }
        request = {"function_info": {k: v for k, v in info.items() if v is not None}}
        return _info(self._http.post(BASE, {**request, "replace": replace or None}))

    def get(self, full_name: str) -> FunctionInfo:
        return _info(self._http.get(f"{BASE}/{segment(full_name)}"))

    def list(self, catalog_name: str, schema_name: str) -> list[FunctionInfo]:
        items = self._http.pages(
            BASE, "functions", catalog_name=catalog_name, schema_name=schema_name
        )
        return [_info(i) for i in items]

    def update(self, full_name: str, *, owner: str | None = None) -> FunctionInfo:
        return _info(self._http.patch(f"{BASE}/{segment(full_name)}", {"owner": owner}))

    def delete(self, full_name: str) -> None:
        self._http.delete(f"{BASE}/{segment(full_name)}")

    def execute(self, full_name: str, args: dict | list) -> Any:
        """Call once; ``args`` by name (dict) or by position (list)."""
        return self.execute_batch(full_name, [args])[0]

    def execute_batch(self, full_name: str, rows: list[Any]) -> list[Any]:
        path = EXECUTE.format(name=segment(full_name))
        return list(self._http.post(path, {"rows": rows}).get("results") or [])


def _split(full_name: str) -> tuple[str, str, str]:
    parts = str(full_name).split(".")
    if len(parts) != 3 or not all(parts):
        from lakeai.errors import InvalidParameterValue

        raise InvalidParameterValue(
            f"A function name is catalog.schema.function, not {full_name!r}."
        )
    return parts[0], parts[1], parts[2]
