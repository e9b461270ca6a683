"""Rows of the ``securables`` table: lookup, insert, update and delete with clear errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lakeai.catalog.names import FullName
from lakeai.core.clock import new_id, now_ms
from lakeai.core.metastore import Metastore
from lakeai.core.models import SecurableRow
from lakeai.core.ttlcache import TTLCache
from lakeai.errors import ResourceAlreadyExists, ResourceDoesNotExist


def _label(securable_type: str) -> str:
    return securable_type.capitalize()


class SecurableStore:
    def __init__(self, metastore: Metastore, on_change: Callable[[], None] | None = None) -> None:
        self.metastore = metastore
        self.on_change = on_change or (lambda: None)  # owners changed: grant caches forget
        self._recent: TTLCache[SecurableRow] = TTLCache(ttl=2.0)

    def find_recent(self, full_name: FullName | str) -> SecurableRow | None:
        """``find`` for request hot paths (feature serving, function calls): a row read in the
        last 2 s is reused. Every write here forgets them at once; another replica's change
        shows within 2 s, like the grant cache (``core.ttlcache``). Absent rows are not cached.
        """
        key = str(full_name)
        row = self._recent.get(key)
        if row is None:
            row = self.find(key)
            if row is not None:
                self._recent.put(key, row)
        return row

    def get_recent(self, securable_type: str, full_name: FullName | str) -> SecurableRow:
        row = self.find_recent(full_name)
        if row is None or row.securable_type != securable_type:
            raise ResourceDoesNotExist(f"{_label(securable_type)} '{full_name}' does not exist.")
        return row

    def find(self, full_name: FullName | str) -> SecurableRow | None:
        with self.metastore.session() as s:
            return s.scalar(select(SecurableRow).where(SecurableRow.full_name == str(full_name)))

    def get(self, securable_type: str, full_name: FullName | str) -> SecurableRow:
        row = self.find(full_name)
        if row is None or row.securable_type != securable_type:
            raise ResourceDoesNotExist(f"{_label(securable_type)} '{full_name}' does not exist.")
        return row

    def insert(
        self,
        securable_type: str,
        full_name: FullName,
        *,
        owner: str,
        comment: str | None = None,
        properties: dict[str, str] | None = None,
        spec: dict[str, Any] | None = None,
    ) -> SecurableRow:
        now = now_ms()
        parent = full_name.parent
        row = SecurableRow(
            id=new_id(),
            securable_type=securable_type,
            full_name=str(full_name),
            parent_full_name=str(parent) if parent else None,
            name=full_name.name,
            owner=owner,
            comment=comment,
            properties=dict(properties or {}),
            spec=dict(spec or {}),
            created_at=now,
            created_by=owner,
            updated_at=now,
            updated_by=owner,
        )
        try:
            with self.metastore.session() as s:
                if s.scalar(
                    select(SecurableRow.id).where(SecurableRow.full_name == str(full_name))
                ):
                    raise ResourceAlreadyExists(
                        f"{_label(securable_type)} '{full_name}' already exists."
                    )
                s.add(row)
        except IntegrityError as exc:
            raise ResourceAlreadyExists(
                f"{_label(securable_type)} '{full_name}' already exists."
            ) from exc
        self._recent.clear()
        return row

    def update(self, row_id: str, updated_by: str, **fields: Any) -> SecurableRow:
        with self.metastore.session() as s:
            row = s.get(SecurableRow, row_id)
            if row is None:
                raise ResourceDoesNotExist("The securable was deleted meanwhile.")
            for key, value in fields.items():
                if value is not None:
                    setattr(row, key, value)
            row.updated_at = now_ms()
            row.updated_by = updated_by
        self._recent.clear()
        self.on_change()
        return row

    def children(
        self, parent: FullName | str, securable_type: str | None = None
    ) -> list[SecurableRow]:
        with self.metastore.session() as s:
            query = select(SecurableRow).where(SecurableRow.parent_full_name == str(parent))
            if securable_type:
                query = query.where(SecurableRow.securable_type == securable_type)
            return list(s.scalars(query.order_by(SecurableRow.full_name)))

    def list_type(self, securable_type: str) -> list[SecurableRow]:
        with self.metastore.session() as s:
            query = select(SecurableRow).where(SecurableRow.securable_type == securable_type)
            return list(s.scalars(query.order_by(SecurableRow.full_name)))

    def delete_tree(self, full_name: FullName | str) -> None:
        name = str(full_name)
        with self.metastore.session() as s:
            s.execute(
                delete(SecurableRow).where(
                    (SecurableRow.full_name == name) | SecurableRow.full_name.startswith(name + ".")
                )
            )
        self._recent.clear()
        self.on_change()
