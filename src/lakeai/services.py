"""All services over one platform: what the server, the CLI and ``lakeai.Workspace`` share."""

from __future__ import annotations

from functools import cached_property

from lakeai.catalog.service import CatalogService, SchemaService
from lakeai.catalog.volumes import VolumeService
from lakeai.core.platform import Platform
from lakeai.tables.service import TableService


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

    @property
    def grants(self):  # noqa: ANN201 - the GrantService of the platform
        return self.platform.grants
