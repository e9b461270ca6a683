"""The support-bot example: a shop's tables, return policies, features and a two-version chain.

``load(ws)`` builds it (see ``load.py``); ``SupportBot(ws, version).ask(question, customer_id)``
runs the chain in-process; ``chain.SupportBotModel`` is what the model registry holds.
"""

from __future__ import annotations

from lakeai.examples.support_bot.bot import SupportBot, decide
from lakeai.examples.support_bot.load import LoadResult, load

__all__ = ["LoadResult", "SupportBot", "decide", "load"]
