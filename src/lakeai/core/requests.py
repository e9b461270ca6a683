"""The id of the request being served, carried through services into audit rows."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("lakeai_request_id", default=None)


def current_request_id() -> str:
    """The server's request id, or a fresh one for an in-process call."""
    return request_id_var.get() or uuid.uuid4().hex
