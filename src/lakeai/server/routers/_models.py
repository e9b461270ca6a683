"""Request-body base: unknown keys ignored, ``null`` treated as absent (Databricks clients send both)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")
