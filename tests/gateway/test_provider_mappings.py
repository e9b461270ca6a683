"""Vendor-specific mappings the conformance suite cannot see: where the system prompt goes,
how stop reasons translate, and the SigV4 signature Bedrock checks."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lakeai.errors import InvalidParameterValue, RequestLimitExceeded, TemporarilyUnavailable
from lakeai.gateway.providers import anthropic, bedrock, cohere, google
from lakeai.gateway.providers._eventstream import EventStreamDecoder, EventStreamError, encode
from lakeai.gateway.providers._sigv4 import canonical_request, sign, signing_key
from lakeai.gateway.providers.base import ProviderContext, provider_class
from tests.fakes.bedrock import stream_exception
from tests.fakes.openai_compatible import create_app as vllm_app
from tests.fakes.server import serve
from tests.gateway.vendor_cases import BEDROCK_ACCESS, CASES, call, collect

SYSTEM_CHAT = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "first"},
        {"role": "user", "content": [{"type": "text", "text": "ECHO SYSTEM"}]},
    ]
}
# The same turns, alternating, for a round trip through a fake.
ROUND_TRIP = {
    "messages": [
        *SYSTEM_CHAT["messages"][:2],
        {"role": "assistant", "content": "ok"},
        SYSTEM_CHAT["messages"][2],
    ]
}


def test_anthropic_request_mapping() -> None:
    body = {**SYSTEM_CHAT, "stop": "END", "temperature": 0.5, "n": 1}
    out = anthropic.to_messages_request(body, "claude")
    assert out["system"] == "Be brief."
    assert out["messages"] == [{"role": "user", "content": "first\n\nECHO SYSTEM"}]
    assert out["max_tokens"] == anthropic.DEFAULT_MAX_TOKENS
    assert out["stop_sequences"] == ["END"] and out["temperature"] == 0.5 and "n" not in out


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        (None, "stop"),
    ],
)
def test_anthropic_stop_reasons(stop_reason: str | None, finish: str) -> None:
    assert anthropic.finish_reason(stop_reason) == finish


@pytest.mark.parametrize("name", ["anthropic", "amazon-bedrock", "google", "cohere", "openai"])
def test_system_prompt_reaches_the_vendor(name: str, fake_urls: dict[str, str]) -> None:
    out = call(CASES[name], fake_urls[name], lambda p: p.chat(dict(ROUND_TRIP)))
    assert out["choices"][0]["message"]["content"] == "[system: Be brief.]"


@pytest.mark.parametrize(
    "name", ["anthropic", "amazon-bedrock", "google", "cohere", "openai", "mistral"]
)
@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
def test_max_tokens_and_stop_map_to_finish_reasons(
    name: str, stream: bool, fake_urls: dict[str, str]
) -> None:
    async def run(provider: Any, body: dict[str, Any]) -> tuple[str, str]:
        if not stream:
            out = await provider.chat(body)
            return out["choices"][0]["message"]["content"], out["choices"][0]["finish_reason"]
        chunks = await collect(provider, body)
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
        return text, chunks[-1]["choices"][0]["finish_reason"]

    message = [{"role": "user", "content": "one two three four"}]
    case, url = CASES[name], fake_urls[name]
    limited = call(case, url, lambda p: run(p, {"messages": message, "max_tokens": 2}))
    assert limited == ("You said:", "length")
    stopped = call(case, url, lambda p: run(p, {"messages": message, "stop": [" three"]}))
    assert stopped == ("You said: one two", "stop")


def test_cohere_and_google_request_mapping() -> None:
    body = {**SYSTEM_CHAT, "max_tokens": 5, "top_p": 0.9, "stop": ["x"]}
    co = cohere.to_chat_request(body, "command-r")
    assert co["messages"][0] == {"role": "system", "content": "Be brief."}
    assert co["p"] == 0.9 and co["stop_sequences"] == ["x"] and co["max_tokens"] == 5
    ge = google.to_generate_request(
        {**body, "messages": [*body["messages"], {"role": "assistant", "content": "ok"}]}
    )
    assert ge["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert [c["role"] for c in ge["contents"]] == ["user", "user", "model"]
    assert ge["generationConfig"] == {"maxOutputTokens": 5, "topP": 0.9, "stopSequences": ["x"]}


def test_bedrock_converse_mapping() -> None:
    out = bedrock.to_converse_request({**SYSTEM_CHAT, "max_tokens": 9, "stop": "END"})
    assert out["system"] == [{"text": "Be brief."}]
    assert out["messages"] == [
        {"role": "user", "content": [{"text": "first"}, {"text": "ECHO SYSTEM"}]}
    ]
    assert out["inferenceConfig"] == {"maxTokens": 9, "stopSequences": ["END"]}


# -- SigV4 ---------------------------------------------------------------------------------
AWS_EXAMPLE = {
    "access_key": "AKIDEXAMPLE",
    "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
}
AWS_TIME = datetime(2015, 8, 30, 12, 36, 0, tzinfo=UTC)


def test_sigv4_signing_key_matches_aws_documentation() -> None:
    # "Examples of how to derive a signing key for Signature Version 4" (IAM, 20150830).
    key = signing_key(AWS_EXAMPLE["secret_key"], "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"


@pytest.mark.parametrize(
    ("method", "signature"),
    [
        ("GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),  # get-vanilla
        (
            "POST",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),  # post-vanilla
    ],
)
def test_sigv4_matches_aws_test_suite(method: str, signature: str) -> None:
    headers = sign(
        method,
        "https://example.amazonaws.com/",
        {},
        b"",
        region="us-east-1",
        service="service",
        now=AWS_TIME,
        **AWS_EXAMPLE,
    )
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={signature}"
    )
    assert headers["x-amz-date"] == "20150830T123600Z"


def test_sigv4_session_token_is_signed_and_model_ids_are_encoded_twice() -> None:
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-v2%3A1/converse"
    headers = sign(
        "POST",
        url,
        {"content-type": "application/json"},
        b"{}",
        region="us-east-1",
        service="bedrock",
        session_token="tok",
        **AWS_EXAMPLE,
    )
    assert headers["x-amz-security-token"] == "tok"
    assert re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/us-east-1/bedrock/aws4_request, "
        r"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}",
        headers["Authorization"],
    )
    request, _ = canonical_request("POST", url, headers, b"{}")
    assert request.splitlines()[1] == "/model/anthropic.claude-v2%253A1/converse"


def test_bedrock_request_carries_a_well_formed_signature(fake_urls: dict[str, str]) -> None:
    seen: list[httpx.Request] = []

    async def main() -> None:
        async def record(request: httpx.Request) -> None:
            seen.append(request)

        async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
            case = CASES["amazon-bedrock"]
            cls = provider_class(case.provider)
            ctx = ProviderContext(resolve_secret=lambda ref: case.secrets[ref], http=http)
            provider = cls(
                case.chat_model, cls.validate_config(case.config(fake_urls["amazon-bedrock"])), ctx
            )
            await provider.chat({"messages": [{"role": "user", "content": "hi"}]})

    asyncio.run(main())
    (request,) = seen
    assert request.url.raw_path.startswith(b"/model/anthropic.claude-3-haiku-20240307-v1%3A0/")
    assert re.fullmatch(
        rf"AWS4-HMAC-SHA256 Credential={BEDROCK_ACCESS}/\d{{8}}/us-east-1/bedrock/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature=[0-9a-f]{{64}}",
        request.headers["authorization"],
    )
    assert re.fullmatch(r"\d{8}T\d{6}Z", request.headers["x-amz-date"])


def _mock_bedrock_stream(frames: bytes) -> Any:
    async def main() -> list[dict[str, Any]]:
        transport = httpx.MockTransport(lambda _r: httpx.Response(200, content=frames))
        async with httpx.AsyncClient(transport=transport) as http:
            case = CASES["amazon-bedrock"]
            cls = provider_class(case.provider)
            ctx = ProviderContext(resolve_secret=lambda ref: case.secrets[ref], http=http)
            provider = cls(
                "m", cls.validate_config(case.config("https://bedrock.example.com")), ctx
            )
            return await collect(provider, {"messages": [{"role": "user", "content": "hi"}]})

    return asyncio.run(main())


def test_bedrock_stream_exception_frame_is_mapped() -> None:
    start = encode({":event-type": "messageStart", ":message-type": "event"}, {"role": "assistant"})
    with pytest.raises(RequestLimitExceeded):
        _mock_bedrock_stream(start + stream_exception("throttlingException", "Too many requests"))


def test_bedrock_corrupt_frame_is_temporarily_unavailable() -> None:
    frame = bytearray(
        encode({":event-type": "messageStart", ":message-type": "event"}, {"role": "assistant"})
    )
    frame[-1] ^= 0xFF
    with pytest.raises(TemporarilyUnavailable, match="EventStreamError"):
        _mock_bedrock_stream(bytes(frame))


def test_eventstream_decoder_handles_split_frames() -> None:
    data = encode({":event-type": "a"}, {"x": 1}) + encode({":event-type": "b"}, {"y": 2})
    decoder = EventStreamDecoder()
    out = [event for i in range(0, len(data), 5) for event in decoder.feed(data[i : i + 5])]
    assert out == [({":event-type": "a"}, {"x": 1}), ({":event-type": "b"}, {"y": 2})]
    with pytest.raises(EventStreamError):
        list(EventStreamDecoder().feed(b"\x00" * 16))


# -- OpenAI family ---------------------------------------------------------------------------
def test_openai_compatible_without_a_key() -> None:
    case = CASES["openai-compatible"]
    with serve(vllm_app(None)) as url:
        out = call(
            case,
            url,
            lambda p: p.chat({"messages": [{"role": "user", "content": "hi"}]}),
            config={"api_base": url + "/v1"},
        )
    assert out["choices"][0]["message"]["content"] == "You said: hi"


def test_openai_rejects_azure_api_type() -> None:
    cls = provider_class("openai")
    with pytest.raises(InvalidParameterValue, match="azure-openai"):
        cls.validate_config({"openai_api_key": "{{secrets/s/k}}", "openai_api_type": "azure"})


def test_azure_url_names_deployment_and_version() -> None:
    cls = provider_class("azure-openai")
    config = cls.validate_config(
        {
            "openai_api_key": "{{secrets/s/k}}",
            "openai_api_base": "https://r.openai.azure.com/",
            "openai_deployment_name": "dep 1",
        }
    )

    async def main() -> None:
        async with httpx.AsyncClient() as http:
            provider = cls(
                "gpt-4o", config, ProviderContext(resolve_secret=lambda _r: "k", http=http)
            )
            assert provider.url("embeddings") == (
                "https://r.openai.azure.com/openai/deployments/dep%201/embeddings"
                "?api-version=2024-10-21"
            )
            assert provider.auth_headers() == {"api-key": "k"}
            assert provider.upstream_model() is None

    asyncio.run(main())
