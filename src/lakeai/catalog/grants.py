"""Grant checks and grant changes, enforced by every service for every call.

Deny by default. A principal holds privilege P on securable X when it is an admin, owns X or
any securable above X, or P (or ALL_PRIVILEGES) was granted on X or above to it or one of its
groups. Reaching anything inside a catalog or schema also needs USE_CATALOG / USE_SCHEMA on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from lakeai.catalog.names import FullName, parse
from lakeai.catalog.privileges import GRANTABLE, Privilege, implies, parse_privilege
from lakeai.core.audit import AuditEvent, AuditLog
from lakeai.core.metastore import Metastore
from lakeai.core.models import GrantRow, PrincipalRow, SecurableRow
from lakeai.core.principals import ALL_USERS_GROUP, Principal
from lakeai.core.ttlcache import TTLCache
from lakeai.errors import InvalidParameterValue, PermissionDenied, ResourceDoesNotExist

METASTORE = "metastore"
_TYPE_BY_DEPTH = {1: "catalog", 2: "schema"}

# Securables kept outside the catalog's ``securables`` table (serving endpoints, ...): for each
# type, a lookup of an object's owner by name (None when it does not exist).
OwnerLookup = Callable[[Session, str], "str | None"]
OWNER_LOOKUPS: dict[str, OwnerLookup] = {}


def register_securable_type(securable_type: str, owner_of: OwnerLookup) -> None:
    """Let grants govern a securable type whose objects live in another metastore table."""
    OWNER_LOOKUPS[securable_type] = owner_of


class GrantService:
    def __init__(self, metastore: Metastore, audit: AuditLog) -> None:
        self.metastore = metastore
        self.audit = audit
        self._held: TTLCache[bool] = TTLCache()  # positive decisions only (see core.ttlcache)

    def invalidate(self) -> None:
        """Forget cached decisions after any change to grants, owners or memberships."""
        self._held.clear()

    # -- checks ---------------------------------------------------------------------------
    def _chain(self, securable_type: str, full_name: str) -> list[tuple[str, str]]:
        """(type, name) of the securable and everything above it, the metastore last."""
        if securable_type == METASTORE:
            return [(METASTORE, METASTORE)]
        if securable_type in OWNER_LOOKUPS:
            return [(securable_type, str(parse(full_name, securable_type))), (METASTORE, METASTORE)]
        name = parse(full_name, securable_type)
        chain = [(securable_type, str(name))]
        for above in name.ancestors()[1:]:
            chain.append((_TYPE_BY_DEPTH[len(above.parts)], str(above)))
        return [*chain, (METASTORE, METASTORE)]

    def holds(
        self, principal: Principal, privilege: Privilege, securable_type: str, full_name: str
    ) -> bool:
        if principal.is_admin:
            return True
        key = (principal, privilege, securable_type, full_name)
        if self._held.get(key):
            return True
        chain = self._chain(securable_type, full_name)
        who = principal.grant_names
        with self.metastore.session() as s:
            held = any(owner in who for owner in self._owners(s, chain))
            if not held:
                granted = s.execute(
                    select(GrantRow.privilege).where(
                        tuple_(GrantRow.securable_type, GrantRow.full_name).in_(chain),
                        GrantRow.principal.in_(who),
                    )
                ).scalars()
                held = any(implies(Privilege(g), privilege) for g in granted)
        if held:
            self._held.put(key, True)
        return held

    @staticmethod
    def _owners(s: Session, chain: list[tuple[str, str]]) -> list[str]:
        """Owners of every securable in the chain, wherever its type keeps them."""
        catalog_pairs = [(t, n) for t, n in chain if t not in OWNER_LOOKUPS and t != METASTORE]
        owners = (
            list(
                s.execute(
                    select(SecurableRow.owner).where(
                        tuple_(SecurableRow.securable_type, SecurableRow.full_name).in_(
                            catalog_pairs
                        )
                    )
                ).scalars()
            )
            if catalog_pairs
            else []
        )
        for stype, name in chain:
            if stype in OWNER_LOOKUPS:
                owner = OWNER_LOOKUPS[stype](s, name)
                if owner:
                    owners.append(owner)
        return owners

    def require(
        self,
        principal: Principal,
        privilege: Privilege,
        securable_type: str,
        full_name: str,
        *,
        action: str,
    ) -> None:
        """Check a privilege and the USE_* privileges on the containers; audit a denial."""
        needed: list[tuple[Privilege, str, str]] = []
        if securable_type != METASTORE:
            name = parse(full_name, securable_type)
            if len(name.parts) >= 2 or (
                securable_type == "catalog" and privilege != Privilege.USE_CATALOG
            ):
                needed.append((Privilege.USE_CATALOG, "catalog", name.catalog))
            if len(name.parts) >= 3 or (
                securable_type == "schema" and privilege != Privilege.USE_SCHEMA
            ):
                if len(name.parts) >= 2:
                    needed.append((Privilege.USE_SCHEMA, "schema", f"{name.catalog}.{name.schema}"))
        needed.append((privilege, securable_type, full_name))
        for wanted, stype, sname in needed:
            if not self.holds(principal, wanted, stype, sname):
                self.audit.record(
                    AuditEvent(principal.name, action, stype, sname, "DENIED", f"missing {wanted}")
                )
                where = "the metastore" if stype == METASTORE else f"{stype} {sname}"
                raise PermissionDenied(f"{principal.name} does not have {wanted.value} on {where}.")

    def can_manage(self, principal: Principal, securable_type: str, full_name: str) -> bool:
        return self.holds(principal, Privilege.MANAGE, securable_type, full_name)

    # -- reading and changing grants ------------------------------------------------------
    def _check_exists(self, securable_type: str, full_name: str) -> str:
        if securable_type == METASTORE:
            return METASTORE
        canonical = str(parse(full_name, securable_type))
        with self.metastore.session() as s:
            if securable_type in OWNER_LOOKUPS:
                if OWNER_LOOKUPS[securable_type](s, canonical) is None:
                    raise ResourceDoesNotExist(f"{securable_type} {full_name!r} does not exist.")
                return canonical
            found = s.scalar(
                select(SecurableRow.securable_type).where(SecurableRow.full_name == canonical)
            )
        if found != securable_type:
            raise ResourceDoesNotExist(
                f"{securable_type.capitalize()} {full_name!r} does not exist."
            )
        return canonical

    def get(
        self, principal: Principal, securable_type: str, full_name: str, *, only: str | None = None
    ) -> list[dict[str, Any]]:
        """Privilege assignments on one securable: ``[{"principal", "privileges"}]``."""
        securable_type = securable_type.lower()
        canonical = self._check_exists(securable_type, full_name)
        if securable_type != METASTORE and not self._visible(principal, securable_type, canonical):
            self.require(
                principal, Privilege.BROWSE, securable_type, canonical, action="getPermissions"
            )
        with self.metastore.session() as s:
            query = select(GrantRow).where(
                GrantRow.securable_type == securable_type, GrantRow.full_name == canonical
            )
            if only:
                query = query.where(GrantRow.principal == only)
            rows = list(s.scalars(query.order_by(GrantRow.principal, GrantRow.privilege)))
        by_principal: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            by_principal[row.principal].append(row.privilege)
        return [{"principal": p, "privileges": privs} for p, privs in by_principal.items()]

    def _visible(self, principal: Principal, securable_type: str, full_name: str) -> bool:
        """Anyone with any privilege on a securable (or above) may read its grants."""
        if principal.is_admin:
            return True
        chain = self._chain(securable_type, full_name)
        with self.metastore.session() as s:
            if any(o in principal.grant_names for o in self._owners(s, chain)):
                return True
            hit = s.scalar(
                select(GrantRow.id).where(
                    tuple_(GrantRow.securable_type, GrantRow.full_name).in_(chain),
                    GrantRow.principal.in_(principal.grant_names),
                )
            )
        return hit is not None

    def update(
        self,
        principal: Principal,
        securable_type: str,
        full_name: str,
        changes: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Apply ``[{"principal", "add": [...], "remove": [...]}]`` atomically; MANAGE required."""
        securable_type = securable_type.lower()
        canonical = self._check_exists(securable_type, full_name)
        self.require(
            principal, Privilege.MANAGE, securable_type, canonical, action="updatePermissions"
        )
        parsed = self._parse_changes(securable_type, changes)
        with self.metastore.session() as s:
            for grantee, add, remove in parsed:
                self._check_grantee(s, grantee)
                for priv in remove:
                    s.execute(
                        delete(GrantRow).where(
                            GrantRow.securable_type == securable_type,
                            GrantRow.full_name == canonical,
                            GrantRow.principal == grantee,
                            GrantRow.privilege == priv.value,
                        )
                    )
                existing = set(
                    s.scalars(
                        select(GrantRow.privilege).where(
                            GrantRow.full_name == canonical,
                            GrantRow.securable_type == securable_type,
                            GrantRow.principal == grantee,
                        )
                    )
                )
                for priv in add:
                    if priv.value not in existing:
                        s.add(
                            GrantRow(
                                securable_type=securable_type,
                                full_name=canonical,
                                principal=grantee,
                                privilege=priv.value,
                            )
                        )
        self.invalidate()
        summary = "; ".join(
            f"{g}: +{','.join(a) or '-'} -{','.join(r) or '-'}" for g, a, r in parsed
        )
        self.audit.record(
            AuditEvent(
                principal.name, "updatePermissions", securable_type, canonical, detail=summary
            )
        )
        return self.get(principal, securable_type, canonical)

    @staticmethod
    def _parse_changes(
        securable_type: str, changes: list[dict[str, Any]]
    ) -> list[tuple[str, list[Privilege], list[Privilege]]]:
        if not isinstance(changes, list) or not changes:
            raise InvalidParameterValue(
                "changes must be a non-empty list of {principal, add, remove}."
            )
        allowed = GRANTABLE[securable_type]
        parsed = []
        for change in changes:
            if not isinstance(change, dict) or not change.get("principal"):
                raise InvalidParameterValue("Each change needs a principal.")
            lists = []
            for key in ("add", "remove"):
                privs = [parse_privilege(p) for p in change.get(key) or []]
                bad = [p.value for p in privs if p not in allowed]
                if bad:
                    raise InvalidParameterValue(
                        f"{', '.join(bad)} cannot be granted on a {securable_type}; valid: "
                        f"{', '.join(sorted(p.value for p in allowed))}."
                    )
                lists.append(privs)
            parsed.append((str(change["principal"]), lists[0], lists[1]))
        return parsed

    @staticmethod
    def _check_grantee(s: Any, grantee: str) -> None:
        if grantee == ALL_USERS_GROUP:
            return
        if s.scalar(select(PrincipalRow.id).where(PrincipalRow.name == grantee)) is None:
            raise ResourceDoesNotExist(
                f"Principal {grantee!r} does not exist; create the user, service principal or group first."
            )

    def drop_all(self, full_name: FullName | str, securable_type: str | None = None) -> None:
        """Remove the grants on a securable and everything below it (when it is deleted)."""
        name = str(full_name)
        self.invalidate()
        with self.metastore.session() as s:
            if securable_type in OWNER_LOOKUPS:
                s.execute(
                    delete(GrantRow).where(
                        GrantRow.securable_type == securable_type, GrantRow.full_name == name
                    )
                )
                return
            s.execute(
                delete(GrantRow).where(
                    (GrantRow.full_name == name) | GrantRow.full_name.startswith(name + ".")
                )
            )
