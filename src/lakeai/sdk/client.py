"""``RemoteWorkspace``: ``lakeai.Workspace``'s attributes and methods, spoken over REST.

One ``httpx.Client`` per workspace (a context manager closes it). The acting principal is
whoever the token proves, so there is no ``as_principal`` here: connect with another token.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import pyarrow as pa

from lakeai.sdk.catalog import RemoteCatalogs, RemoteGrants, RemoteSchemas, RemoteVolumes
from lakeai.sdk.features import RemoteFeatureSpecs, RemoteOnlineTables
from lakeai.sdk.functions import RemoteFunctions
from lakeai.sdk.http import Transport
from lakeai.sdk.identity import RemoteGroups, RemoteServicePrincipals, RemoteTokens, RemoteUsers
from lakeai.sdk.models import RemoteModels
from lakeai.sdk.secrets import RemoteSecrets
from lakeai.sdk.serving import RemoteServingEndpoints
from lakeai.sdk.tables import RemoteTables
from lakeai.sdk.vectorsearch import RemoteVectorSearch, RemoteVectorSearchEndpoints


class RemoteWorkspace:
    """A LakeAI server as a workspace: ``ws.tables.read(...)``, ``ws.sql(...)``, ..."""

    def __init__(self, url: str, token: str, **transport: Any) -> None:
        self.url = url.rstrip("/")
        self._http = Transport(self.url, token, **transport)

    @cached_property
    def catalogs(self) -> RemoteCatalogs:
        return RemoteCatalogs(self._http)

    @cached_property
    def schemas(self) -> RemoteSchemas:
        return RemoteSchemas(self._http)

    @cached_property
    def tables(self) -> RemoteTables:
        return RemoteTables(self._http)

    @cached_property
    def volumes(self) -> RemoteVolumes:
        return RemoteVolumes(self._http)

    @cached_property
    def grants(self) -> RemoteGrants:
        return RemoteGrants(self._http)

    @cached_property
    def users(self) -> RemoteUsers:
        return RemoteUsers(self._http)

    @cached_property
    def service_principals(self) -> RemoteServicePrincipals:
        return RemoteServicePrincipals(self._http)

    @cached_property
    def groups(self) -> RemoteGroups:
        return RemoteGroups(self._http)

    @cached_property
    def tokens(self) -> RemoteTokens:
        return RemoteTokens(self._http)

    @cached_property
    def secrets(self) -> RemoteSecrets:
        return RemoteSecrets(self._http)

    @cached_property
    def serving_endpoints(self) -> RemoteServingEndpoints:
        return RemoteServingEndpoints(self._http)

    @cached_property
    def vector_search(self) -> RemoteVectorSearch:
        return RemoteVectorSearch(self._http)

    @cached_property
    def vector_search_endpoints(self) -> RemoteVectorSearchEndpoints:
        return self.vector_search.endpoints

    @cached_property
    def functions(self) -> RemoteFunctions:
        return RemoteFunctions(self._http)

    @cached_property
    def online_tables(self) -> RemoteOnlineTables:
        return RemoteOnlineTables(self._http)

    @cached_property
    def feature_specs(self) -> RemoteFeatureSpecs:
        return RemoteFeatureSpecs(self._http)

    @cached_property
    def models(self) -> RemoteModels:
        return RemoteModels(self._http, self.url)

    def sql(self, statement: str) -> pa.Table:
        """Run one SQL statement on the server and return its result as typed Arrow."""
        from lakeai.sdk.sql import execute

        return execute(self._http, statement)

    def health(self) -> dict[str, Any]:
        return self._http.get("/api/2.0/lakeai/health")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RemoteWorkspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RemoteWorkspace({self.url!r})"
