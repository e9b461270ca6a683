"""Feedback on served calls: ``POST /serving-endpoints/{name}/feedback``.

Body ``{"request_id": "<x-request-id of the call>", "rating": 1, "comment": "...", "label":
"..."}``; needs QUERY on the endpoint, whose inference table must be on. The row is queued like a
captured call and lands in ``{prefix}_feedback`` with the next commit; the answer names it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from lakeai.server.bodies import json_object
from lakeai.server.deps import PrincipalDep, ServicesDep

router = APIRouter(tags=["feedback"])


@router.post("/serving-endpoints/{name}/feedback")
async def feedback(name: str, request: Request, s: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return s.inference_tables.feedback(p, name, await json_object(request, drop_nulls=True))
