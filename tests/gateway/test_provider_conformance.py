"""One conformance suite for every registered vendor provider, each against its local fake.

ibis-style: a task a provider does not declare in ``capabilities`` is still run, marked
``xfail(strict=True, raises=InvalidParameterValue)``, so a declared gap must fail cleanly and
a provider that grows the feature must update its declaration.
"""

from __future__ import annotations

from typing import Any

import pytest

from lakeai.errors import (
    InvalidParameterValue,
    PermissionDenied,
    RequestLimitExceeded,
    TemporarilyUnavailable,
)
from lakeai.gateway.providers.base import load_providers, provider_class
from tests.fakes._common import EMBEDDING_DIM, tokens, vector
from tests.fakes.server import free_port
from tests.gateway.vendor_cases import CASES, call, collect

CHAT = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hello there"},
    ]
}
EXPECTED = "You said: hello there"


def _params(capability: str | None = None) -> list[Any]:
    params = []
    for name in CASES:
        marks = []
        if capability and not getattr(provider_class(name).capabilities, capability):
            marks = [
                pytest.mark.xfail(
                    strict=True,
                    raises=InvalidParameterValue,
                    reason=f"declared gap: no {capability}",
                )
            ]
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def _chat(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


def _no_leak(case_name: str, exc: BaseException) -> None:
    for secret in CASES[case_name].leaks():
        assert secret not in str(exc)


def test_every_vendor_provider_has_a_case() -> None:
    vendors = {
        n for n, c in load_providers().items() if not c.__module__.endswith("lakeai_builtin")
    }
    assert vendors == set(CASES)


@pytest.mark.parametrize("name", _params())
def test_declaration(name: str) -> None:
    cls = provider_class(name)
    assert cls.name == name and cls.config_key.endswith("_config")
    assert cls.capabilities.chat and cls.secret_fields and cls.base_url_fields
    assert set(cls.required_fields) <= set(cls.secret_fields) | set(cls.optional_fields) | set(
        cls.required_fields
    )


@pytest.mark.parametrize("name", _params("chat"))
def test_chat_shape_and_usage(name: str, fake_urls: dict[str, str]) -> None:
    case = CASES[name]
    out = call(case, fake_urls[name], lambda p: p.chat(dict(CHAT)))
    assert out["object"] == "chat.completion" and out["model"] == case.chat_model
    assert out["id"] and isinstance(out["created"], int)
    choice = out["choices"][0]
    assert choice["message"] == {"role": "assistant", "content": EXPECTED}
    assert choice["finish_reason"] == "stop"
    used = out["usage"]
    assert used["completion_tokens"] == tokens(EXPECTED)
    assert used["prompt_tokens"] >= tokens("hello there")
    assert used["total_tokens"] == used["prompt_tokens"] + used["completion_tokens"]


@pytest.mark.parametrize("name", _params("streaming"))
def test_stream_matches_chat_and_ends_with_usage(name: str, fake_urls: dict[str, str]) -> None:
    case = CASES[name]
    chunks = call(case, fake_urls[name], lambda p: collect(p, dict(CHAT)))
    assert all(
        c["object"] == "chat.completion.chunk" and c["model"] == case.chat_model for c in chunks
    )
    assert len({c["id"] for c in chunks}) == 1
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    assert text == EXPECTED
    last = chunks[-1]
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["usage"]["completion_tokens"] == tokens(EXPECTED)
    assert last["usage"]["prompt_tokens"] >= tokens("hello there")
    assert all("usage" not in c for c in chunks[:-1])


@pytest.mark.parametrize("name", _params("embeddings"))
def test_embeddings_one_vector_per_input(name: str, fake_urls: dict[str, str]) -> None:
    case = CASES[name]
    inputs = ["alpha", "beta gamma"]
    out = call(
        case, fake_urls[name], lambda p: p.embeddings({"input": inputs}), model=case.embed_model
    )
    assert out["object"] == "list" and out["model"] == case.embed_model
    assert [d["index"] for d in out["data"]] == [0, 1]
    assert [d["embedding"] for d in out["data"]] == [vector(t) for t in inputs]
    assert all(len(d["embedding"]) == EMBEDDING_DIM for d in out["data"])
    expected = 3 if case.embed_usage else 0  # Gemini's batchEmbedContents reports no counts
    assert out["usage"] == {"prompt_tokens": expected, "total_tokens": expected}


@pytest.mark.parametrize("name", _params("completions"))
def test_completions(name: str, fake_urls: dict[str, str]) -> None:
    case = CASES[name]
    out = call(case, fake_urls[name], lambda p: p.completions({"prompt": ["one", "two words"]}))
    assert out["object"] == "text_completion" and out["model"] == case.chat_model
    assert [c["text"] for c in out["choices"]] == ["You said: one", "You said: two words"]
    assert out["usage"]["prompt_tokens"] == 3 and out["usage"]["completion_tokens"] == 7


@pytest.mark.parametrize("name", _params())
@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
def test_rate_limit_carries_retry_after(name: str, stream: bool, fake_urls: dict[str, str]) -> None:
    op = (
        (lambda p: collect(p, _chat("FAIL 429")))
        if stream
        else (lambda p: p.chat(_chat("FAIL 429")))
    )
    with pytest.raises(RequestLimitExceeded) as caught:
        call(CASES[name], fake_urls[name], op)
    assert caught.value.retry_after_seconds == 7.0
    _no_leak(name, caught.value)


@pytest.mark.parametrize("name", _params())
def test_server_error_is_temporarily_unavailable(name: str, fake_urls: dict[str, str]) -> None:
    with pytest.raises(TemporarilyUnavailable) as caught:
        call(CASES[name], fake_urls[name], lambda p: p.chat(_chat("FAIL 500")))
    assert not isinstance(caught.value, RequestLimitExceeded)
    _no_leak(name, caught.value)


@pytest.mark.parametrize("name", _params())
def test_unreachable_port_is_temporarily_unavailable(name: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TemporarilyUnavailable) as caught:
        call(CASES[name], url, lambda p: p.chat(_chat("hi")))
    _no_leak(name, caught.value)


@pytest.mark.parametrize("name", _params())
def test_slow_vendor_times_out(name: str, fake_urls: dict[str, str]) -> None:
    with pytest.raises(TemporarilyUnavailable, match="timed out"):
        call(CASES[name], fake_urls[name], lambda p: p.chat(_chat("SLOW")), timeout=0.2)


@pytest.mark.parametrize("name", _params())
@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
def test_wrong_key_is_permission_denied_without_the_key(
    name: str, stream: bool, fake_urls: dict[str, str]
) -> None:
    case = CASES[name]
    op = (lambda p: collect(p, _chat("hi"))) if stream else (lambda p: p.chat(_chat("hi")))
    with pytest.raises(PermissionDenied) as caught:
        call(case, fake_urls[name], op, secrets=case.wrong_secrets)
    _no_leak(name, caught.value)
    assert "127.0.0.1" not in str(caught.value)


def _valid_config(name: str) -> dict[str, Any]:
    return CASES[name].config("https://vendor.example.com")


@pytest.mark.parametrize("name", _params())
def test_validate_config_accepts_the_case_config(name: str) -> None:
    cls = provider_class(name)
    assert cls.validate_config(_valid_config(name))


@pytest.mark.parametrize("name", _params())
def test_validate_config_rejects_each_missing_required_field(name: str) -> None:
    cls = provider_class(name)
    for field in cls.required_fields:
        config = {k: v for k, v in _valid_config(name).items() if k != field}
        with pytest.raises(InvalidParameterValue, match=field):
            cls.validate_config(config)


@pytest.mark.parametrize("name", _params())
def test_validate_config_rejects_unknown_fields(name: str) -> None:
    with pytest.raises(InvalidParameterValue, match="bogus_field"):
        provider_class(name).validate_config({**_valid_config(name), "bogus_field": 1})


@pytest.mark.parametrize("name", _params())
def test_validate_config_rejects_a_literal_key_in_a_secret_field(name: str) -> None:
    cls = provider_class(name)
    literal = "sk-literal-key-0123456789"
    for field in cls.secret_fields:
        with pytest.raises(InvalidParameterValue, match=f"{field}_plaintext") as caught:
            cls.validate_config({**_valid_config(name), field: literal})
        assert literal not in str(caught.value)


@pytest.mark.parametrize("name", _params())
def test_validate_config_rejects_link_local_base_urls(name: str) -> None:
    cls = provider_class(name)
    for field in cls.base_url_fields:
        with pytest.raises(InvalidParameterValue, match="link-local"):
            cls.validate_config({**_valid_config(name), field: "http://169.254.169.254"})
        allowed = cls.validate_config(
            {**_valid_config(name), field: "http://169.254.169.254"}, allow_link_local=True
        )
        assert allowed[field] == "http://169.254.169.254"


@pytest.mark.parametrize("name", _params())
def test_plaintext_secrets_work_too(name: str, fake_urls: dict[str, str]) -> None:
    case = CASES[name]
    cls = provider_class(name)
    config = case.config(fake_urls[name])
    for field in cls.secret_fields:
        if field in config:
            config[f"{field}_plaintext"] = case.secrets[config.pop(field)]
    out = call(case, fake_urls[name], lambda p: p.chat(_chat("plain")), config=config, secrets={})
    assert out["choices"][0]["message"]["content"] == "You said: plain"
