"""Principals (users, service principals, groups) and the personal access tokens that prove them.

A token is ``dapi`` + 32 random hex digits, shown once; the metastore keeps only its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets as _secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lakeai.core.clock import new_id, now_ms
from lakeai.core.metastore import Metastore
from lakeai.core.models import GrantRow, GroupMemberRow, PrincipalRow, SecretAclRow, TokenRow
from lakeai.core.ttlcache import TTLCache
from lakeai.errors import (
    InvalidParameterValue,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
    Unauthenticated,
)

KINDS = ("user", "service_principal", "group")
ALL_USERS_GROUP = "account users"
ADMINS_GROUP = "admins"


@dataclass(frozen=True)
class Principal:
    """Who is acting: the names grants can match are the principal's own and its groups'."""

    id: int
    name: str
    kind: str
    is_admin: bool = False
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def grant_names(self) -> frozenset[str]:
        return frozenset({self.name, ALL_USERS_GROUP, *self.groups})


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token_value() -> str:
    return "dapi" + _secrets.token_hex(16)


class PrincipalStore:
    """Reads and writes principal, group membership and token rows."""

    def __init__(self, metastore: Metastore) -> None:
        self.metastore = metastore
        self._auth: TTLCache[tuple[Principal, int]] = TTLCache()  # token hash -> (who, expiry)
        self._recent: TTLCache[Principal] = TTLCache()  # name -> principal (``principal_recent``)
        self.listeners: list[Callable[[], None]] = []  # told of any change (grant caches)

    def changed(self) -> None:
        """Forget cached authentications and tell listeners; called by every change below."""
        self._auth.clear()
        self._recent.clear()
        for listener in self.listeners:
            listener()

    # -- principals -----------------------------------------------------------------------
    def create(
        self,
        kind: str,
        name: str,
        *,
        display_name: str = "",
        is_admin: bool = False,
        external_id: str | None = None,
    ) -> PrincipalRow:
        if kind not in KINDS:
            raise InvalidParameterValue(f"Principal kind must be one of {', '.join(KINDS)}.")
        name = (name or "").strip()
        if not name or len(name) > 255:
            raise InvalidParameterValue("A principal needs a name of 1 to 255 characters.")
        with self.metastore.session() as s:
            if s.scalar(select(PrincipalRow.id).where(PrincipalRow.name == name)) is not None:
                raise ResourceAlreadyExists(f"Principal {name!r} already exists.")
            row = PrincipalRow(
                kind=kind,
                name=name,
                display_name=display_name or name,
                is_admin=is_admin,
                external_id=external_id,
                created_at=now_ms(),
            )
            s.add(row)
            s.flush()
            return row

    def get_row(self, s: Session, ident: int | str, kind: str | None = None) -> PrincipalRow:
        query = select(PrincipalRow)
        if isinstance(ident, int) or (isinstance(ident, str) and ident.isdigit()):
            query = query.where(PrincipalRow.id == int(ident))
        else:
            query = query.where(PrincipalRow.name == ident)
        if kind is not None:
            query = query.where(PrincipalRow.kind == kind)
        row = s.scalar(query)
        if row is None:
            what = (kind or "principal").replace("_", " ")
            raise ResourceDoesNotExist(f"No {what} {ident!r}.")
        return row

    def get(self, ident: int | str, kind: str | None = None) -> PrincipalRow:
        with self.metastore.session() as s:
            return self.get_row(s, ident, kind)

    def list(self, kind: str | None = None) -> list[PrincipalRow]:
        with self.metastore.session() as s:
            query = select(PrincipalRow).order_by(PrincipalRow.id)
            if kind is not None:
                query = query.where(PrincipalRow.kind == kind)
            return list(s.scalars(query))

    def update(self, ident: int | str, kind: str | None = None, **fields: object) -> PrincipalRow:
        with self.metastore.session() as s:
            row = self.get_row(s, ident, kind)
            for key, value in fields.items():
                if value is not None:
                    setattr(row, key, value)
        self.changed()
        return row

    def delete(self, ident: int | str, kind: str | None = None) -> None:
        with self.metastore.session() as s:
            row = self.get_row(s, ident, kind)
            s.execute(delete(TokenRow).where(TokenRow.principal_id == row.id))
            # A later principal of the same name must not inherit the deleted one's grants or ACLs.
            s.execute(delete(SecretAclRow).where(SecretAclRow.principal == row.name))
            s.execute(delete(GrantRow).where(GrantRow.principal == row.name))
            s.execute(
                delete(GroupMemberRow).where(
                    (GroupMemberRow.member_id == row.id) | (GroupMemberRow.group_id == row.id)
                )
            )
            s.delete(row)
        self.changed()

    def set_members(self, group: int | str, member_ids: list[int]) -> None:
        with self.metastore.session() as s:
            row = self.get_row(s, group, "group")
            s.execute(delete(GroupMemberRow).where(GroupMemberRow.group_id == row.id))
            for member_id in dict.fromkeys(member_ids):
                self.get_row(s, member_id)
                s.add(GroupMemberRow(group_id=row.id, member_id=member_id))
        self.changed()

    def add_members(self, group: int | str, member_ids: list[int]) -> None:
        """Add members to a group, keeping those already there (SCIM PatchOp ``add``)."""
        with self.metastore.session() as s:
            row = self.get_row(s, group, "group")
            have = set(
                s.scalars(select(GroupMemberRow.member_id).where(GroupMemberRow.group_id == row.id))
            )
            for member_id in dict.fromkeys(member_ids):
                if member_id == row.id:
                    raise InvalidParameterValue(f"Group {row.name!r} cannot contain itself.")
                self.get_row(s, member_id)
                if member_id not in have:
                    s.add(GroupMemberRow(group_id=row.id, member_id=member_id))
        self.changed()

    def remove_members(self, group: int | str, member_ids: list[int]) -> None:
        with self.metastore.session() as s:
            row = self.get_row(s, group, "group")
            s.execute(
                delete(GroupMemberRow).where(
                    (GroupMemberRow.group_id == row.id) & GroupMemberRow.member_id.in_(member_ids)
                )
            )
        self.changed()

    def direct_groups(self, principal_id: int) -> list[PrincipalRow]:
        """The groups a principal is a direct member of (SCIM's ``groups`` attribute)."""
        with self.metastore.session() as s:
            query = (
                select(PrincipalRow)
                .join(GroupMemberRow, GroupMemberRow.group_id == PrincipalRow.id)
                .where(GroupMemberRow.member_id == principal_id)
                .order_by(PrincipalRow.id)
            )
            return list(s.scalars(query))

    def members(self, group_id: int) -> list[PrincipalRow]:
        with self.metastore.session() as s:
            query = (
                select(PrincipalRow)
                .join(GroupMemberRow, GroupMemberRow.member_id == PrincipalRow.id)
                .where(GroupMemberRow.group_id == group_id)
            )
            return list(s.scalars(query))

    def groups_of(self, s: Session, principal_id: int) -> frozenset[str]:
        """Names of every group the principal belongs to, directly or through nested groups."""
        found: set[str] = set()
        frontier = {principal_id}
        seen: set[int] = set()
        while frontier:
            seen |= frontier
            rows = s.execute(
                select(PrincipalRow.id, PrincipalRow.name)
                .join(GroupMemberRow, GroupMemberRow.group_id == PrincipalRow.id)
                .where(GroupMemberRow.member_id.in_(frontier))
            ).all()
            found |= {name for _, name in rows}
            frontier = {gid for gid, _ in rows} - seen
        return frozenset(found)

    def principal(self, ident: int | str) -> Principal:
        with self.metastore.session() as s:
            return self._principal(s, self.get_row(s, ident))

    def principal_recent(self, name: str) -> Principal:
        """``principal`` for request hot paths that act as a stored name (an endpoint's owner):
        read at most every 2 s; this process's changes forget it at once (``changed``)."""
        found = self._recent.get(name)
        if found is None:
            found = self.principal(name)
            self._recent.put(name, found)
        return found

    def _principal(self, s: Session, row: PrincipalRow) -> Principal:
        groups = self.groups_of(s, row.id)
        return Principal(
            id=row.id,
            name=row.name,
            kind=row.kind,
            is_admin=row.is_admin or ADMINS_GROUP in groups,
            groups=groups,
        )

    # -- tokens ---------------------------------------------------------------------------
    def create_token(
        self,
        principal_id: int,
        *,
        comment: str = "",
        lifetime_seconds: int | None = None,
        created_by: str = "",
        value: str | None = None,
    ) -> tuple[str, TokenRow]:
        if lifetime_seconds is not None and lifetime_seconds < 0:
            raise InvalidParameterValue(
                "lifetime_seconds must be positive, or absent for no expiry."
            )
        value = value or new_token_value()
        created = now_ms()
        expiry = created + lifetime_seconds * 1000 if lifetime_seconds else -1
        with self.metastore.session() as s:
            self.get_row(s, principal_id)
            row = TokenRow(
                token_id=new_id().replace("-", ""),
                principal_id=principal_id,
                token_hash=hash_token(value),
                comment=comment or "",
                created_at=created,
                expiry_time=expiry,
                created_by=created_by,
            )
            s.add(row)
        return value, row

    def list_tokens(self, principal_id: int | None = None) -> list[TokenRow]:
        with self.metastore.session() as s:
            query = select(TokenRow).order_by(TokenRow.created_at)
            if principal_id is not None:
                query = query.where(TokenRow.principal_id == principal_id)
            return list(s.scalars(query))

    def get_token(self, token_id: str) -> TokenRow:
        with self.metastore.session() as s:
            row = s.get(TokenRow, token_id)
            if row is None:
                raise ResourceDoesNotExist(f"No token with id {token_id!r}.")
            return row

    def delete_token(self, token_id: str) -> None:
        with self.metastore.session() as s:
            row = s.get(TokenRow, token_id)
            if row is None:
                raise ResourceDoesNotExist(f"No token with id {token_id!r}.")
            s.delete(row)
        self.changed()

    def cached(self, token: str) -> Principal | None:
        """The principal of a recently proven, unexpired token, without touching the metastore."""
        cached = self._auth.get(hash_token(token)) if token else None
        if cached is not None and (cached[1] == -1 or cached[1] >= now_ms()):
            return cached[0]
        return None

    def authenticate(self, token: str) -> Principal:
        """The principal a bearer token proves; Unauthenticated for unknown, expired or inactive."""
        if not token:
            raise Unauthenticated("Missing token: send 'Authorization: Bearer <token>'.")
        cached = self.cached(token)
        if cached is not None:
            return cached
        token_hash = hash_token(token)
        with self.metastore.session() as s:
            found = s.execute(
                select(TokenRow, PrincipalRow)
                .join(PrincipalRow, PrincipalRow.id == TokenRow.principal_id)
                .where(TokenRow.token_hash == token_hash)
            ).first()
            if found is None:
                raise Unauthenticated("Invalid access token.")
            tok, row = found
            if tok.expiry_time != -1 and tok.expiry_time < now_ms():
                raise Unauthenticated("The access token has expired; create a new one.")
            if not row.active:
                raise Unauthenticated(f"Principal {row.name!r} is deactivated.")
            principal = self._principal(s, row)
        self._auth.put(token_hash, (principal, tok.expiry_time))
        return principal
