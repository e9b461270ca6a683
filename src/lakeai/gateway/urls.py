"""Provider base URLs: only http(s), and never link-local or cloud metadata addresses.

A base URL comes from whoever configures an endpoint; without this check an endpoint could be
pointed at ``http://169.254.169.254/`` and read the host's cloud credentials. Loopback and
private ranges are allowed (self-hosted vLLM/Ollama live there); link-local and metadata
addresses need the admin setting ``gateway_allow_link_local``.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from lakeai.errors import InvalidParameterValue

METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}


def validate_base_url(url: str, *, allow_link_local: bool = False) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameterValue(
            f"Base URL {redact_url(url)!r} must be an http(s) URL with a host."
        )
    if parts.username or parts.password:
        raise InvalidParameterValue(
            "Put credentials in the key field (a secret), not in the base URL."
        )
    host = parts.hostname.lower()
    if allow_link_local:
        return url.rstrip("/")
    if host in METADATA_HOSTS:
        raise InvalidParameterValue(f"Base URL host {host} is a cloud metadata address; refused.")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return url.rstrip("/")
    if (
        address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    ):
        raise InvalidParameterValue(
            f"Base URL address {address} is link-local, multicast or reserved; an admin can allow "
            "it with the setting gateway_allow_link_local."
        )
    return url.rstrip("/")


def redact_url(url: str) -> str:
    """A URL without userinfo or query string, safe for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid url>"
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
