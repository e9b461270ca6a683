"""FunctionService: catalog functions (``catalog.schema.fn``), governed and audited.

CREATE_FUNCTION on the schema creates, EXECUTE on the function calls, MANAGE replaces, changes
the owner or drops. SQL functions run in the governed SQL engine (table references in their
bodies are checked against the caller's grants); Python functions run in the worker pool.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import pyarrow as pa
from sqlglot import exp

from lakeai.catalog.names import parse
from lakeai.catalog.privileges import Privilege
from lakeai.core.audit import AuditEvent
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue
from lakeai.functions import types
from lakeai.functions.definition import STANDARD, FunctionDef
from lakeai.functions.models import FunctionInfo, function_info
from lakeai.functions.python_runner import PythonRunner
from lakeai.functions.scalar_sql import compile_scalar, run_scalar
from lakeai.sql.parse import _literal

ARGS_ALIAS = "__lakeai_args"


class FunctionService:
    def __init__(self, services: Any) -> None:
        self.services = services
        self.p = services.platform
        # Parsed definitions (and compiled scalar SQL) by securable version: parsing a stored
        # definition costs about a millisecond, and a feature endpoint calls per request.
        self._compiled: dict[tuple[str, str], tuple[FunctionDef, str | None]] = {}

    @cached_property
    def runner(self) -> PythonRunner:
        s = self.p.settings
        return PythonRunner(
            workers=s.functions_python_workers,
            timeout=s.functions_python_timeout_seconds,
            memory_mb=s.functions_python_memory_mb,
        )

    def close(self) -> None:
        if "runner" in self.__dict__:
            self.runner.close()

    def _audit(self, principal: Principal, action: str, name: str, detail: str = "") -> None:
        self.p.audit.record(
            AuditEvent(principal.name, action, "function", name, detail=detail or None)
        )

    # -- catalog operations ---------------------------------------------------------------
    def create(
        self,
        principal: Principal,
        full_name: str,
        *,
        params: list[dict[str, Any]] | None = None,
        returns: str,
        language: str = "SQL",
        body: str,
        comment: str | None = None,
        replace: bool = False,
    ) -> FunctionInfo:
        full = parse(full_name, "function")
        self.p.securables.get("catalog", full.catalog)
        self.p.securables.get("schema", full.parent)
        fn = FunctionDef.validate(full, params or [], returns, language, body)
        existing = self.p.securables.find(full)
        if replace and existing is not None and existing.securable_type == "function":
            self.p.grants.require(
                principal, Privilege.MANAGE, "function", str(full), action="replaceFunction"
            )
            row = self.p.securables.update(
                existing.id, principal.name, spec=fn.to_spec(), comment=comment
            )
            self._audit(principal, "replaceFunction", str(full))
            return function_info(row)
        self.p.grants.require(
            principal,
            Privilege.CREATE_FUNCTION,
            "schema",
            str(full.parent),
            action="createFunction",
        )
        row = self.p.securables.insert(
            "function", full, owner=principal.name, comment=comment, spec=fn.to_spec()
        )
        self._audit(principal, "createFunction", str(full))
        return function_info(row)

    def get(self, principal: Principal, full_name: str) -> FunctionInfo:
        full = parse(full_name, "function")
        row = self.p.securables.get("function", full)
        if not self._may_see(principal, str(full)):
            self.p.grants.require(
                principal, Privilege.EXECUTE, "function", str(full), action="getFunction"
            )
        return function_info(row)

    def _may_see(self, principal: Principal, name: str) -> bool:
        return any(
            self.p.grants.holds(principal, priv, "function", name)
            for priv in (Privilege.EXECUTE, Privilege.MANAGE, Privilege.BROWSE)
        ) and self.p.grants.holds(principal, Privilege.USE_SCHEMA, "schema", name.rsplit(".", 1)[0])

    def list(self, principal: Principal, catalog_name: str, schema_name: str) -> list[FunctionInfo]:
        schema = parse(f"{catalog_name}.{schema_name}", "schema")
        self.p.securables.get("catalog", schema.catalog)
        self.p.securables.get("schema", schema)
        self.p.grants.require(
            principal, Privilege.USE_SCHEMA, "schema", str(schema), action="listFunctions"
        )
        rows = self.p.securables.children(schema, "function")
        return [function_info(r) for r in rows if self._may_see(principal, r.full_name)]

    def update(
        self, principal: Principal, full_name: str, *, owner: str | None = None
    ) -> FunctionInfo:
        full = parse(full_name, "function")
        row = self.p.securables.get("function", full)
        self.p.grants.require(
            principal, Privilege.MANAGE, "function", str(full), action="updateFunction"
        )
        if owner is not None:
            self.p.principals.get(owner)
        row = self.p.securables.update(row.id, principal.name, owner=owner)
        self._audit(principal, "updateFunction", str(full), "changed owner" if owner else "")
        return function_info(row)

    def delete(self, principal: Principal, full_name: str) -> None:
        full = parse(full_name, "function")
        self.p.securables.get("function", full)
        self.p.grants.require(
            principal, Privilege.MANAGE, "function", str(full), action="deleteFunction"
        )
        self.p.securables.delete_tree(full)
        self.p.grants.drop_all(full)
        self._audit(principal, "deleteFunction", str(full))

    # -- calling --------------------------------------------------------------------------
    def resolve(self, principal: Principal, full_name: str) -> FunctionDef:
        """The definition of a function the principal may EXECUTE (for calls and queries)."""
        return self._resolve(principal, full_name)[0]

    def _resolve(self, principal: Principal, full_name: str) -> tuple[FunctionDef, str | None]:
        full = parse(full_name, "function")
        row = self.p.securables.get_recent("function", full)
        self.p.grants.require(
            principal, Privilege.EXECUTE, "function", str(full), action="executeFunction"
        )
        key = (row.id, json.dumps(row.spec or {}, sort_keys=True))
        compiled = self._compiled.get(key)
        if compiled is None:
            fn = FunctionDef.from_spec(row.full_name, row.spec or {})
            if fn.securable_kind != STANDARD:
                raise InvalidParameterValue(
                    f"{full} is a {fn.securable_kind}, not a function that can be called; "
                    "serve it through a serving endpoint."
                )
            if len(self._compiled) > 10_000:
                self._compiled.clear()
            compiled = self._compiled[key] = (fn, compile_scalar(fn))
        return compiled

    def execute(self, principal: Principal, full_name: str, args: dict | list) -> Any:
        """Call a function once; ``args`` by name (dict) or by position (list)."""
        return self.execute_batch(principal, full_name, [args])[0]

    def execute_batch(self, principal: Principal, full_name: str, rows: list[Any]) -> list[Any]:
        """Call a function for many argument rows in one go (one query or one worker job)."""
        fn, scalar_sql = self._resolve(principal, full_name)
        if not isinstance(rows, list):
            raise InvalidParameterValue("rows must be a list of argument objects.")
        values = [_positional(fn, row, i) for i, row in enumerate(rows)]
        if not values:
            return []
        if fn.language == "PYTHON":
            return self.run_python(fn, values)
        if scalar_sql is not None:
            return run_scalar(scalar_sql, fn, values)
        return self._run_sql(principal, fn, values)

    def run_python(self, fn: FunctionDef, rows: list[list[Any]]) -> list[Any]:
        payload = [[types.to_json(v) for v in row] for row in rows]
        results = self.runner.run(fn.worker_source, fn.worker_params(), payload)
        if len(results) != len(rows):
            raise InvalidParameterValue(f"{fn.full_name} returned the wrong number of results.")
        return [types.coerce(r, fn.returns, f"{fn.full_name} returned") for r in results]

    def _run_sql(self, principal: Principal, fn: FunctionDef, rows: list[list[Any]]) -> list[Any]:
        """``SELECT <inlined body> FROM (VALUES ...) AS __lakeai_args(...)``, in row order."""
        from lakeai.sql.context import Context
        from lakeai.sql.resolve import Defaults

        names = [f"p{i}" for i in range(len(fn.params))]
        args = [exp.column(n, table=ARGS_ALIAS) for n in names]
        tuples = [
            exp.Tuple(
                expressions=[exp.Literal.number(i)]
                + [
                    exp.cast(_literal(types.to_json(v)), t.copy())
                    for v, (_, t) in zip(row, fn.params, strict=True)
                ]
            )
            for i, row in enumerate(rows)
        ]
        values = exp.Values(
            expressions=tuples,
            alias=exp.TableAlias(
                this=exp.to_identifier(ARGS_ALIAS),
                columns=[exp.to_identifier(c) for c in ["__i", *names]],
            ),
        )
        query = (
            exp.select(exp.alias_(fn.inline(args), "value"))
            .from_(values)
            .order_by(exp.column("__i", table=ARGS_ALIAS))
        )
        ctx = Context(self.services, principal, Defaults(fn.full_name.catalog, fn.full_name.schema))
        table: pa.Table = ctx.query(query)
        return [types.coerce(v, fn.returns, f"{fn.full_name} returned") for v in _column(table)]


def _column(table: pa.Table) -> list[Any]:
    return table.column(0).to_pylist() if table.num_columns else []


def _positional(fn: FunctionDef, row: Any, index: int) -> list[Any]:
    """One argument row as values in parameter order, checked against the declared types."""
    names = fn.param_names
    if isinstance(row, dict):
        unknown = sorted(set(row) - set(names))
        missing = [n for n in names if n not in row]
        if unknown or missing:
            raise InvalidParameterValue(
                f"Row {index}: {fn.full_name} takes ({', '.join(names)}); "
                + (f"unknown {unknown}" if unknown else f"missing {missing}")
                + "."
            )
        row = [row[n] for n in names]
    if not isinstance(row, (list, tuple)):
        raise InvalidParameterValue(f"Row {index}: arguments must be an object or a list.")
    fn.check_arity(len(row))
    return [
        types.coerce(v, t, f"Row {index}: argument {n}")
        for v, (n, t) in zip(row, fn.params, strict=True)
    ]
