"""Mistral AI (api.mistral.ai): chat, embeddings and streaming over its OpenAI-like API.

Mistral has no text-completions endpoint (its FIM API takes a different body), so
completions is a declared gap. Its streams report usage on the last chunk by themselves and
the API rejects unknown fields, so ``stream_options`` is not sent.
"""

from __future__ import annotations

from lakeai.gateway.providers._openai_wire import OpenAIWireProvider
from lakeai.gateway.providers.base import Provider, ProviderCapabilities, register

DEFAULT_BASE = "https://api.mistral.ai"


@register
class MistralProvider(OpenAIWireProvider):
    name = "mistral"
    config_key = "mistral_config"
    capabilities = ProviderCapabilities(chat=True, embeddings=True, streaming=True)
    required_fields = ("mistral_api_key",)
    secret_fields = ("mistral_api_key",)
    base_url_fields = ("mistral_api_base",)
    send_stream_options = False
    completions = Provider.completions  # the declared gap: refuse cleanly, never call upstream

    def url(self, path: str) -> str:
        return f"{self.config.get('mistral_api_base') or DEFAULT_BASE}/v1/{path}"
