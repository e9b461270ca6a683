"""``lakeai.Workspace(path)``: every service in-process, acting as one principal.

``ws.catalogs.create("shop")``, ``ws.tables.read("main.shop.orders")``, ``ws.sql("SELECT 1")``:
the same methods, with the same names, as ``lakeai.connect(url, token)`` offers remotely.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pyarrow as pa

from lakeai.bootstrap import bootstrap
from lakeai.core.config import resolve_settings
from lakeai.core.platform import Platform
from lakeai.core.principals import Principal
from lakeai.services import Services


class BoundService:
    """A service whose methods act as one principal: ``bound.get(x)`` is ``service.get(p, x)``."""

    def __init__(self, service: Any, principal: Principal) -> None:
        self._service = service
        self._principal = principal

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._service, name)
        if name.startswith("_") or not callable(attr):
            raise AttributeError(name)
        return functools.partial(attr, self._principal)

    def __dir__(self) -> list[str]:
        return [n for n in dir(self._service) if not n.startswith("_")]


class Workspace:
    """A LakeAI workspace opened in this process.

    Acts as the workspace admin unless ``token`` (a personal access token) or ``as_principal``
    (a principal name) says otherwise; the admin is who owns the folder anyway.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        token: str | None = None,
        as_principal: str | None = None,
        **settings: Any,
    ) -> None:
        if path is not None:
            settings["workspace"] = str(path)
        self.platform = Platform(resolve_settings(**settings))
        self.bootstrap = bootstrap(self.platform)
        self.services = Services(self.platform)
        if token:
            self.principal = self.platform.principals.authenticate(token)
        elif as_principal:
            self.principal = self.platform.principals.principal(as_principal)
        else:
            self.principal = self.bootstrap.admin

    def as_principal(self, name: str) -> Workspace:
        """A view of the same workspace acting as another principal (for admins and tests)."""
        view = object.__new__(Workspace)
        view.__dict__.update(self.__dict__)
        view.principal = self.platform.principals.principal(name)
        return view

    def _bind(self, service: Any) -> Any:
        return BoundService(service, self.principal)

    @property
    def catalogs(self) -> Any:
        return self._bind(self.services.catalogs)

    @property
    def schemas(self) -> Any:
        return self._bind(self.services.schemas)

    @property
    def tables(self) -> Any:
        return self._bind(self.services.tables)

    @property
    def volumes(self) -> Any:
        return self._bind(self.services.volumes)

    @property
    def serving_endpoints(self) -> Any:
        return self._bind(self.services.serving_endpoints)

    @property
    def vector_search(self) -> Any:
        return self._bind(self.services.vector_search)

    @property
    def online_tables(self) -> Any:
        return self._bind(self.services.online_tables)

    @property
    def vector_search_endpoints(self) -> Any:
        return self._bind(self.services.vector_search.endpoints)

    @property
    def feature_specs(self) -> Any:
        return self._bind(self.services.feature_specs)

    @property
    def functions(self) -> Any:
        return self._bind(self.services.functions)

    @property
    def models(self) -> Any:
        return self._bind(self.services.models)

    @property
    def grants(self) -> Any:
        return self._bind(self.services.grants)

    @property
    def users(self) -> Any:
        return self._bind(self.services.users)

    @property
    def service_principals(self) -> Any:
        return self._bind(self.services.service_principals)

    @property
    def groups(self) -> Any:
        return self._bind(self.services.groups)

    @property
    def tokens(self) -> Any:
        return self._bind(self.services.tokens)

    @property
    def secrets(self) -> Any:
        return self._bind(self.services.secrets)

    def sql(self, statement: str) -> pa.Table:
        """Run one SQL statement (Databricks dialect) and return its result as Arrow."""
        return self.services.sql.execute(self.principal, statement)

    def close(self) -> None:
        self.services.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
