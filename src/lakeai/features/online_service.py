"""OnlineTableService: low-latency key lookups over a Delta table, kept in sync.

An online table is a catalog securable (``catalog.schema.name``) synced from its source by
the change-feed engine shared with vector search. Creating one needs CREATE_TABLE on the
schema and SELECT on the source; lookups need SELECT on the online table, a refresh MODIFY,
dropping MANAGE. Every change is audited.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from lakeai.catalog.names import parse
from lakeai.catalog.privileges import Privilege
from lakeai.core.audit import AuditEvent
from lakeai.core.models import SecurableRow
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists
from lakeai.features.online_pipelines import Listener, OnlinePipelines
from lakeai.features.online_responses import online_table_json
from lakeai.features.online_specs import key_tuples, plan
from lakeai.pipelines.engine import SourceTable, latest_version
from lakeai.tables import delta

if TYPE_CHECKING:
    from lakeai.services import Services

SECURABLE = "online_table"
INLINE_FIRST_SYNC_ROWS = 50_000  # a first sync this small runs inside create
MAX_LOOKUP_KEYS = 10_000


class OnlineTableService:
    def __init__(self, services: Services) -> None:
        self.s = services
        self.p = services.platform
        self.pipelines = OnlinePipelines()
        self._started = False

    # -- plumbing -------------------------------------------------------------------------
    def _row(self, name: str) -> SecurableRow:
        return self.p.securables.get(SECURABLE, parse(name, SECURABLE))

    def _require(self, principal: Principal, privilege: Privilege, name: str, action: str) -> None:
        self.p.grants.require(principal, privilege, SECURABLE, name, action=action)

    def _audit(
        self, principal: Principal, action: str, name: str, detail: str | None = None
    ) -> None:
        self.p.audit.record(AuditEvent(principal.name, action, SECURABLE, name, detail=detail))

    @staticmethod
    def _source(row: SecurableRow) -> SourceTable:
        """The engine keys changes by primary key plus event time, so history rows stay apart."""
        spec = row.spec
        keys = list(spec["primary_key_columns"])
        if spec.get("timeseries_key"):
            keys.append(spec["timeseries_key"])
        return SourceTable(spec["source_location"], keys, columns=spec.get("columns"))

    def _open(self, row: SecurableRow) -> Any:
        return self.pipelines.store(row.full_name, lambda: self._new_store(row))

    def _new_store(self, row: SecurableRow) -> Any:
        spec = row.spec
        keys, ts = list(spec["primary_key_columns"]), spec.get("timeseries_key")
        if spec.get("backend") == "redis":
            from lakeai.features.online_redis import RedisOnlineStore

            url = str(self.p.settings.online_store_url or "")
            return RedisOnlineStore(url, f"{row.id}", keys, ts)
        from lakeai.features.online_store import SqliteOnlineStore

        path = self.p.root.joinpath("online_tables", *row.full_name.split(".")).with_suffix(".db")
        return SqliteOnlineStore(path, keys, ts)

    def _backend(self) -> str:
        url = str(self.p.settings.online_store_url or "")
        if not url:
            return "sqlite"
        if url.startswith(("redis://", "rediss://", "unix://")):
            return "redis"
        raise InvalidParameterValue(
            "Setting online_store_url (LAKEAI_ONLINE_STORE_URL) must be empty (embedded SQLite) "
            f"or a redis:// URL; got a {url.split(':', 1)[0]}: URL."
        )

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(name, result)`` after every sync (freshness without polling)."""
        self.pipelines.listeners.append(listener)

    def start(self) -> None:
        """Start the pipelines of CONTINUOUS online tables (once per process)."""
        if self._started:
            return
        self._started = True
        for row in self.p.securables.list_type(SECURABLE):
            if row.spec.get("mode") == "CONTINUOUS":
                try:
                    self.pipelines.start_continuous(
                        row.full_name, self._source(row), self._open(row)
                    )
                except Exception as exc:  # one broken table must not stop the server
                    self.pipelines.state(row.full_name).last_error = type(exc).__name__

    # -- create ---------------------------------------------------------------------------
    def create(
        self,
        principal: Principal,
        name: str,
        *,
        source_table_full_name: str,
        primary_key_columns: list[str],
        run_triggered: bool = False,
        run_continuously: bool = False,
        timeseries_key: str | None = None,
        perform_full_copy: bool = False,
        columns: list[str] | None = None,
    ) -> dict[str, Any]:
        full = parse(name, SECURABLE)
        schema_full = f"{full.catalog}.{full.schema}"
        self.p.securables.get("schema", schema_full)
        self.p.grants.require(
            principal, Privilege.CREATE_TABLE, "schema", schema_full, action="createOnlineTable"
        )
        if self.p.securables.find(full) is not None:
            raise ResourceAlreadyExists(f"'{full}' already exists.")
        info = self.s.tables.get(principal, source_table_full_name)
        self.p.grants.require(
            principal, Privilege.SELECT, "table", info.full_name, action="createOnlineTable"
        )
        table = delta.open_table(info.storage_location)
        cdf = table.metadata().configuration.get("delta.enableChangeDataFeed") == "true"
        online = plan(
            info.full_name,
            delta.arrow_schema(table),
            cdf,
            primary_key_columns=primary_key_columns,
            run_triggered=run_triggered,
            run_continuously=run_continuously,
            timeseries_key=timeseries_key,
            perform_full_copy=perform_full_copy,
        )
        spec = {
            "source_table": info.full_name,
            "source_location": info.storage_location,
            "primary_key_columns": online.primary_key,
            "timeseries_key": online.timeseries_key,
            "key_types": online.key_types,
            "mode": online.mode,
            "backend": self._backend(),
            "columns": list(columns) if columns else None,
        }
        row = self.p.securables.insert(SECURABLE, full, owner=principal.name, spec=spec)
        self._audit(principal, "createOnlineTable", row.full_name, f"mode={online.mode}")
        self._first_sync(row, self._open(row))
        return self._json(row)

    def _first_sync(self, row: SecurableRow, store: Any) -> None:
        snapshot = row.spec["mode"] == "SNAPSHOT"
        if delta.dataset(row.spec["source_location"]).count_rows() <= INLINE_FIRST_SYNC_ROWS:
            self._background_sync(row, store, snapshot)
        else:
            self.pipelines.state(row.full_name).phase = "PROVISIONING"
            threading.Thread(
                target=self._background_sync, args=(row, store, snapshot), daemon=True
            ).start()
        if row.spec["mode"] == "CONTINUOUS":
            self.pipelines.start_continuous(row.full_name, self._source(row), store)

    def _background_sync(self, row: SecurableRow, store: Any, snapshot: bool) -> None:
        try:
            self.pipelines.sync(row.full_name, self._source(row), store, snapshot=snapshot)
        except Exception:
            self.pipelines.state(row.full_name).phase = "FAILED"

    # -- read, delete, sync, lookup -------------------------------------------------------
    def _json(self, row: SecurableRow) -> dict[str, Any]:
        state = self.pipelines.state(row.full_name)
        try:
            latest: int | None = latest_version(self._source(row))
        except Exception:  # the source was dropped; the status still answers
            latest = None
        return online_table_json(row, self._open(row).status(), state, latest)

    def get(self, principal: Principal, name: str) -> dict[str, Any]:
        row = self._row(name)
        self._require(principal, Privilege.SELECT, row.full_name, "getOnlineTable")
        return self._json(row)

    def delete(self, principal: Principal, name: str) -> None:
        row = self._row(name)
        self._require(principal, Privilege.MANAGE, row.full_name, "deleteOnlineTable")
        store = self.pipelines.drop(row.full_name) or self._new_store(row)
        self.p.securables.delete_tree(row.full_name)
        self.p.grants.drop_all(row.full_name)
        store.destroy()
        self._audit(principal, "deleteOnlineTable", row.full_name)

    def sync(self, principal: Principal, name: str) -> dict[str, Any]:
        """A triggered refresh (SNAPSHOT: a full copy; TRIGGERED and CONTINUOUS: the feed)."""
        row = self._row(name)
        self._require(principal, Privilege.MODIFY, row.full_name, "syncOnlineTable")
        result = self.pipelines.sync(
            row.full_name,
            self._source(row),
            self._open(row),
            snapshot=row.spec["mode"] == "SNAPSHOT",
        )
        self._audit(principal, "syncOnlineTable", row.full_name, f"to_version={result.to_version}")
        return {
            "from_version": result.from_version,
            "to_version": result.to_version,
            "upserted_rows": result.upserts,
            "deleted_rows": result.deletes,
            "full_rebuild": result.full_rebuild,
            "reason": result.reason,
        }

    def list(
        self, principal: Principal, catalog_name: str, schema_name: str
    ) -> list[dict[str, Any]]:
        """The schema's online tables the principal may SELECT from (USE_SCHEMA needed)."""
        schema = parse(f"{catalog_name}.{schema_name}", "schema")
        self.p.securables.get("schema", schema)
        self.p.grants.require(
            principal, Privilege.USE_SCHEMA, "schema", str(schema), action="listOnlineTables"
        )
        return [
            self._json(row)
            for row in self.p.securables.children(schema, SECURABLE)
            if self.p.grants.holds(principal, Privilege.SELECT, SECURABLE, row.full_name)
        ]

    def lookup(
        self, principal: Principal, name: str, keys: list[Any]
    ) -> list[dict[str, Any] | None]:
        """Rows for the keys, in order (None where absent); SELECT on the online table."""
        row = self.p.securables.get_recent(SECURABLE, parse(name, SECURABLE))
        self._require(principal, Privilege.SELECT, row.full_name, "lookupOnlineTable")
        if not isinstance(keys, list) or len(keys) > MAX_LOOKUP_KEYS:
            raise InvalidParameterValue(f"keys must be a list of at most {MAX_LOOKUP_KEYS} keys.")
        return self._open(row).lookup(key_tuples(row.spec["key_types"], keys))

    def close(self) -> None:
        self.pipelines.close()
