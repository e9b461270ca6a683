"""MLflow's tracking server inside LakeAI's app: authenticated, per-workspace, governed.

MLflow's REST paths answer at the server root (where MLflow's clients look for them) and the
whole server, UI included, under ``/mlflow/``. Every call needs a LakeAI token (the MLflow
client sends ``MLFLOW_TRACKING_TOKEN`` as a bearer token); only the UI's bundled files do not.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from lakeai.errors import PermissionDenied, Unauthenticated
from lakeai.models.gate import RegistryGate
from lakeai.models.tracking import current_backend, mlflow_server_app

# MLflow's REST prefixes, served at the root. None overlaps LakeAI's own routes: the MLflow
# deployments API of the gateway lives at /api/2.0/endpoints.
API_PREFIXES = (
    "/api/2.0/mlflow",
    "/api/2.0/preview/mlflow",
    "/api/2.0/mlflow-artifacts",
    "/api/3.0/mlflow",
    "/ajax-api",
)
UI_PREFIX = "/mlflow"
# The UI's bundled files are public; its page and every call need a token. A browser has no
# bearer token, so under /mlflow/ HTTP Basic works too (any user name, the token as password):
# a 401 there asks the browser for it, which then sends it with each of the UI's requests.
_UI_PUBLIC_PREFIXES = ("/static-files/", "/build/")
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="LakeAI MLflow", charset="UTF-8"'}
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def basic_to_bearer(scope: dict) -> tuple[dict, bool]:
    """The scope with ``Authorization: Basic user:token`` as ``Bearer token``; whether it was."""
    headers = scope.get("headers", [])
    value = next((v for k, v in headers if k == b"authorization"), b"")
    if value[:6].lower() != b"basic ":
        return scope, False
    try:
        token = base64.b64decode(value[6:].strip(), validate=True).decode().partition(":")[2]
    except (ValueError, UnicodeDecodeError):
        return scope, False
    kept = [(k, v) for k, v in headers if k != b"authorization"]
    return {**scope, "headers": [*kept, (b"authorization", b"Bearer " + token.encode())]}, True


def refuse_cross_site(scope: dict) -> None:
    """Basic credentials are sent by browsers on any site's behalf: changes must be same-site."""
    if scope["method"] in _SAFE_METHODS:
        return
    headers = dict(scope.get("headers", []))
    origin = headers.get(b"origin", b"").decode("latin-1")
    host = headers.get(b"host", b"").decode("latin-1")
    cross = headers.get(b"sec-fetch-site", b"") == b"cross-site"
    if cross or (origin and urlsplit(origin).netloc != host):
        raise PermissionDenied("Cross-site requests may not change MLflow data.")


class MlflowEndpoint:
    """An ASGI endpoint forwarding to MLflow's app with the stores of the receiving app."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        services = scope["app"].state.services
        inner = scope["path"][len(self.prefix) :] or "/"
        principal = None
        if not (self.prefix and inner.startswith(_UI_PUBLIC_PREFIXES)):
            scope, principal = await self._authenticate(scope, receive, send)
            if principal is None:
                return
        app = mlflow_server_app(imported_only=True) or await run_in_threadpool(mlflow_server_app)
        backend = services.models.backend
        if not backend.opened:  # the first request creates MLflow's tables: seconds
            await run_in_threadpool(backend.stores)
        if self.prefix:
            scope = {**scope, "root_path": scope.get("root_path", "") + self.prefix}
        token = current_backend.set(backend)
        try:
            if principal is None:
                await app(scope, receive, send)
            else:
                await RegistryGate(services.models, principal)(app, scope, receive, send)
        finally:
            current_backend.reset(token)

    async def _authenticate(self, scope: dict, receive: Any, send: Any) -> tuple[dict, Any]:
        """(scope, principal); under the UI prefix a 401 is answered here, with a challenge."""
        from lakeai.server.deps import get_principal
        from lakeai.server.errors import error_response

        if not self.prefix:
            return scope, await get_principal(Request(scope, receive))
        scope, basic = basic_to_bearer(scope)
        try:
            principal = await get_principal(Request(scope, receive))
        except Unauthenticated as exc:
            response = error_response(exc.error_code, exc.message, 401, _CHALLENGE)
            await response(scope, receive, send)
            return scope, None
        if basic:
            refuse_cross_site(scope)
        return scope, principal


async def redirect_to_ui(request: Request) -> RedirectResponse:
    """``/mlflow`` -> ``/mlflow/``: the UI loads its files by relative paths."""
    return RedirectResponse(request.scope.get("root_path", "") + UI_PREFIX + "/", 307)
