"""The support-bot example: loaded once into a tmp workspace, then asked like a user would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lakeai.errors import InvalidParameterValue
from lakeai.examples import loader
from lakeai.examples.support_bot import SupportBot, data, decide, load
from lakeai.examples.support_bot.bot import INDEX, requests_from
from lakeai.examples.support_bot.load import docs_folder

QUESTION = "Please, I want to return my last order"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """One workspace with the example loaded (slow-ish: load once per module)."""
    from lakeai import Workspace

    ws = Workspace(tmp_path_factory.mktemp("support") / "ws")
    steps: list[tuple[str, str | None]] = []
    with pytest.MonkeyPatch.context() as env:
        env.delenv("OPENAI_API_KEY", raising=False)  # the offline chat model, always
        result = load(ws, progress=lambda step, detail: steps.append((step, detail)))
    assert [s for s, d in steps if d is None] == [s for s, d in steps if d is not None]
    yield ws, result
    ws.close()


def _minutes_since(when: datetime) -> float:
    return (datetime.now(UTC) - when).total_seconds() / 60


def test_tables_rows_and_c123s_last_order(loaded: tuple[Any, Any]) -> None:
    ws, result = loaded
    counts = ws.sql(
        "SELECT (SELECT count(*) FROM main.shop.customers) AS customers, "
        "(SELECT count(*) FROM main.shop.orders) AS orders, "
        "(SELECT count(*) FROM main.shop.last_orders) AS last_orders"
    ).to_pylist()[0]
    assert counts["customers"] == data.CUSTOMERS and counts["orders"] == data.ORDERS + 2
    assert 1500 < counts["last_orders"] <= data.CUSTOMERS
    assert ws.tables.primary_key("main.shop.orders") == ["order_id"]
    last = ws.sql(
        "SELECT order_id, status, main.shop.minutes_since(placed_at) AS minutes "
        "FROM main.shop.last_orders WHERE customer_id = 'C123'"
    ).to_pylist()[0]
    assert last["order_id"] == data.C123_LAST_ORDER_ID and last["status"] == "placed"
    assert last["minutes"] == pytest.approx(12 + _minutes_since(result.now), abs=0.2)


def test_the_index_answers_a_return_policy_question(loaded: tuple[Any, Any]) -> None:
    ws, _ = loaded
    found = ws.vector_search.query_index(
        INDEX,
        query_text="How many days do I have to return an item?",
        columns=["source_path", "text"],
    )
    source, text, _score = found["result"]["data_array"][0]
    assert source == "returns.md" and "within 30 days of delivery" in text
    pages = ws.sql("SELECT count(*) AS n FROM main.support.policy_chunks WHERE page = 2")
    assert pages.column("n")[0].as_py() == 1  # the PDF was ingested page by page


def test_feature_endpoint_gives_minutes_since_last_order(loaded: tuple[Any, Any]) -> None:
    ws, result = loaded
    body = {"dataframe_records": [{"customer_id": "C123"}, {"customer_id": "nobody"}]}
    c123, nobody = ws.serving_endpoints.query("customer-features", body)["outputs"]
    assert c123["last_order_id"] == data.C123_LAST_ORDER_ID
    expected = 12 + _minutes_since(result.now)
    assert c123["minutes_since_last_order"] == pytest.approx(expected, abs=0.2)
    assert nobody["last_order_id"] is None


def test_v2_offers_to_cancel_and_v1_only_answers(loaded: tuple[Any, Any]) -> None:
    ws, _ = loaded
    v2 = SupportBot(ws, 2).ask(QUESTION, "C123")
    assert (v2["action"], v2["order_id"]) == ("cancel_order", data.C123_LAST_ORDER_ID)
    assert "can still be cancelled" in v2["reply"] and v2["features"]["last_order_id"]
    assert any(c["source_path"].endswith(".md") for c in v2["chunks"])
    v1 = SupportBot(ws, 1).ask(QUESTION, "C123")
    assert (v1["action"], v1["order_id"], v1["features"]) == ("answer", None, None)
    assert v1["reply"].startswith("Based on the provided context")
    json.dumps(v2)  # what the served model returns must be JSON


PLACED = {"last_order_status": "placed", "minutes_since_last_order": 12}


@pytest.mark.parametrize(
    ("question", "features", "action", "order_id"),
    [
        (QUESTION, PLACED, "cancel_order", "O-1"),
        ("Cancel it, please", PLACED, "cancel_order", "O-1"),
        (QUESTION, {**PLACED, "minutes_since_last_order": 45}, "answer", "O-1"),
        (QUESTION, {"last_order_status": "delivered", "minutes_since_last_order": 7200}, "start_return", "O-1"),
        (QUESTION, {"last_order_status": "delivered", "minutes_since_last_order": 50000}, "answer", "O-1"),
        (QUESTION, {"last_order_status": "shipped", "minutes_since_last_order": 600}, "answer", "O-1"),
        ("How long does shipping take?", PLACED, "answer", None),
        ("Can I return a gift card?", PLACED, "answer", None),
    ],
)  # fmt: skip
def test_decide_is_the_policy(question: str, features: dict, action: str, order_id: str) -> None:
    order = {"last_order_id": "O-1", "last_order_items": "Scarf", "last_order_amount": 29.0}
    decision = decide(question, {**order, **features})
    assert (decision.action, decision.order_id) == (action, order_id)
    assert decide(question, None).action == "answer"


def test_requests_from_every_input_shape() -> None:
    row = {"question": "q", "customer_id": "C1"}
    chat = {"messages": [{"role": "user", "content": "q"}], "customer_id": "C1"}
    assert requests_from([row]) == requests_from(row) == requests_from(chat) == [("q", "C1")]
    assert requests_from([{"question": "q"}], {"customer_id": "C2"}) == [("q", "C2")]
    with pytest.raises(InvalidParameterValue, match="needs a question"):
        requests_from([{"customer_id": "C1"}])


def test_demo_ask_json(loaded: tuple[Any, Any]) -> None:
    from lakeai.cli.main import app

    ws, _ = loaded
    args = ["demo", "ask", QUESTION, "--customer", "C123", "--json"]
    result = CliRunner().invoke(app, [*args, "--workspace", str(ws.platform.root)])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["version"] in (1, 2) and answer["via"] == "support-bot"
    assert answer["served_by"] == f"bot-v{answer['version']}"
    expected = "cancel_order" if answer["version"] == 2 else "answer"
    assert answer["action"] == expected and answer["chunks"]
    human = CliRunner().invoke(app, [*args[:-1], "--workspace", str(ws.platform.root)])
    assert human.exit_code == 0 and "Retrieved chunks" in human.stdout


def test_the_endpoint_captures_each_question(loaded: tuple[Any, Any]) -> None:
    from lakeai.cli.demo import ask_bot

    ws, _ = loaded
    ws.services.inference_tables.start()  # the capture hook a server installs at start
    answers = [ask_bot(ws, QUESTION, "C123") for _ in range(2)]
    for answer in answers:
        action = "cancel_order" if answer["version"] == 2 else "answer"
        assert (answer["served_by"], answer["action"]) == (f"bot-v{answer['version']}", action)
    ws.services.inference_tables.writer.flush()
    rows = ws.tables.read("main.support.support_bot_payload").to_pylist()
    assert len(rows) >= 2 and all(r["status_code"] == 200 for r in rows)


def test_a_second_load_keeps_everything_and_is_quick(loaded: tuple[Any, Any]) -> None:
    ws, first = loaded
    again = load(ws)
    details = dict((s, d) for s, d, _ in again.steps)
    assert "kept" in details["tables"] and "0 chunk(s) written" in details["documents"]
    assert ws.sql("SELECT count(*) AS n FROM main.shop.orders").column("n")[0].as_py() == 6002
    assert sum(t for *_, t in again.steps) < sum(t for *_, t in first.steps)
    v2 = SupportBot(ws, 2).ask(QUESTION, "C123")
    assert v2["features"]["minutes_since_last_order"] == pytest.approx(
        12 + _minutes_since(again.now), abs=0.2
    )


def test_the_package_ships_the_documents() -> None:
    names = sorted(p.name for p in docs_folder().iterdir())
    assert "damaged-items-and-warranty.pdf" in names and len(names) >= 5
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert "examples/support_bot/docs/*" in pyproject
    with pytest.raises(InvalidParameterValue, match="support-bot"):
        loader("nope")


def test_a_model_that_writes_json_gets_the_action_schema(loaded: tuple[Any, Any]) -> None:
    from tests.fakes.scripted_chat import create_app
    from tests.fakes.server import serve

    ws, _ = loaded
    good = {"action": "cancel_order", "order_id": data.C123_LAST_ORDER_ID, "reply": "Cancel it?"}
    wrong = {**good, "action": "start_return", "reply": "Sending a label."}
    app = create_app({"good": [json.dumps(good)], "wrong": [json.dumps(wrong)]})
    with serve(app) as url:
        for model in ("good", "wrong"):
            external = {
                "provider": "openai-compatible",
                "name": model,
                "task": "llm/v1/chat",
                "openai_compatible_config": {"api_base": url + "/v1"},
            }
            entity = {"name": model, "external_model": external}
            ws.serving_endpoints.create(f"vendor-{model}", config={"served_entities": [entity]})
        answered = SupportBot(ws, 2, llm_endpoint="vendor-good").ask(QUESTION, "C123")
        overruled = SupportBot(ws, 2, llm_endpoint="vendor-wrong").ask(QUESTION, "C123")
    assert (answered["action"], answered["reply"]) == ("cancel_order", "Cancel it?")
    sent = app.state.requests[0]
    assert sent["response_format"]["json_schema"]["schema"]["required"] == [
        "action",
        "order_id",
        "reply",
    ]
    assert "'cancel_order'" in sent["messages"][1]["content"]  # the decision is in the prompt
    assert overruled["action"] == "cancel_order"  # the policy, not the model, decides
    assert overruled["reply"].endswith("Shall I cancel it?")


def test_an_openai_key_becomes_a_secret_reference(ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from lakeai.examples.support_bot.serving import support_llm_config

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    config, what = support_llm_config(ws)
    model = config["served_entities"][0]["external_model"]
    assert (model["provider"], model["name"]) == ("openai", "gpt-4o-mini")
    assert model["openai_config"] == {"openai_api_key": "{{secrets/support_bot/openai}}"}
    assert "sk-test" not in what and ws.secrets.list("support_bot")[0]["key"] == "openai"
    monkeypatch.delenv("OPENAI_API_KEY")
    assert support_llm_config(ws)[0]["served_entities"][0]["name"] == "extractive-chat"
