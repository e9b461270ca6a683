"""Any server that speaks the OpenAI API: vLLM, Ollama, TGI, LM Studio, llama.cpp, LiteLLM.

``api_base`` is the URL the ``openai`` client would be given (usually ending in ``/v1``); the
key is optional because most self-hosted servers run without one. Loopback and private
addresses are allowed (that is where these servers live); link-local ones are not.
"""

from __future__ import annotations

from lakeai.gateway.providers._openai_wire import OpenAIWireProvider
from lakeai.gateway.providers.base import ProviderCapabilities, register


@register
class OpenAICompatibleProvider(OpenAIWireProvider):
    name = "openai-compatible"
    config_key = "openai_compatible_config"
    capabilities = ProviderCapabilities(
        chat=True, completions=True, embeddings=True, streaming=True
    )
    required_fields = ("api_base",)
    secret_fields = ("api_key",)
    base_url_fields = ("api_base",)

    def url(self, path: str) -> str:
        return f"{self.config['api_base']}/{path}"

    def auth_headers(self) -> dict[str, str]:
        if not (self.config.get("api_key") or self.config.get("api_key_plaintext")):
            return {}
        return {"Authorization": f"Bearer {self.secret('api_key')}"}
