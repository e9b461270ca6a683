"""``RemoteWorkspace`` offers ``Workspace``'s methods with the same parameters.

Methods with no REST route yet are listed in ``NOT_REMOTE`` (a declared gap, like ibis'
``notimpl``); the test fails when one appears on either side without this list changing.
"""

from __future__ import annotations

import inspect

import pytest

from lakeai.sdk.client import RemoteWorkspace
from lakeai.services import Services

SERVICES = (
    "catalogs",
    "schemas",
    "tables",
    "volumes",
    "grants",
    "users",
    "service_principals",
    "groups",
    "tokens",
    "secrets",
    "serving_endpoints",
    "vector_search",
    "vector_search_endpoints",
    "functions",
    "online_tables",
    "feature_specs",
    "models",
)
# Workspace attributes whose service is not a ``Services`` attribute of the same name.
LOCAL = {"vector_search_endpoints": lambda services: services.vector_search.endpoints}
NOT_REMOTE = {
    "tables": {"dataset", "merge_clauses"},
    "grants": {
        "holds",
        "require",
        "can_manage",
        "drop_all",
        "owned_names",
        "metastore",
        "audit",
        "invalidate",
    },
    "users": {"update", "patch", "kind", "label", "audit_name", "store", "p"},
    "service_principals": {"update", "patch", "kind", "label", "audit_name", "store", "p"},
    "groups": {"update", "patch", "kind", "label", "audit_name", "store", "p"},
    "tokens": {"list_all", "get", "store", "p"},
    "secrets": {"resolve", "resolve_bytes", "refuse_read", "permission_of", "cipher"},
    # async and server-side helpers; remotely ``query_stream`` yields the chunks instead;
    # served_model_logs has no REST route yet (.../served-models/{served}/logs)
    "serving_endpoints": {
        "snapshot",
        "aquery",
        "aquery_stream",
        "close",
        "start",
        "served_model_logs",
    },
    # server-side: the embedding function, starting continuous pipelines, closing stores
    "vector_search": {"embedder", "start", "close"},
    # server-side: a parsed definition for the SQL engine, the Python worker pool, closing it
    "functions": {"resolve", "run_python", "close"},
    # server-side: sync listeners, starting continuous pipelines, closing stores
    "online_tables": {"add_listener", "start", "close"},
    # server-side: internal shapes (TableRef, SpecDef) for serving and training, not REST data
    "feature_specs": {"table", "load", "validate"},
    # logging and loading go through MLflow's own client remotely; the rest is the REST gate's
    "models": {
        "log_pyfunc",
        "resolve",
        "row",
        "require",
        "require_create",
        "may_see",
        "add_securable",
        "drop_securable",
        "audit",
        "close",
    },
}


def _public(obj: object) -> dict[str, inspect.Signature]:
    found = {}
    for name in dir(obj):
        attr = getattr(type(obj), name, None)
        if name.startswith("_") or not callable(attr) or isinstance(attr, type):
            continue
        found[name] = inspect.signature(attr)
    return found


def _params(sig: inspect.Signature, drop: int) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in list(sig.parameters.values())[drop:]]


@pytest.mark.parametrize("name", SERVICES)
def test_same_methods_and_parameters(ws, name: str) -> None:
    local = _public(LOCAL.get(name, lambda s: getattr(s, name))(ws.services))
    remote = _public(getattr(RemoteWorkspace("http://x", "t"), name))
    gaps = NOT_REMOTE.get(name, set())
    assert set(local) - gaps - set(remote) == set(), "in-process methods missing remotely"
    for method, sig in local.items():
        if method in remote:
            local_params = _params(sig, 2)  # self, principal
            remote_params = _params(remote[method], 1)  # self
            assert remote_params == local_params, (name, method)


def test_services_has_what_the_workspace_binds() -> None:
    assert all(hasattr(Services, n) for n in SERVICES if n not in LOCAL)


# Services with no remote client yet: declared here so a new in-process service cannot
# silently skip this check.
NOT_REMOTE_SERVICES: set[str] = set()


def test_every_workspace_service_is_checked_or_declared():
    from lakeai.workspace import Workspace

    services = {n for n, v in vars(Workspace).items() if isinstance(v, property)}
    assert services - set(SERVICES) - NOT_REMOTE_SERVICES == set()
    assert services >= NOT_REMOTE_SERVICES
