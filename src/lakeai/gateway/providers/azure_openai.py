"""Azure OpenAI: the OpenAI wire on per-deployment URLs, keyed with an ``api-key`` header.

Azure names the model by deployment in the path
(``{base}/openai/deployments/{deployment}/chat/completions?api-version=...``) and ignores a
``model`` in the body, so none is sent; responses still report the endpoint's model name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from lakeai.errors import InvalidParameterValue
from lakeai.gateway.providers._openai_wire import OpenAIWireProvider
from lakeai.gateway.providers.base import ProviderCapabilities, register

# A GA version that accepts stream_options.include_usage.
DEFAULT_API_VERSION = "2024-10-21"


@register
class AzureOpenAIProvider(OpenAIWireProvider):
    name = "azure-openai"
    config_key = "openai_config"
    capabilities = ProviderCapabilities(
        chat=True, completions=True, embeddings=True, streaming=True
    )
    required_fields = ("openai_api_key", "openai_api_base", "openai_deployment_name")
    optional_fields = ("openai_api_version", "openai_api_type")
    secret_fields = ("openai_api_key",)
    base_url_fields = ("openai_api_base",)

    @classmethod
    def validate_config(
        cls, config: dict[str, Any] | None, *, allow_link_local: bool = False
    ) -> dict[str, Any]:
        checked = super().validate_config(config, allow_link_local=allow_link_local)
        if checked.get("openai_api_type", "azure") != "azure":
            raise InvalidParameterValue(
                "openai_config.openai_api_type must be 'azure' for provider 'azure-openai' "
                "(Entra ID tokens are not supported yet; use an api key secret)."
            )
        return checked

    def url(self, path: str) -> str:
        deployment = quote(str(self.config["openai_deployment_name"]), safe="")
        version = quote(str(self.config.get("openai_api_version") or DEFAULT_API_VERSION))
        base = self.config["openai_api_base"]
        return f"{base}/openai/deployments/{deployment}/{path}?api-version={version}"

    def auth_headers(self) -> dict[str, str]:
        return {"api-key": self.secret("openai_api_key")}

    def upstream_model(self) -> str | None:
        return None
