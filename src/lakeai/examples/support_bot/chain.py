"""The support bot as an MLflow pyfunc model: what ``main.support.bot`` versions 1 and 2 hold.

The model is only the version number and this class; everything it knows comes from LakeAI at
request time, through ``lakeai.connect(LAKEAI_HOST, LAKEAI_TOKEN)`` or
``lakeai.Workspace(LAKEAI_WORKSPACE)`` (the served entity's ``environment_vars``), so a new
policy document or a new order reaches the bot without a new model version.

Input: rows ``{"question", "customer_id"}`` (``dataframe_records``, a DataFrame or a list), or
a chat ``{"messages": [...], "customer_id": ...}``. Output: one dict per row (see
``SupportBot.ask``).
"""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc
import pandas as pd

from lakeai.examples.support_bot.bot import SupportBot, connect_from_env, requests_from


class SupportBotModel(mlflow.pyfunc.PythonModel):
    """``predict`` answers each request with one version of ``SupportBot``."""

    def __init__(self, version: int) -> None:
        self.version = version
        self._bot: SupportBot | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"version": self.version, "_bot": None}  # never pickle a live connection

    def load_context(self, context: Any) -> None:
        self._bot = None  # connect on the first request, in the serving process

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Rows arrive as a DataFrame from the scoring server; lists and dicts work too."""
        if self._bot is None:
            self._bot = SupportBot(connect_from_env(), self.version)
        return [self._bot.ask(q, c) for q, c in requests_from(model_input, params)]
