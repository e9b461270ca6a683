"""Unity Catalog privileges: which exist, where they apply, and what implies what."""

from __future__ import annotations

from enum import StrEnum


class Privilege(StrEnum):
    CREATE_CATALOG = "CREATE_CATALOG"
    USE_CATALOG = "USE_CATALOG"
    USE_SCHEMA = "USE_SCHEMA"
    CREATE_SCHEMA = "CREATE_SCHEMA"
    CREATE_TABLE = "CREATE_TABLE"
    CREATE_VOLUME = "CREATE_VOLUME"
    CREATE_FUNCTION = "CREATE_FUNCTION"
    CREATE_MODEL = "CREATE_MODEL"
    SELECT = "SELECT"
    MODIFY = "MODIFY"
    EXECUTE = "EXECUTE"
    QUERY = "QUERY"
    READ_VOLUME = "READ_VOLUME"
    WRITE_VOLUME = "WRITE_VOLUME"
    BROWSE = "BROWSE"
    ALL_PRIVILEGES = "ALL_PRIVILEGES"
    MANAGE = "MANAGE"


_P = Privilege
_CONTAINER = {
    _P.USE_SCHEMA,
    _P.CREATE_TABLE,
    _P.CREATE_VOLUME,
    _P.CREATE_FUNCTION,
    _P.CREATE_MODEL,
    _P.SELECT,
    _P.MODIFY,
    _P.EXECUTE,
    _P.READ_VOLUME,
    _P.WRITE_VOLUME,
    _P.BROWSE,
    _P.ALL_PRIVILEGES,
    _P.MANAGE,
}

# Which privileges may be granted on which securable type.
GRANTABLE: dict[str, frozenset[Privilege]] = {
    "metastore": frozenset({_P.CREATE_CATALOG, _P.MANAGE}),
    "catalog": frozenset(_CONTAINER | {_P.USE_CATALOG, _P.CREATE_SCHEMA}),
    "schema": frozenset(_CONTAINER),
    "table": frozenset({_P.SELECT, _P.MODIFY, _P.ALL_PRIVILEGES, _P.MANAGE, _P.BROWSE}),
    "volume": frozenset({_P.READ_VOLUME, _P.WRITE_VOLUME, _P.ALL_PRIVILEGES, _P.MANAGE}),
    "function": frozenset({_P.EXECUTE, _P.ALL_PRIVILEGES, _P.MANAGE}),
    "model": frozenset({_P.EXECUTE, _P.ALL_PRIVILEGES, _P.MANAGE}),
    "serving_endpoint": frozenset({_P.QUERY, _P.ALL_PRIVILEGES, _P.MANAGE}),
    "vector_index": frozenset({_P.SELECT, _P.MODIFY, _P.ALL_PRIVILEGES, _P.MANAGE}),
    "online_table": frozenset({_P.SELECT, _P.MODIFY, _P.ALL_PRIVILEGES, _P.MANAGE}),
}


def parse_privilege(value: str) -> Privilege:
    try:
        return Privilege(str(value).upper().replace(" ", "_"))
    except ValueError:
        from lakeai.errors import InvalidParameterValue

        valid = ", ".join(p.value for p in Privilege)
        raise InvalidParameterValue(f"Unknown privilege {value!r}; valid: {valid}.") from None


def implies(held: Privilege, wanted: Privilege) -> bool:
    """ALL_PRIVILEGES implies every privilege but MANAGE; MANAGE only itself."""
    if held == wanted:
        return True
    return held == _P.ALL_PRIVILEGES and wanted != _P.MANAGE
