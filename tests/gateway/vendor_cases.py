"""The vendor providers under test: for each, its fake, a config pointing at it, and its keys.

Secrets are references (``{{secrets/fake/<vendor>}}``) resolved by the test's
``resolve_secret``, as the platform resolves them at call time; the literal key strings are
kept here so tests can assert they never leak into a message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from lakeai.gateway.providers.base import (
    SECRET_REFERENCE,
    Provider,
    ProviderContext,
    provider_class,
)
from tests.fakes import anthropic, azure_openai, bedrock, cohere, google, mistral, openai
from tests.fakes import openai_compatible as vllm

T = TypeVar("T")
BEDROCK_ACCESS = "AKIAFAKEBEDROCK0000001"
BEDROCK_SECRET = "fakeSecret/Bedrock+9f8e7d6c5b4a3928"


@dataclass(frozen=True)
class VendorCase:
    provider: str
    app: Callable[[], Any]
    config: Callable[[str], dict[str, Any]]  # base URL -> provider config (secret references)
    secrets: dict[str, str]  # reference -> value
    wrong_secrets: dict[str, str]  # the same references resolving to a rejected credential
    chat_model: str = "chat-model"
    embed_model: str = "embed-model"
    embed_usage: bool = True  # whether the vendor reports embedding token counts
    extra: dict[str, Any] = field(default_factory=dict)

    def leaks(self) -> list[str]:
        """Every credential string that must never appear in a message."""
        return [*self.secrets.values(), *self.wrong_secrets.values()]


def _ref(name: str) -> str:
    return "{{secrets/fake/" + name + "}}"


def _keyed(
    provider: str,
    key: str,
    app: Callable[[], Any],
    config: Callable[[str], dict[str, Any]],
    **kw: Any,
) -> VendorCase:
    return VendorCase(provider, app, config, {_ref(provider): key}, {_ref(provider): key[:-6] + "WRONG1"}, **kw)  # fmt: skip


OPENAI_KEY = "sk-fake-openai-0123456789abcdef"
AZURE_KEY = "fakeazurekey0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-fake-0123456789abcdef"
COHERE_KEY = "fake-cohere-0123456789abcdef"
MISTRAL_KEY = "fake-mistral-0123456789abcdef"
GOOGLE_KEY = "AIzaFakeGoogle0123456789abcdef"
VLLM_KEY = "fake-vllm-token-0123456789"

CASES: dict[str, VendorCase] = {
    c.provider: c
    for c in [
        _keyed("openai", OPENAI_KEY, lambda: openai.create_app(OPENAI_KEY),
               lambda url: {"openai_api_key": _ref("openai"), "openai_api_base": url + "/v1"},
               chat_model="gpt-4o-mini", embed_model="text-embedding-3-small"),
        _keyed("azure-openai", AZURE_KEY, lambda: azure_openai.create_app(AZURE_KEY),
               lambda url: {"openai_api_key": _ref("azure-openai"), "openai_api_base": url,
                            "openai_deployment_name": "gpt-4o-deploy", "openai_api_version": "2024-10-21"}),
        _keyed("anthropic", ANTHROPIC_KEY, lambda: anthropic.create_app(ANTHROPIC_KEY),
               lambda url: {"anthropic_api_key": _ref("anthropic"), "anthropic_api_base": url},
               chat_model="claude-3-5-haiku-latest"),
        _keyed("cohere", COHERE_KEY, lambda: cohere.create_app(COHERE_KEY),
               lambda url: {"cohere_api_key": _ref("cohere"), "cohere_api_base": url},
               chat_model="command-r-plus", embed_model="embed-english-v3.0"),
        _keyed("mistral", MISTRAL_KEY, lambda: mistral.create_app(MISTRAL_KEY),
               lambda url: {"mistral_api_key": _ref("mistral"), "mistral_api_base": url},
               chat_model="mistral-small-latest", embed_model="mistral-embed"),
        _keyed("google", GOOGLE_KEY, lambda: google.create_app(GOOGLE_KEY),
               lambda url: {"google_api_key": _ref("google"), "google_api_base": url},
               chat_model="gemini-2.0-flash", embed_model="text-embedding-004", embed_usage=False),
        VendorCase(
            "amazon-bedrock", lambda: bedrock.create_app(BEDROCK_ACCESS, BEDROCK_SECRET),
            lambda url: {"aws_region": "us-east-1", "aws_access_key_id": _ref("aws-id"),
                         "aws_secret_access_key": _ref("aws-secret"), "bedrock_endpoint_url": url},
            {_ref("aws-id"): BEDROCK_ACCESS, _ref("aws-secret"): BEDROCK_SECRET},
            {_ref("aws-id"): BEDROCK_ACCESS, _ref("aws-secret"): "fakeSecret/WRONG+000000000000"},
            chat_model="anthropic.claude-3-haiku-20240307-v1:0",
            embed_model="amazon.titan-embed-text-v2:0",
        ),
        _keyed("openai-compatible", VLLM_KEY, lambda: vllm.create_app(VLLM_KEY),
               lambda url: {"api_base": url + "/v1", "api_key": _ref("openai-compatible")},
               chat_model="meta-llama/Llama-3.1-8B-Instruct", embed_model="BAAI/bge-small-en-v1.5"),
    ]
}  # fmt: skip


def _resolve(table: dict[str, str], value: str) -> str:
    """A reference from the table; anything else is a stored plaintext value, returned as is."""
    return table[value.strip()] if SECRET_REFERENCE.match(value) else value


def build(
    case: VendorCase,
    url: str,
    http: httpx.AsyncClient,
    *,
    model: str | None = None,
    secrets: dict[str, str] | None = None,
    timeout: float = 10.0,
    config: dict[str, Any] | None = None,
) -> Provider:
    """A provider built the way the platform builds one: validated config, resolver, client."""
    cls = provider_class(case.provider)
    table = secrets or case.secrets
    checked = cls.validate_config(config if config is not None else case.config(url))
    ctx = ProviderContext(
        resolve_secret=lambda ref: _resolve(table, ref), http=http, timeout=timeout
    )
    return cls(model or case.chat_model, checked, ctx)


def call(case: VendorCase, url: str, op: Callable[[Provider], Awaitable[T]], **kw: Any) -> T:
    """Run one async operation on a fresh provider and client, in a fresh event loop."""

    async def main() -> T:
        async with httpx.AsyncClient() as http:
            return await op(build(case, url, http, **kw))

    return asyncio.run(main())


async def collect(provider: Provider, body: dict[str, Any]) -> list[dict[str, Any]]:
    return [chunk async for chunk in provider.chat_stream(body)]
