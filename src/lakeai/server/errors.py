"""The one place errors become HTTP responses: Databricks' ``{"error_code", "message"}`` JSON."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lakeai.errors import LakeAIError, RetryableError

log = logging.getLogger("lakeai.server")


OPENAI_PREFIX = "/v1/"


def error_response(
    error_code: str, message: str, status: int, headers: dict | None = None, *, path: str = ""
) -> JSONResponse:
    """Databricks' error JSON; on the OpenAI paths (/v1/...) OpenAI's, which its clients parse."""
    if path.startswith(OPENAI_PREFIX):
        body: dict = {"error": {"message": message, "type": error_code.lower(), "code": error_code}}
        return JSONResponse(body, status_code=status, headers=headers)
    return JSONResponse(
        {"error_code": error_code, "message": message}, status_code=status, headers=headers
    )


def _validation_message(exc: RequestValidationError) -> tuple[str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return "MALFORMED_REQUEST", "The request body is not valid JSON."
    parts = []
    for err in errors[:5]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    return "INVALID_PARAMETER_VALUE", "Invalid request: " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LakeAIError)
    async def _lakeai(request: Request, exc: LakeAIError) -> JSONResponse:
        headers = None
        if isinstance(exc, RetryableError) and exc.retry_after_seconds is not None:
            headers = {"Retry-After": str(max(1, round(exc.retry_after_seconds)))}
        if exc.http_status >= 500:
            log.error("%s: %s", exc.error_code, exc.message)
        return error_response(
            exc.error_code, exc.message, exc.http_status, headers, path=request.url.path
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, message = _validation_message(exc)
        return error_response(code, message, 400, path=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return error_response("ENDPOINT_NOT_FOUND", "No API at this path.", 404)
        if exc.status_code == 405:
            return error_response("BAD_REQUEST", "This path does not take that HTTP method.", 405)
        return error_response("BAD_REQUEST", str(exc.detail), exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # A bug, not a user's mistake: log it with its traceback, answer without one.
        log.exception("internal error")
        return error_response("INTERNAL_ERROR", "Internal error; see the server log.", 500)
