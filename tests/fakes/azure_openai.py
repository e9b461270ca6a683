"""A fake of an Azure OpenAI resource (``/openai/deployments/{deployment}/...?api-version=``).

It stands in for Azure OpenAI, which the tests cannot reach from here: the ``api-key`` header,
a required ``api-version`` query parameter, the deployment in the path (the body carries no
model), and Azure's error body ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.fakes._openai_like import Dialect, add_routes


def azure_error(status: int, message: str, _kind: str) -> dict[str, Any]:
    if status == 401:
        message = (
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
            "provide a valid key for an active subscription and use a correct regional API "
            f"endpoint for your resource. (key {message.rsplit(' ', 1)[-1]})"
        )
    return {"error": {"code": str(status), "message": message}}


def create_app(key: str, deployment: str = "gpt-4o-deploy") -> FastAPI:
    app = FastAPI(title="fake-azure-openai")

    @app.middleware("http")
    async def api_version(request: Request, call_next: Any) -> Any:
        if not request.query_params.get("api-version"):
            body = {"error": {"code": "404", "message": "Resource not found"}}
            return JSONResponse(body, 404)
        return await call_next(request)

    def model_of(request: Request, body: dict[str, Any]) -> str:
        assert "model" not in body, "Azure names the deployment in the URL"
        return request.path_params.get("deployment", deployment)

    dialect = Dialect(key, lambda r: r.headers.get("api-key"), azure_error)
    add_routes(app, dialect, "/openai/deployments/{deployment}", model_of)
    return app
