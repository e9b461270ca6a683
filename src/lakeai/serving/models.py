"""Pydantic shapes of serving endpoint configs, field for field Databricks' serving API.

Request bodies are lenient (unknown keys ignored, ``null`` as absent); what we store and
answer is the normalised form.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lakeai.gateway.schemas import TASKS


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore")

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, mode="json")


class ExternalModel(BaseModel):
    """A vendor (or built-in) model; its ``<provider>_config`` travels in the extra fields."""

    model_config = ConfigDict(extra="allow")
    provider: str
    name: str
    task: str

    @field_validator("task")
    @classmethod
    def _task(cls, value: str) -> str:
        if value not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}")
        return value

    def provider_config(self, config_key: str) -> dict[str, Any]:
        extra = self.model_extra or {}
        return dict(extra.get(config_key) or {})

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, mode="json")


class ServedEntity(_Shape):
    name: str | None = None
    entity_name: str | None = None
    entity_version: str | None = None
    external_model: ExternalModel | None = None
    workload_size: str | None = None
    scale_to_zero_enabled: bool | None = None
    environment_vars: dict[str, str] | None = None
    # LakeAI extension: worker processes of a served model version (default: serving_model_workers)
    workers: int | None = None


class Route(_Shape):
    served_entity_name: str | None = None
    served_model_name: str | None = None
    traffic_percentage: int = Field(ge=0, le=100)

    @property
    def target(self) -> str:
        return self.served_entity_name or self.served_model_name or ""


class TrafficConfig(_Shape):
    routes: list[Route] = []
    # LakeAI extensions: route by a hash of this request field's value (same value, same entity),
    # and copy a share of the requests to other entities whose answers are recorded, not returned
    sticky_field: str | None = None
    shadow_routes: list[Route] | None = None


class AutoCaptureConfig(_Shape):
    catalog_name: str | None = None
    schema_name: str | None = None
    table_name_prefix: str | None = None
    enabled: bool | None = None


class EndpointConfig(_Shape):
    served_entities: list[ServedEntity] = []
    served_models: list[dict[str, Any]] | None = None
    traffic_config: TrafficConfig | None = None
    auto_capture_config: AutoCaptureConfig | None = None

    @model_validator(mode="after")
    def _legacy_served_models(self) -> EndpointConfig:
        if self.served_models and not self.served_entities:
            self.served_entities = [
                ServedEntity(
                    name=m.get("name"),
                    entity_name=m.get("model_name"),
                    entity_version=str(m.get("model_version")) if m.get("model_version") else None,
                    workload_size=m.get("workload_size"),
                    scale_to_zero_enabled=m.get("scale_to_zero_enabled"),
                )
                for m in self.served_models
            ]
        self.served_models = None
        return self


class Enabled(_Shape):
    enabled: bool = False


class InferenceTableConfig(_Shape):
    catalog_name: str | None = None
    schema_name: str | None = None
    table_name_prefix: str | None = None
    enabled: bool | None = None


class AiGatewayConfig(_Shape):
    rate_limits: list[dict[str, Any]] | None = None  # checked by gateway.ratelimit.RateLimitRule
    usage_tracking_config: Enabled | None = None
    guardrails: dict[str, Any] | None = None
    inference_table_config: InferenceTableConfig | None = None
    fallback_config: Enabled | None = None


class Tag(_Shape):
    key: str
    value: str | None = None
