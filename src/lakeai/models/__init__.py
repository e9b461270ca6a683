"""Models: MLflow's tracking server and registry inside LakeAI, under catalog names."""

from lakeai.models.registry import ModelRegistryService, ResolvedModel

__all__ = ["ModelRegistryService", "ResolvedModel"]
