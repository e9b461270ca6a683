"""Example workspaces that ``lakeai examples load NAME`` builds (``make run`` loads support-bot).

Each example is built only through the public APIs (``lakeai.Workspace`` / ``lakeai.connect``),
so its code doubles as a worked example of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from lakeai.errors import InvalidParameterValue

# example name -> module whose ``load(ws, *, progress=None)`` builds it
EXAMPLES: dict[str, str] = {"support-bot": "lakeai.examples.support_bot"}


def loader(name: str) -> Callable[..., Any]:
    """The ``load`` function of an example, by name."""
    if name not in EXAMPLES:
        raise InvalidParameterValue(
            f"Unknown example {name!r}; valid: {', '.join(sorted(EXAMPLES))}."
        )
    return importlib.import_module(EXAMPLES[name]).load
