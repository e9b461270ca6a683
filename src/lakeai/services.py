"""All services over one platform: what the server, the CLI and ``lakeai.Workspace`` share."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from lakeai.catalog.grants import GrantService
from lakeai.catalog.service import CatalogService, SchemaService
from lakeai.catalog.volumes import VolumeService
from lakeai.core.platform import Platform
from lakeai.identity import GroupService, ServicePrincipalService, TokenService, UserService
from lakeai.secrets import SecretService
from lakeai.tables.service import TableService

if TYPE_CHECKING:
    from lakeai.features.online_service import OnlineTableService
    from lakeai.features.specs import FeatureSpecService
    from lakeai.functions.service import FunctionService
    from lakeai.models.registry import ModelRegistryService
    from lakeai.serving.inference_tables import InferenceTableService
    from lakeai.serving.service import EndpointService
    from lakeai.sql.service import SqlService
    from lakeai.vectorsearch.service import VectorSearchService


class Services:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    @cached_property
    def catalogs(self) -> CatalogService:
        return CatalogService(self.platform)

    @cached_property
    def schemas(self) -> SchemaService:
        return SchemaService(self.platform)

    @cached_property
    def tables(self) -> TableService:
        return TableService(self.platform)

    @cached_property
    def volumes(self) -> VolumeService:
        return VolumeService(self.platform)

    @cached_property
    def users(self) -> UserService:
        return UserService(self.platform)

    @cached_property
    def service_principals(self) -> ServicePrincipalService:
        return ServicePrincipalService(self.platform)

    @cached_property
    def groups(self) -> GroupService:
        return GroupService(self.platform)

    @cached_property
    def tokens(self) -> TokenService:
        return TokenService(self.platform)

    @cached_property
    def secrets(self) -> SecretService:
        return SecretService(self.platform)

    @cached_property
    def serving_endpoints(self) -> EndpointService:
        from lakeai.serving.service import EndpointService

        return EndpointService(self)

    @cached_property
    def inference_tables(self) -> InferenceTableService:
        from lakeai.serving.inference_tables import InferenceTableService

        return InferenceTableService(self)

    @cached_property
    def vector_search(self) -> VectorSearchService:
        from lakeai.vectorsearch.service import VectorSearchService

        return VectorSearchService(self)

    @cached_property
    def online_tables(self) -> OnlineTableService:
        from lakeai.features.online_service import OnlineTableService

        return OnlineTableService(self)

    @cached_property
    def feature_specs(self) -> FeatureSpecService:
        from lakeai.features.specs import FeatureSpecService

        return FeatureSpecService(self)

    @cached_property
    def functions(self) -> FunctionService:
        from lakeai.functions.service import FunctionService

        return FunctionService(self)

    @cached_property
    def sql(self) -> SqlService:
        from lakeai.sql.service import SqlService

        return SqlService(self)

    @cached_property
    def models(self) -> ModelRegistryService:
        from lakeai.models.registry import ModelRegistryService

        return ModelRegistryService(self)

    @property
    def grants(self) -> GrantService:
        return self.platform.grants

    def start_background(self) -> None:
        """Start the workers a server runs: continuous pipelines of existing indexes, model
        serving workers."""
        self.vector_search.start()
        self.online_tables.start()
        self.inference_tables.start()  # the capture hook, after a crash's replay
        self.serving_endpoints.start()  # warm served model versions' workers

    def close(self) -> None:
        """Stop background workers, flush what writers hold, then release the platform."""
        if "vector_search" in self.__dict__:
            self.vector_search.close()
        if "online_tables" in self.__dict__:
            self.online_tables.close()
        if "inference_tables" in self.__dict__:
            self.inference_tables.close()  # flushes captured calls while tables can be written
        if "serving_endpoints" in self.__dict__:
            self.serving_endpoints.close()
        if "functions" in self.__dict__:
            self.functions.close()
        if "models" in self.__dict__:
            self.models.close()
        self.platform.close()
