"""LakeAI's own service paths: health and version."""

from __future__ import annotations

from fastapi import APIRouter

from lakeai import __version__

router = APIRouter(tags=["lakeai"])


@router.get("/api/2.0/lakeai/health")
def health() -> dict[str, str]:
    return {"status": "OK"}


@router.get("/api/2.0/lakeai/version")
def version() -> dict[str, str]:
    return {"version": __version__}
