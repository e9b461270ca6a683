"""OpenAI (api.openai.com): chat, completions, embeddings and streaming over the OpenAI wire.

Config ``openai_config`` as Databricks defines it. ``openai_api_type`` other than ``openai``
belongs to the ``azure-openai`` provider, which has its own URL and header scheme; saying so at
config time beats a confusing 404 at request time.
"""

from __future__ import annotations

from typing import Any

from lakeai.errors import InvalidParameterValue
from lakeai.gateway.providers._openai_wire import OpenAIWireProvider
from lakeai.gateway.providers.base import ProviderCapabilities, register

DEFAULT_BASE = "https://api.openai.com/v1"


@register
class OpenAIProvider(OpenAIWireProvider):
    name = "openai"
    config_key = "openai_config"
    capabilities = ProviderCapabilities(
        chat=True, completions=True, embeddings=True, streaming=True
    )
    required_fields = ("openai_api_key",)
    optional_fields = ("openai_organization", "openai_api_type")
    secret_fields = ("openai_api_key",)
    base_url_fields = ("openai_api_base",)

    @classmethod
    def validate_config(
        cls, config: dict[str, Any] | None, *, allow_link_local: bool = False
    ) -> dict[str, Any]:
        checked = super().validate_config(config, allow_link_local=allow_link_local)
        api_type = checked.get("openai_api_type", "openai")
        if api_type != "openai":
            raise InvalidParameterValue(
                f"openai_config.openai_api_type {api_type!r} is not served by provider 'openai'; "
                "use provider 'azure-openai' for Azure, or leave openai_api_type as 'openai'."
            )
        return checked

    def url(self, path: str) -> str:
        return f"{self.config.get('openai_api_base') or DEFAULT_BASE}/{path}"

    def auth_headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.secret('openai_api_key')}"}
        if self.config.get("openai_organization"):
            headers["OpenAI-Organization"] = str(self.config["openai_organization"])
        return headers
