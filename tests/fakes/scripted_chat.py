"""An OpenAI-compatible chat server that answers from a script, for structured-output tests.

``create_app({"model-a": ["not json", '{"ok": true}']})`` answers model-a's first call with
``not json`` and its second with the JSON; past the end of its script a model repeats its last
reply. Every request body is kept in ``app.state.requests`` so a test can read what was sent.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request


def create_app(script: dict[str, list[str]]) -> FastAPI:
    app = FastAPI(title="fake-scripted-chat")
    app.state.requests = []
    calls: dict[str, int] = {}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> dict[str, Any]:
        body = await request.json()
        app.state.requests.append(body)
        model = body.get("model", "")
        replies = script.get(model) or [""]
        index = calls.get(model, 0)
        calls[model] = index + 1
        content = replies[min(index, len(replies) - 1)]
        return {
            "id": f"chatcmpl-{model}-{index}",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
        }

    return app
