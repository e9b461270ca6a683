"""The app factory: services over a workspace, routers, error handlers, request ids."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from lakeai import __version__
from lakeai.bootstrap import BootstrapResult, bootstrap
from lakeai.core.config import resolve_settings
from lakeai.core.platform import Platform
from lakeai.core.requests import request_id_var
from lakeai.server.errors import install_error_handlers
from lakeai.services import Services

# One module per service under server/routers/, each exposing ``router``. The query paths
# come first: Starlette tries routes in order, and every route tried costs the hot path time
# (about 0.4 ms when the invocation routes came last of ~100).
ROUTERS = (
    "invocations",
    "feedback",
    "mlflow_gateway",
    "vector_search",
    "online_tables",
    "feature_store",
    "lakeai",
    "catalogs",
    "schemas",
    "tables",
    "volumes",
    "functions",
    "permissions",
    "table_data",
    "scim",
    "tokens",
    "secrets",
    "sql",
    "serving",
    "models",
)
UC_PREFIXES = ("/api/2.1/unity-catalog", "/api/2.0/unity-catalog")
UC_ROUTERS = {"catalogs", "schemas", "tables", "volumes", "functions", "permissions", "models"}


class RequestIdMiddleware:
    """Give every request an id (the caller's ``x-request-id`` or a new one) and echo it.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` costs ~0.3 ms per request,
    which the gateway's latency budget cannot spare.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = None
        for key, value in scope.get("headers", ()):
            if key == b"x-request-id":
                rid = value.decode("latin-1")
                break
        rid = rid or uuid.uuid4().hex
        token = request_id_var.set(rid)

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.services.start_background()
    yield
    app.state.services.close()  # graceful shutdown: background writers flush


def create_app(
    workspace: str | Path | None = None, *, platform: Platform | None = None, **settings: Any
) -> FastAPI:
    if platform is None:
        if workspace is not None:
            settings["workspace"] = str(workspace)
        platform = Platform(resolve_settings(**settings))
    result: BootstrapResult = bootstrap(platform)
    app = FastAPI(
        title="LakeAI",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    services = Services(platform)
    app.state.services = services
    app.state.bootstrap = result
    install_error_handlers(app)
    app.add_middleware(RequestIdMiddleware)

    for name in ROUTERS:
        module = importlib.import_module(f"lakeai.server.routers.{name}")
        prefixes = UC_PREFIXES if name in UC_ROUTERS else ("",)
        for prefix in prefixes:
            app.include_router(module.router, prefix=prefix)
        if hasattr(module, "unprefixed_router"):  # a UC router's non-UC paths (functions)
            app.include_router(module.unprefixed_router)
    return app
