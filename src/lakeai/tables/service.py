"""TableService: governed, audited Delta tables in the catalog.

Reads need SELECT, writes need MODIFY, creating needs CREATE_TABLE on the schema (and the
USE_CATALOG / USE_SCHEMA path). Every write is one Delta commit; data is checked against the
table's schema first, so a rejected write leaves the table as it was.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from lakeai.catalog.models import TableInfo
from lakeai.catalog.names import FullName, parse
from lakeai.catalog.privileges import Privilege
from lakeai.catalog.service import SYSTEM_CATALOG, _check_properties, _merge
from lakeai.core.audit import AuditEvent
from lakeai.core.models import SecurableRow
from lakeai.core.platform import Platform
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, PermissionDenied, ResourceAlreadyExists
from lakeai.tables import delta
from lakeai.tables.data import conform, normalize_types, to_arrow
from lakeai.tables.types import column_infos

EXTERNAL_SCHEMES = ("s3://", "s3a://", "gs://", "abfss://", "az://", "file://", "/")


def table_info(row: SecurableRow, schema: pa.Schema | None = None) -> TableInfo:
    catalog, schema_name, name = row.full_name.split(".")
    pk = row.spec.get("primary_key") or []
    constraints = (
        [{"primary_key_constraint": {"name": f"{name}_pk", "child_columns": pk}}] if pk else None
    )
    columns = column_infos(schema) if schema is not None else row.spec.get("columns", [])
    return TableInfo(
        name=name,
        catalog_name=catalog,
        schema_name=schema_name,
        full_name=row.full_name,
        table_type=row.spec.get("table_type", "MANAGED"),
        columns=columns,
        storage_location=row.spec["storage_location"],
        comment=row.comment,
        properties=row.properties or None,
        owner=row.owner,
        table_id=row.id,
        table_constraints=constraints,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class TableService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    # -- helpers --------------------------------------------------------------------------
    def _row(self, full: FullName) -> SecurableRow:
        self.p.securables.get("catalog", full.catalog)
        self.p.securables.get("schema", f"{full.catalog}.{full.schema}")
        return self.p.securables.get("table", full)

    def _authorize(
        self, principal: Principal, full_name: str, privilege: Privilege, action: str
    ) -> SecurableRow:
        full = parse(full_name, "table")
        row = self._row(full)
        self.p.grants.require(principal, privilege, "table", str(full), action=action)
        if privilege != Privilege.SELECT and full.catalog == SYSTEM_CATALOG:
            self.p.audit.record(
                AuditEvent(principal.name, action, "table", str(full), "DENIED", "read-only")
            )
            raise PermissionDenied("Tables in the system catalog are read-only.")
        return row

    def _audit(
        self, principal: Principal, action: str, name: str, detail: str | None = None
    ) -> None:
        self.p.audit.record(AuditEvent(principal.name, action, "table", name, detail=detail))

    @staticmethod
    def _location(row: SecurableRow) -> str:
        return str(row.spec["storage_location"])

    def _schema(self, row: SecurableRow) -> pa.Schema:
        return delta.arrow_schema(delta.open_table(self._location(row)))

    # -- metadata -------------------------------------------------------------------------
    def create(
        self,
        principal: Principal,
        full_name: str,
        *,
        schema: pa.Schema | list[dict[str, Any]] | None = None,
        data: Any = None,
        primary_key: list[str] | str | None = None,
        comment: str | None = None,
        properties: dict[str, str] | None = None,
        storage_location: str | None = None,
        partition_by: list[str] | None = None,
    ) -> TableInfo:
        """Create a Delta table from a schema and/or data; managed unless a location is given."""
        full = parse(full_name, "table")
        if full.catalog == SYSTEM_CATALOG:
            raise PermissionDenied("The system catalog is read-only; it holds platform tables.")
        self.p.securables.get("catalog", full.catalog)
        schema_full = f"{full.catalog}.{full.schema}"
        self.p.securables.get("schema", schema_full)
        self.p.grants.require(
            principal, Privilege.CREATE_TABLE, "schema", schema_full, action="createTable"
        )
        if self.p.securables.find(full) is not None:
            raise ResourceAlreadyExists(f"Table '{full}' already exists.")
        arrow_data = normalize_types(to_arrow(data)) if data is not None else None
        arrow_schema = self._resolve_schema(schema, arrow_data)
        pk = self._check_primary_key(primary_key, arrow_schema)
        if pk:
            arrow_schema = pa.schema(
                [f.with_nullable(False) if f.name in pk else f for f in arrow_schema]
            )
        if partition_by:
            missing = [c for c in partition_by if c not in arrow_schema.names]
            if missing:
                raise InvalidParameterValue(
                    f"Partition columns {', '.join(missing)} are not in the schema."
                )
        location, table_type = self._new_location(full, storage_location)
        if arrow_data is not None:
            arrow_data = conform(arrow_data, arrow_schema, str(full))
        try:
            delta.create(location, arrow_schema, partition_by=partition_by)
            if arrow_data is not None and arrow_data.num_rows:
                delta.append(location, arrow_data)
            spec = {
                "storage_location": location,
                "table_type": table_type,
                "primary_key": pk,
                "partition_by": partition_by or [],
            }
            row = self.p.securables.insert(
                "table",
                full,
                owner=principal.name,
                comment=comment,
                properties=_check_properties(properties),
                spec=spec,
            )
        except Exception:
            if table_type == "MANAGED":
                shutil.rmtree(location, ignore_errors=True)
            raise
        rows = arrow_data.num_rows if arrow_data is not None else 0
        self._audit(principal, "createTable", str(full), f"type={table_type} rows={rows}")
        return table_info(row, arrow_schema)

    def _resolve_schema(self, schema: Any, data: pa.Table | None) -> pa.Schema:
        from lakeai.tables.types import schema_from_columns

        if isinstance(schema, list):
            return schema_from_columns(schema)
        if isinstance(schema, pa.Schema):
            return schema
        if schema is not None:
            raise InvalidParameterValue("schema must be an Arrow schema or a list of columns.")
        if data is None:
            raise InvalidParameterValue("Give a schema (columns) or data to create a table from.")
        return data.schema

    @staticmethod
    def _check_primary_key(primary_key: list[str] | str | None, schema: pa.Schema) -> list[str]:
        pk = [primary_key] if isinstance(primary_key, str) else list(primary_key or [])
        missing = [c for c in pk if c not in schema.names]
        if missing:
            raise InvalidParameterValue(
                f"Primary key column(s) {', '.join(missing)} are not in the table "
                f"(columns: {', '.join(schema.names)})."
            )
        return pk

    def _new_location(self, full: FullName, storage_location: str | None) -> tuple[str, str]:
        if not storage_location:
            path = self.p.warehouse / full.catalog / full.schema / full.name
            if path.exists() and any(path.iterdir()):
                raise ResourceAlreadyExists(f"Managed location of '{full}' is not empty: {path}.")
            path.mkdir(parents=True, exist_ok=True)
            return str(path), "MANAGED"
        if not storage_location.startswith(EXTERNAL_SCHEMES):
            raise InvalidParameterValue(
                "storage_location must be an absolute path or a file://, s3://, gs:// or abfss:// URL."
            )
        if storage_location.startswith(("/", "file://")):
            local = Path(storage_location.removeprefix("file://")).resolve()
            if local == self.p.root or self.p.root in local.parents:
                raise InvalidParameterValue(
                    "An external table cannot live inside the workspace folder."
                )
        if delta.is_delta_table(storage_location):
            raise ResourceAlreadyExists(
                f"{storage_location} already holds a Delta table; register it with register_external()."
            )
        return storage_location, "EXTERNAL"

    def register(
        self,
        principal: Principal,
        full_name: str,
        storage_location: str,
        *,
        comment: str | None = None,
        primary_key: list[str] | None = None,
    ) -> TableInfo:
        """Register an existing Delta table at an external location under a catalog name."""
        full = parse(full_name, "table")
        schema_full = f"{full.catalog}.{full.schema}"
        self.p.securables.get("schema", schema_full)
        self.p.grants.require(
            principal, Privilege.CREATE_TABLE, "schema", schema_full, action="createTable"
        )
        schema = delta.arrow_schema(delta.open_table(storage_location))
        pk = self._check_primary_key(primary_key, schema)
        spec = {"storage_location": storage_location, "table_type": "EXTERNAL", "primary_key": pk}
        row = self.p.securables.insert(
            "table", full, owner=principal.name, comment=comment, spec=spec
        )
        self._audit(principal, "createTable", str(full), "type=EXTERNAL registered")
        return table_info(row, schema)

    def get(self, principal: Principal, full_name: str) -> TableInfo:
        full = parse(full_name, "table")
        row = self._row(full)
        if not (
            self.p.grants.holds(principal, Privilege.SELECT, "table", str(full))
            or self.p.grants.holds(principal, Privilege.MODIFY, "table", str(full))
            or self.p.grants.holds(principal, Privilege.BROWSE, "table", str(full))
        ):
            self.p.grants.require(
                principal, Privilege.SELECT, "table", str(full), action="getTable"
            )
        self.p.grants.require(
            principal,
            Privilege.USE_SCHEMA,
            "schema",
            f"{full.catalog}.{full.schema}",
            action="getTable",
        )
        return table_info(row, self._schema(row))

    def exists(self, principal: Principal, full_name: str) -> bool:
        full = parse(full_name, "table")
        return self.p.securables.find(full) is not None and self.p.grants.holds(
            principal, Privilege.USE_SCHEMA, "schema", f"{full.catalog}.{full.schema}"
        )

    def list(self, principal: Principal, catalog_name: str, schema_name: str) -> list[TableInfo]:
        schema_full = parse(f"{catalog_name}.{schema_name}", "schema")
        self.p.securables.get("catalog", schema_full.catalog)
        self.p.securables.get("schema", schema_full)
        self.p.grants.require(
            principal, Privilege.USE_SCHEMA, "schema", str(schema_full), action="listTables"
        )
        infos = []
        for row in self.p.securables.children(schema_full, "table"):
            if self.p.grants.holds(
                principal, Privilege.SELECT, "table", row.full_name
            ) or self.p.grants.holds(principal, Privilege.BROWSE, "table", row.full_name):
                infos.append(table_info(row))
        return infos

    def update(
        self,
        principal: Principal,
        full_name: str,
        *,
        comment: str | None = None,
        owner: str | None = None,
        properties: dict[str, str] | None = None,
    ) -> TableInfo:
        row = self._authorize(principal, full_name, Privilege.MANAGE, "updateTable")
        if owner is not None:
            self.p.principals.get(owner)
        row = self.p.securables.update(
            row.id,
            principal.name,
            comment=comment,
            owner=owner,
            properties=_merge(row.properties, _check_properties(properties)),
        )
        self._audit(principal, "updateTable", row.full_name)
        return table_info(row, self._schema(row))

    def delete(self, principal: Principal, full_name: str) -> None:
        """Drop the table; a managed table's files go with it, an external table's stay."""
        row = self._authorize(principal, full_name, Privilege.MANAGE, "deleteTable")
        self.p.securables.delete_tree(row.full_name)
        self.p.grants.drop_all(row.full_name)
        if row.spec.get("table_type", "MANAGED") == "MANAGED":
            shutil.rmtree(self._location(row), ignore_errors=True)
        self._audit(principal, "deleteTable", row.full_name)

    def primary_key(self, principal: Principal, full_name: str) -> list[str]:
        row = self._authorize(principal, full_name, Privilege.SELECT, "getTable")
        return list(row.spec.get("primary_key") or [])

    # -- writes ---------------------------------------------------------------------------
    def _prepare(self, row: SecurableRow, data: Any) -> pa.Table:
        table = normalize_types(to_arrow(data))
        table = conform(table, self._schema(row), row.full_name)
        pk = row.spec.get("primary_key") or []
        for col in pk:
            if table.column(col).null_count:
                raise InvalidParameterValue(
                    f"Primary key column {col} of {row.full_name} cannot be null."
                )
        return table

    def append(self, principal: Principal, full_name: str, data: Any) -> dict[str, Any]:
        row = self._authorize(principal, full_name, Privilege.MODIFY, "appendTable")
        table = self._prepare(row, data)
        version = delta.append(self._location(row), table)
        self._audit(principal, "appendTable", row.full_name, f"rows={table.num_rows}")
        return {"version": version, "num_rows": table.num_rows}

    def overwrite(self, principal: Principal, full_name: str, data: Any) -> dict[str, Any]:
        row = self._authorize(principal, full_name, Privilege.MODIFY, "overwriteTable")
        table = self._prepare(row, data)
        version = delta.overwrite(self._location(row), table)
        self._audit(principal, "overwriteTable", row.full_name, f"rows={table.num_rows}")
        return {"version": version, "num_rows": table.num_rows}

    def merge(
        self, principal: Principal, full_name: str, data: Any, *, keys: list[str] | None = None
    ) -> dict[str, Any]:
        """Upsert by the primary key (or ``keys``): matched rows are updated, the rest inserted."""
        row = self._authorize(principal, full_name, Privilege.MODIFY, "mergeTable")
        keys = list(keys or row.spec.get("primary_key") or [])
        if not keys:
            raise InvalidParameterValue(
                f"Table {row.full_name} has no primary key; pass keys=[...] to merge on."
            )
        table = self._prepare(row, data)
        missing = [k for k in keys if k not in table.column_names]
        if missing:
            raise InvalidParameterValue(
                f"Merge keys {', '.join(missing)} are not columns of {row.full_name}."
            )
        if table.num_rows and table.group_by(keys).aggregate([]).num_rows != table.num_rows:
            raise InvalidParameterValue(
                f"The merge data has duplicate keys on ({', '.join(keys)})."
            )
        metrics = delta.merge(self._location(row), table, keys)
        self._audit(principal, "mergeTable", row.full_name, f"rows={table.num_rows}")
        return {
            "version": delta.open_table(self._location(row)).version(),
            "num_inserted": metrics.get("num_target_rows_inserted", 0),
            "num_updated": metrics.get("num_target_rows_updated", 0),
        }

    def merge_clauses(
        self,
        principal: Principal,
        full_name: str,
        source: pa.Table,
        *,
        predicate: str,
        clauses: list[delta.MergeClause],
        source_alias: str = "source",
        target_alias: str = "target",
    ) -> dict[str, Any]:
        """SQL MERGE: ``source`` against the table on ``predicate``, WHEN clauses in order, one commit."""
        row = self._authorize(principal, full_name, Privilege.MODIFY, "mergeTable")
        if not clauses:
            raise InvalidParameterValue("MERGE needs at least one WHEN clause.")
        metrics = delta.merge_clauses(
            self._location(row),
            normalize_types(to_arrow(source)),
            predicate,
            clauses,
            source_alias=source_alias,
            target_alias=target_alias,
        )
        inserted = metrics.get("num_target_rows_inserted", 0)
        updated = metrics.get("num_target_rows_updated", 0)
        deleted = metrics.get("num_target_rows_deleted", 0)
        self._audit(
            principal,
            "mergeTable",
            row.full_name,
            f"inserted={inserted} updated={updated} deleted={deleted}",
        )
        return {
            "version": delta.open_table(self._location(row)).version(),
            "num_inserted": inserted,
            "num_updated": updated,
            "num_deleted": deleted,
        }

    def delete_rows(
        self, principal: Principal, full_name: str, predicate: str | None
    ) -> dict[str, Any]:
        """Delete rows matching a SQL predicate (all rows when None) in one commit."""
        row = self._authorize(principal, full_name, Privilege.MODIFY, "deleteRows")
        metrics = delta.delete(self._location(row), predicate or None)
        self._audit(
            principal, "deleteRows", row.full_name, f"rows={metrics.get('num_deleted_rows', 0)}"
        )
        return {
            "version": delta.open_table(self._location(row)).version(),
            "num_deleted": metrics.get("num_deleted_rows", 0),
        }

    def update_rows(
        self, principal: Principal, full_name: str, updates: dict[str, str], predicate: str | None
    ) -> dict[str, Any]:
        """Set columns to SQL expressions where a predicate holds, in one commit."""
        row = self._authorize(principal, full_name, Privilege.MODIFY, "updateRows")
        columns = self._schema(row).names
        unknown = [c for c in updates if c not in columns]
        if unknown or not updates:
            raise InvalidParameterValue(
                f"Cannot update columns {', '.join(unknown) or '(none given)'}; columns: {', '.join(columns)}."
            )
        metrics = delta.update(self._location(row), updates, predicate or None)
        self._audit(
            principal, "updateRows", row.full_name, f"rows={metrics.get('num_updated_rows', 0)}"
        )
        return {
            "version": delta.open_table(self._location(row)).version(),
            "num_updated": metrics.get("num_updated_rows", 0),
        }

    # -- reads ----------------------------------------------------------------------------
    def dataset(
        self,
        principal: Principal,
        full_name: str,
        *,
        version: int | None = None,
        timestamp: datetime | str | None = None,
    ) -> ds.Dataset:
        """An Arrow dataset of the table (at a version or timestamp) for engines to scan."""
        row = self._authorize(principal, full_name, Privilege.SELECT, "readTable")
        if version is not None and timestamp is not None:
            raise InvalidParameterValue("Give a version or a timestamp, not both.")
        return delta.dataset(self._location(row), version=version, timestamp=timestamp)

    def read(
        self,
        principal: Principal,
        full_name: str,
        *,
        version: int | None = None,
        timestamp: datetime | str | None = None,
        columns: list[str] | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        dataset = self.dataset(principal, full_name, version=version, timestamp=timestamp)
        if columns:
            unknown = [c for c in columns if c not in dataset.schema.names]
            if unknown:
                raise InvalidParameterValue(
                    f"Unknown columns {', '.join(unknown)}; columns: {', '.join(dataset.schema.names)}."
                )
        if limit is not None and limit < 0:
            raise InvalidParameterValue("limit must be 0 or more.")
        if limit is not None:
            return dataset.head(limit, columns=columns)
        return dataset.to_table(columns=columns)

    def version(self, principal: Principal, full_name: str) -> int:
        row = self._authorize(principal, full_name, Privilege.SELECT, "readTable")
        return int(delta.open_table(self._location(row)).version())

    def history(
        self, principal: Principal, full_name: str, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        row = self._authorize(principal, full_name, Privilege.SELECT, "readTable")
        return delta.history(self._location(row), limit)

    def changes(
        self,
        principal: Principal,
        full_name: str,
        *,
        start_version: int = 0,
        end_version: int | None = None,
    ) -> pa.Table:
        """The change data feed between two versions (``_change_type``, ``_commit_version``, ...)."""
        row = self._authorize(principal, full_name, Privilege.SELECT, "readTable")
        return delta.changes(self._location(row), start_version, end_version)
