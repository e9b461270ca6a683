"""ModelRegistryService: MLflow models under three-level catalog names, governed by grants.

MLflow's own stores hold runs, versions, aliases and artifacts; LakeAI's metastore holds the
registered model as a catalog securable (type ``model``: owner, comment, grants). Creating a
model needs CREATE_MODEL on its schema, loading or serving it EXECUTE, changing it (new
versions, aliases, comments) MANAGE; owners and admins pass; the schema and catalog need
USE_SCHEMA / USE_CATALOG as usual. Every change and denial is audited.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lakeai.catalog.names import FullName
from lakeai.catalog.privileges import Privilege
from lakeai.core.audit import AuditEvent
from lakeai.core.models import SecurableRow
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from lakeai.models.artifacts import ModelFiles
from lakeai.models.names import (
    SECURABLE,
    parse_model_name,
    parse_version,
    split_reference,
    validate_alias,
)
from lakeai.models.responses import alias_info, model_info, version_info
from lakeai.models.tracking import MlflowBackend, StoreUris, mlflow_errors

if TYPE_CHECKING:
    from lakeai.services import Services


@dataclass(frozen=True)
class ResolvedModel:
    """A registered model version on local disk, ready for ``mlflow.pyfunc.load_model``."""

    full_name: str
    version: int
    local_path: str  # a directory holding the MLmodel file


class ModelRegistryService:
    """Registered models and versions; every call takes the acting principal."""

    def __init__(self, services: Services) -> None:
        self.s = services
        self.p = services.platform
        self.uris = StoreUris.of(self.p)
        self.backend = MlflowBackend(self.uris)
        self.files = ModelFiles(self.backend, self.p.root / "mlflow" / "cache")

    # -- where MLflow keeps things -------------------------------------------------------
    @property
    def tracking_uri(self) -> str:
        """The backend store URI for ``mlflow.set_tracking_uri`` in this process."""
        return self.uris.backend_store_uri

    @property
    def registry_uri(self) -> str:
        """The model registry store URI (the tracking store unless configured apart)."""
        return self.uris.registry_store_uri

    def close(self) -> None:
        self.backend.close()

    # -- governance, shared with the MLflow REST gate ------------------------------------
    def row(self, full_name: str | FullName) -> SecurableRow:
        return self.p.securables.get(SECURABLE, parse_model_name(str(full_name)))

    def require(
        self, principal: Principal, privilege: Privilege, full_name: str, *, action: str
    ) -> FullName:
        """The parsed name, once the model exists and the principal holds ``privilege``."""
        full = parse_model_name(full_name)
        self.row(full)
        self.p.grants.require(principal, privilege, SECURABLE, str(full), action=action)
        return full

    def may_see(self, principal: Principal, full_name: str) -> bool:
        """Whether the principal holds any privilege on the model, and USE on its schema."""
        grants = self.p.grants
        return any(
            grants.holds(principal, priv, SECURABLE, full_name)
            for priv in (Privilege.EXECUTE, Privilege.MANAGE, Privilege.BROWSE)
        ) and grants.holds(principal, Privilege.USE_SCHEMA, "schema", full_name.rsplit(".", 1)[0])

    def require_create(self, principal: Principal, full_name: str) -> FullName:
        """Check that ``full_name`` is free and CREATE_MODEL is held on its schema."""
        full = parse_model_name(full_name)
        schema = f"{full.catalog}.{full.schema}"
        self.p.securables.get("catalog", full.catalog)
        self.p.securables.get("schema", schema)
        if self.p.securables.find(full) is not None:  # first: MLflow's clients expect this
            raise ResourceAlreadyExists(f"Registered model '{full}' already exists.")
        self.p.grants.require(
            principal, Privilege.CREATE_MODEL, "schema", schema, action="createRegisteredModel"
        )
        return full

    def add_securable(
        self, principal: Principal, full: FullName, comment: str | None = None
    ) -> SecurableRow:
        row = self.p.securables.insert(SECURABLE, full, owner=principal.name, comment=comment)
        self.audit(principal, "createRegisteredModel", str(full))
        return row

    def drop_securable(self, full: FullName) -> None:
        self.p.securables.delete_tree(full)
        self.p.grants.drop_all(full)

    def audit(
        self, principal: Principal, action: str, name: str, detail: str | None = None
    ) -> None:
        self.p.audit.record(AuditEvent(principal.name, action, SECURABLE, name, detail=detail))

    # -- registered models ---------------------------------------------------------------
    def create(
        self, principal: Principal, full_name: str, *, comment: str | None = None
    ) -> dict[str, Any]:
        """Create a registered model (CREATE_MODEL on the schema); a RegisteredModelInfo dict."""
        full = self.require_create(principal, full_name)
        row = self.add_securable(principal, full, comment)
        try:
            with mlflow_errors():
                self.backend.registry_store.create_registered_model(str(full), description=comment)
        except ResourceAlreadyExists:
            pass  # left in MLflow's store by an earlier failure: the new securable adopts it
        except Exception:
            self.drop_securable(full)
            raise
        return model_info(row, {})

    def _aliases(self, name: str) -> dict[str, int]:
        with mlflow_errors():
            return {
                a: int(v)
                for a, v in self.backend.registry_store.get_registered_model(name).aliases.items()
            }

    def get(
        self, principal: Principal, full_name: str, *, include_aliases: bool = True
    ) -> dict[str, Any]:
        """One registered model as RegisteredModelInfo (visible to holders of any privilege)."""
        full = parse_model_name(full_name)
        row = self.row(full)
        if not self.may_see(principal, str(full)):
            self.p.grants.require(
                principal, Privilege.EXECUTE, SECURABLE, str(full), action="getRegisteredModel"
            )
        return model_info(row, self._aliases(str(full)) if include_aliases else None)

    def list(
        self,
        principal: Principal,
        *,
        catalog_name: str | None = None,
        schema_name: str | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """Registered models the principal may see, optionally within a catalog or schema."""
        if schema_name and not catalog_name:
            raise InvalidParameterValue("schema_name needs catalog_name.")
        prefix = ".".join(p.lower() for p in (catalog_name, schema_name) if p)
        rows = self.p.securables.list_type(SECURABLE)
        return [
            model_info(r, None)
            for r in rows
            if (not prefix or r.full_name.startswith(prefix + "."))
            and self.may_see(principal, r.full_name)
        ]

    def update(
        self,
        principal: Principal,
        full_name: str,
        *,
        comment: str | None = None,
        owner: str | None = None,
    ) -> dict[str, Any]:
        """Change comment or owner (MANAGE)."""
        full = self.require(principal, Privilege.MANAGE, full_name, action="updateRegisteredModel")
        if owner is not None:
            self.p.principals.get(owner)
        if comment is not None:
            with mlflow_errors():
                self.backend.registry_store.update_registered_model(str(full), comment)
        row = self.p.securables.update(
            self.row(full).id, principal.name, comment=comment, owner=owner
        )
        self.audit(principal, "updateRegisteredModel", str(full), "owner" if owner else None)
        return model_info(row, self._aliases(str(full)))

    def delete(self, principal: Principal, full_name: str) -> None:
        """Delete the model, its versions and aliases (MANAGE)."""
        full = self.require(principal, Privilege.MANAGE, full_name, action="deleteRegisteredModel")
        try:
            with mlflow_errors():
                self.backend.registry_store.delete_registered_model(str(full))
        except ResourceDoesNotExist:
            pass
        self.drop_securable(full)
        self.files.forget(str(full))
        self.audit(principal, "deleteRegisteredModel", str(full))

    # -- versions --------------------------------------------------------------------------
    def log_pyfunc(
        self,
        principal: Principal,
        full_name: str,
        python_model: Any,
        *,
        artifacts: dict[str, str] | None = None,
        code_paths: builtins.list[str] | None = None,
        pip_requirements: builtins.list[str] | None = None,
        signature: Any = None,
        input_example: Any = None,
        description: str | None = None,
    ) -> int:
        """Log a pyfunc model in a new run and register it as the next version; its number.

        Creates the registered model (and its securable) when missing, which needs
        CREATE_MODEL on the schema; adding a version to an existing model needs MANAGE.
        """
        full = parse_model_name(full_name)
        if self.p.securables.find(full) is None:
            self.create(principal, str(full))
        else:
            self.require(principal, Privilege.MANAGE, str(full), action="createModelVersion")
        run_id, source = self.files.log_run(
            principal.name,
            str(full),
            python_model,
            artifacts=artifacts,
            code_paths=code_paths,
            pip_requirements=pip_requirements,
            signature=signature,
            input_example=input_example,
        )
        with mlflow_errors():
            mv = self.backend.registry_store.create_model_version(
                str(full), source, run_id=run_id, description=description
            )
        self.audit(principal, "createModelVersion", str(full), f"version {mv.version}")
        return int(mv.version)

    def _version(self, full: FullName, version: int) -> Any:
        with mlflow_errors():
            return self.backend.registry_store.get_model_version(str(full), str(version))

    def get_version(
        self, principal: Principal, full_name: str, version: int | str
    ) -> dict[str, Any]:
        """One version as ModelVersionInfo (EXECUTE)."""
        full = self.require(principal, Privilege.EXECUTE, full_name, action="getModelVersion")
        mv = self._version(full, parse_version(version))
        return version_info(str(full), mv, self._download_uri(full, int(mv.version)))

    def _download_uri(self, full: FullName, version: int) -> str:
        """Where the version's files are: its storage location, else its source."""
        with mlflow_errors():
            return self.backend.registry_store.get_model_version_download_uri(
                str(full), str(version)
            )

    def list_versions(self, principal: Principal, full_name: str) -> builtins.list[dict[str, Any]]:
        """Every version of a model, newest first, as ModelVersionInfo dicts (EXECUTE)."""
        full = self.require(principal, Privilege.EXECUTE, full_name, action="listModelVersions")
        with mlflow_errors():
            found = self.backend.registry_store.search_model_versions(
                f"name = '{full}'", max_results=10_000
            )
        items = [version_info(str(full), mv) for mv in found]
        return sorted(items, key=lambda v: v["version"], reverse=True)

    def update_version(
        self,
        principal: Principal,
        full_name: str,
        version: int | str,
        *,
        comment: str | None = None,
    ) -> dict[str, Any]:
        """Change a version's comment (MANAGE)."""
        full = self.require(principal, Privilege.MANAGE, full_name, action="updateModelVersion")
        number = parse_version(version)
        with mlflow_errors():
            mv = self.backend.registry_store.update_model_version(
                str(full), str(number), comment or ""
            )
        self.audit(principal, "updateModelVersion", str(full), f"version {number}")
        return version_info(str(full), mv)

    def delete_version(self, principal: Principal, full_name: str, version: int | str) -> None:
        """Delete one version (MANAGE)."""
        full = self.require(principal, Privilege.MANAGE, full_name, action="deleteModelVersion")
        number = parse_version(version)
        with mlflow_errors():
            self.backend.registry_store.delete_model_version(str(full), str(number))
        self.files.forget(str(full), number)
        self.audit(principal, "deleteModelVersion", str(full), f"version {number}")

    # -- aliases ---------------------------------------------------------------------------
    def set_alias(
        self, principal: Principal, full_name: str, alias: str, version: int
    ) -> dict[str, Any]:
        """Point ``alias`` (e.g. ``champion``) at a version (MANAGE); a RegisteredModelAlias."""
        full = self.require(
            principal, Privilege.MANAGE, full_name, action="setRegisteredModelAlias"
        )
        validate_alias(alias)
        number = parse_version(version)
        with mlflow_errors():
            self.backend.registry_store.set_registered_model_alias(str(full), alias, str(number))
        self.audit(principal, "setRegisteredModelAlias", str(full), f"{alias} -> {number}")
        return alias_info(str(full), alias, number)

    def delete_alias(self, principal: Principal, full_name: str, alias: str) -> None:
        """Remove an alias (MANAGE)."""
        full = self.require(
            principal, Privilege.MANAGE, full_name, action="deleteRegisteredModelAlias"
        )
        validate_alias(alias)
        if alias not in self._aliases(str(full)):
            raise ResourceDoesNotExist(f"Registered model '{full}' has no alias '{alias}'.")
        with mlflow_errors():
            self.backend.registry_store.delete_registered_model_alias(str(full), alias)
        self.audit(principal, "deleteRegisteredModelAlias", str(full), alias)

    def get_by_alias(self, principal: Principal, full_name: str, alias: str) -> dict[str, Any]:
        """The version an alias points at, as ModelVersionInfo (EXECUTE)."""
        full = self.require(principal, Privilege.EXECUTE, full_name, action="getModelVersion")
        return version_info(str(full), self._by_alias(full, validate_alias(alias)))

    def _by_alias(self, full: FullName, alias: str) -> Any:
        if alias not in self._aliases(str(full)):  # MLflow calls this a bad parameter
            raise ResourceDoesNotExist(f"Registered model '{full}' has no alias '{alias}'.")
        with mlflow_errors():
            return self.backend.registry_store.get_model_version_by_alias(str(full), alias)

    # -- loading ---------------------------------------------------------------------------
    def resolve(self, principal: Principal, full_name: str, version_or_alias: str) -> ResolvedModel:
        """A version (``"3"``) or alias (``"champion"``) on local disk, checking EXECUTE.

        Artifacts are downloaded once into the workspace's model cache; the directory can be
        loaded with ``mlflow.pyfunc.load_model(local_path)`` in any process on this machine.
        """
        full = self.require(principal, Privilege.EXECUTE, full_name, action="loadModel")
        ref = split_reference(version_or_alias)
        mv = self._version(full, ref) if isinstance(ref, int) else self._by_alias(full, ref)
        number = int(mv.version)
        local = self.files.local_path(str(full), number, self._download_uri(full, number))
        self.audit(principal, "loadModel", str(full), f"version {number}")
        return ResolvedModel(str(full), number, local)
