"""Request dependencies: the services of the app and the principal a bearer token proves."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, Unauthenticated
from lakeai.services import Services


async def get_services(request: Request) -> Services:
    return request.app.state.services


async def get_principal(request: Request) -> Principal:
    """The caller; async so a request with a recently seen token never leaves the event loop."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthenticated("Missing credentials: send 'Authorization: Bearer <token>'.")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "Unsupported authorization scheme; use 'Authorization: Bearer <token>'."
        )
    principals = request.app.state.services.platform.principals
    token = token.strip()
    cached = principals.cached(token)
    if cached is not None:
        return cached
    return await run_in_threadpool(principals.authenticate, token)


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]

DEFAULT_PAGE_SIZE = 1000


def paginate(
    items: list[Any], key: str, max_results: int | None, page_token: str | None
) -> dict[str, Any]:
    """A UC-style page: ``{key: [...], "next_page_token"?}``; max_results 0 means the default."""
    if max_results is not None and max_results < 0:
        raise InvalidParameterValue("max_results must be 0 or more.")
    size = max_results or DEFAULT_PAGE_SIZE
    try:
        start = int(page_token) if page_token else 0
    except ValueError:
        raise InvalidParameterValue("Invalid page_token.") from None
    page = items[start : start + size]
    body: dict[str, Any] = {key: [i.as_dict() if hasattr(i, "as_dict") else i for i in page]}
    if start + size < len(items):
        body["next_page_token"] = str(start + size)
    return body
