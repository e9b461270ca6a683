"""The support bot's logic: retrieve policy, look up the customer, decide, write the reply.

Version 1 is prompt + retrieval and always answers. Version 2 adds the customer's features and
an action: ``cancel_order`` when the last order is still placed and under 30 minutes old,
``start_return`` when it was delivered within 30 days, ``answer`` otherwise. The action is
decided here, in code, from the features, because a policy must hold whatever the model says
(and the offline ``extractive-chat`` cannot reason at all); the model writes the reply. A model
that can write JSON (any vendor model) is asked, through ``structured_call``, for the same
``{"action", "order_id", "reply"}`` object the bot returns, and its action is kept only when it
matches the decision.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lakeai.errors import InvalidParameterValue

INDEX = "main.support.policy_idx"
LLM_ENDPOINT = "support-llm"
FEATURE_ENDPOINT = "customer-features"
CANCEL_MINUTES = 30
RETURN_DAYS = 30
ACTIONS = ("cancel_order", "start_return", "answer")
REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": list(ACTIONS)},
        "order_id": {"type": ["string", "null"]},
        "reply": {"type": "string", "minLength": 1},
    },
    "required": ["action", "order_id", "reply"],
    "additionalProperties": False,
}
# "return/cancel" about the customer's own order: "return my last order", "cancel it"; not
# "can I return a gift card?", which is a policy question.
_VERB = re.compile(r"\b(return\w*|cancel\w*|send (it|them) back)\b", re.I)
_MINE = re.compile(r"\b(my|it|order|purchase)\b", re.I)


def connect_from_env() -> Any:
    """The LakeAI the chain talks to: ``LAKEAI_HOST``+``LAKEAI_TOKEN``, else ``LAKEAI_WORKSPACE``."""
    import lakeai

    host, token = os.environ.get("LAKEAI_HOST"), os.environ.get("LAKEAI_TOKEN")
    if host and token:
        return lakeai.connect(host, token)
    if os.environ.get("LAKEAI_WORKSPACE"):
        return lakeai.Workspace(os.environ["LAKEAI_WORKSPACE"])
    raise InvalidParameterValue(
        "The support bot needs LAKEAI_HOST and LAKEAI_TOKEN, or LAKEAI_WORKSPACE, in its "
        "environment (the served entity's environment_vars)."
    )


def requests_from(model_input: Any, params: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    """``(question, customer_id)`` pairs from any of the accepted input shapes."""
    if hasattr(model_input, "to_dict"):  # a pandas DataFrame
        model_input = model_input.to_dict(orient="records")
    if isinstance(model_input, dict):
        model_input = [model_input]
    pairs = []
    for row in model_input or []:
        customer = row.get("customer_id") or (params or {}).get("customer_id")
        question = row.get("question")
        if question is None and row.get("messages") is not None:
            users = [m for m in list(row["messages"]) if m.get("role") == "user"]
            question = users[-1].get("content") if users else None
        if not question:
            raise InvalidParameterValue(
                "Each support-bot request needs a question (or chat messages with a user turn)."
            )
        pairs.append((str(question), None if customer is None else str(customer)))
    return pairs


@dataclass(frozen=True)
class Decision:
    action: str
    order_id: str | None
    offer: str  # the sentence that states the action, '' for a plain answer


def decide(question: str, features: dict[str, Any] | None) -> Decision:
    """The policy, deterministically: same question and features, same action."""
    about_my_order = bool(_VERB.search(question) and _MINE.search(question))
    if not features or not features.get("last_order_id") or not about_my_order:
        return Decision("answer", None, "")
    order_id = str(features["last_order_id"])
    minutes = float(features.get("minutes_since_last_order") or 0.0)
    status = features.get("last_order_status")
    what = f"{features.get('last_order_items')}, {features.get('last_order_amount'):.2f} EUR"
    if status == "placed" and minutes < CANCEL_MINUTES:
        return Decision(
            "cancel_order",
            order_id,
            f"Your last order {order_id} ({what}) was placed {minutes:.0f} minutes ago, so it "
            "can still be cancelled free of charge instead of returned. Shall I cancel it?",
        )
    if status == "delivered" and minutes <= RETURN_DAYS * 24 * 60:
        days = int(minutes // (24 * 60))
        return Decision(
            "start_return",
            order_id,
            f"Your last order {order_id} ({what}) is {days} days old, within the "
            f"{RETURN_DAYS}-day return window. Shall I start a return and email you a label?",
        )
    return Decision("answer", order_id, "")


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


class SupportBot:
    """One version of the bot over one LakeAI client (``Workspace`` or ``connect``)."""

    def __init__(self, client: Any, version: int, *, llm_endpoint: str = LLM_ENDPOINT) -> None:
        self.client = client
        self.version = version
        self.llm_endpoint = llm_endpoint
        self._structured: bool | None = None

    def retrieve(self, question: str, k: int = 3) -> list[dict[str, Any]]:
        columns = ["source_path", "section", "page", "text"]
        found = self.client.vector_search.query_index(
            INDEX, query_text=question, columns=columns, num_results=k, query_type="HYBRID"
        )
        names = [c["name"] for c in found["manifest"]["columns"]]
        return [dict(zip(names, row, strict=True)) for row in found["result"]["data_array"]]

    def features(self, customer_id: str) -> dict[str, Any] | None:
        body = {"dataframe_records": [{"customer_id": customer_id}]}
        outputs = self.client.serving_endpoints.query(FEATURE_ENDPOINT, body)["outputs"]
        row = jsonable(outputs[0]) if outputs else None
        return row if row and row.get("last_order_id") else None

    def structured(self) -> bool:
        if self._structured is None:
            from lakeai.serving.structured import follows_schemas

            self._structured = follows_schemas(self.client, self.llm_endpoint)
        return self._structured

    def ask(self, question: str, customer_id: str | None) -> dict[str, Any]:
        chunks = self.retrieve(question)
        features = self.features(customer_id) if self.version >= 2 and customer_id else None
        decision = decide(question, features) if self.version >= 2 else Decision("answer", None, "")
        reply = self._reply(question, chunks, features, decision)
        return {
            "version": self.version,
            "customer_id": customer_id,
            "action": decision.action,
            "order_id": decision.order_id,
            "reply": reply,
            "chunks": chunks,
            "features": features,
        }

    def _reply(
        self, question: str, chunks: list[dict], features: dict | None, decision: Decision
    ) -> str:
        context = "\n\n".join(str(c["text"]) for c in chunks)
        if not self.structured():  # a quoting model: policy text as context, nothing else
            messages = [
                {"role": "system", "content": context},
                {"role": "user", "content": question},
            ]
            answer = self.client.serving_endpoints.query(self.llm_endpoint, {"messages": messages})
            text = answer["choices"][0]["message"]["content"]
            return f"{decision.offer} {text}".strip()
        return self._structured_reply(question, context, features, decision)

    def _structured_reply(
        self, question: str, context: str, features: dict | None, decision: Decision
    ) -> str:
        from lakeai.serving.structured import StructuredResult, structured_call

        facts = f"\nThe customer's last order: {features}" if features else ""
        system = (
            "You are the support assistant of an online shop. Answer only from these policy "
            f"excerpts:\n{context}{facts}\nThe action is {decision.action!r} with order_id "
            f"{decision.order_id!r}; write a short, friendly reply that offers it. {decision.offer}"
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": question}]
        result = structured_call(self.client, [self.llm_endpoint], messages, REPLY_SCHEMA)
        if isinstance(result, StructuredResult) and result.value["action"] == decision.action:
            return str(result.value["reply"])
        return decision.offer or "Sorry, I could not write an answer just now; please ask again."
