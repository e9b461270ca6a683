"""Grants on MLflow's REST registry API: each call is checked, then MLflow's handler runs.

MLflow's server keeps versions and aliases; this gate decides who may call it, keeps the
catalog securable in step (created before ``registered-models/create``, dropped after
``registered-models/delete``), and hides from searches the models a caller may not see.
Every registry name must be three-level (``catalog.schema.model``); it is lower-cased before
MLflow sees it, as catalog names compare case-insensitively.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool

from lakeai.catalog.privileges import Privilege
from lakeai.core.principals import Principal
from lakeai.errors import InvalidParameterValue, NotImplementedFeature, PermissionDenied
from lakeai.models.names import parse_model_name

if TYPE_CHECKING:
    from lakeai.models.registry import ModelRegistryService

REGISTRY_PATH = re.compile(
    r"^(?:/(?:api|ajax-api)/2\.0/(?:preview/)?mlflow)?/(registered-models|model-versions)/"
    r"([\w:-]+)$"
)  # the bare form is the UI's /model-versions/get-artifact
# MLflow features that hold secrets, call out or run code on the server (its AI gateway,
# webhooks, jobs, scorers, the assistant): LakeAI's gateway and jobs do that, so only admins.
ADMIN_ONLY = re.compile(
    r"^(?:/(?:api|ajax-api)/[23]\.0/mlflow/(?:gateway|gateway-proxy|webhooks|jobs|scorers?|"
    r"prompt-optimization|demo|workspaces|assistant|secrets)(?:/|$)|/gateway/|/mcp)"
)
READ = {
    ("registered-models", "get"): None,  # visible to holders of any privilege
    ("registered-models", "get-latest-versions"): Privilege.EXECUTE,
    ("model-versions", "get"): Privilege.EXECUTE,
    ("model-versions", "get-download-uri"): Privilege.EXECUTE,
    ("model-versions", "get-artifact"): Privilege.EXECUTE,
}
SEARCH = {
    ("registered-models", "search"): "registered_models",
    ("model-versions", "search"): ("model_versions"),
}


@dataclass
class Buffered:
    """A whole response from MLflow's app, held so the gate can look at it first."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


async def call(app: Any, scope: dict, body: bytes) -> Buffered:
    """Run an ASGI app on a fully read request body and collect its response."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    out = Buffered(500, [], b"")
    chunks: list[bytes] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            out.status, out.headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    out.body = b"".join(chunks)
    return out


async def reply(send: Any, response: Buffered, body: bytes | None = None) -> None:
    content = response.body if body is None else body
    headers = [(k, v) for k, v in response.headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


class RegistryGate:
    """Checks one MLflow registry call against the catalog, then forwards it."""

    def __init__(self, models: ModelRegistryService, principal: Principal) -> None:
        self.models = models
        self.principal = principal

    async def __call__(self, app: Any, scope: dict, receive: Any, send: Any) -> None:
        path = scope["path"][len(scope.get("root_path", "")) :]
        if ADMIN_ONLY.match(path) and not self.principal.is_admin:
            raise PermissionDenied(
                "Only admins may use this MLflow server feature; use LakeAI's gateway and jobs."
            )
        match = REGISTRY_PATH.match(path)
        if match is None:
            await app(scope, receive, send)
            return
        kind, action = match.groups()
        body = await read_body(receive)
        if (kind, action) in SEARCH:
            await self._search(app, scope, body, send, SEARCH[kind, action])
            return
        scope, body, name = self._canonical(scope, body)
        await run_in_threadpool(self._check, kind, action, scope["method"], name)
        try:
            response = await call(app, scope, body)
        except BaseException:
            if (kind, action) == ("registered-models", "create"):  # no model, no securable
                await run_in_threadpool(self.models.drop_securable, parse_model_name(name))
            raise
        await run_in_threadpool(self._after, kind, action, scope["method"], name, response)
        await reply(send, response)

    # -- the name, from the query string or the JSON body ----------------------------------
    def _canonical(self, scope: dict, body: bytes) -> tuple[dict, bytes, str]:
        query = parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True)
        data: Any = None
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                raise InvalidParameterValue("The request body is not valid JSON.") from None
        raw = dict(query).get("name")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            raw = data["name"]
        if not raw:
            raise InvalidParameterValue("A registered model 'name' is required.")
        name = str(parse_model_name(raw))
        if isinstance(data, dict) and "name" in data:
            data["name"] = name
            body = json.dumps(data).encode()
        query = [(k, name if k == "name" else v) for k, v in query]
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        new_scope = {**scope, "query_string": urlencode(query).encode(), "headers": headers}
        return new_scope, body, name

    # -- checks before, bookkeeping after ------------------------------------------------
    def _check(self, kind: str, action: str, method: str, name: str) -> None:
        models, who = self.models, self.principal
        verb = f"mlflow.{kind}/{action}"
        if (kind, action) == ("registered-models", "create"):
            full = models.require_create(who, name)
            models.add_securable(who, full)
            return
        if (kind, action) == ("registered-models", "rename"):
            raise NotImplementedFeature("Renaming a catalog model is not supported.")
        read = (kind, action) in READ or (kind, action, method) == (
            "registered-models",
            "alias",
            "GET",
        )
        if not read:
            models.require(who, Privilege.MANAGE, name, action=verb)
            return
        wanted = READ.get((kind, action), Privilege.EXECUTE)
        if wanted is None:
            models.row(name)
            if models.may_see(who, name):
                return
            wanted = Privilege.EXECUTE
        models.require(who, wanted, name, action=verb)

    def _after(self, kind: str, action: str, method: str, name: str, response: Buffered) -> None:
        models, who = self.models, self.principal
        full = parse_model_name(name)
        if (kind, action) == ("registered-models", "create"):
            if response.status != 200 and b"RESOURCE_ALREADY_EXISTS" not in response.body:
                models.drop_securable(full)
            return
        if response.status != 200:
            return
        if (kind, action) == ("registered-models", "delete"):
            models.drop_securable(full)
        if method != "GET":
            models.audit(who, f"mlflow.{kind}/{action}", name)

    async def _search(self, app: Any, scope: dict, body: bytes, send: Any, key: str) -> None:
        response = await call(app, scope, body)
        if response.status != 200 or self.principal.is_admin:
            await reply(send, response)
            return
        data = response.json()
        items = data.get(key) or []
        data[key] = await run_in_threadpool(self._visible, items)
        await reply(send, response, json.dumps(data).encode())

    def _visible(self, items: list[dict]) -> list[dict]:
        kept = []
        for item in items:
            name = str(item.get("name", ""))
            if name.count(".") == 2 and self.models.may_see(self.principal, name):
                kept.append(item)
        return kept
