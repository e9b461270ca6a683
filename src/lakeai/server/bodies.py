"""Reading a JSON object body by hand, for routes that take bodies on GET/DELETE or pass them on.

Databricks clients send ``null`` for unset fields and bodies on GET and DELETE; FastAPI's body
models cover the ordinary cases, this covers the rest with the same errors.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from lakeai.errors import InvalidParameterValue, MalformedRequest


async def json_object(request: Request, *, drop_nulls: bool = False) -> dict[str, Any]:
    """The body as a dict (``{}`` when empty); 400 when it is not a JSON object."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise MalformedRequest("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidParameterValue("The request body must be a JSON object.")
    if drop_nulls:
        return {k: v for k, v in body.items() if v is not None}
    return body
