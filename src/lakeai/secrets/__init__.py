"""Secrets: scopes, encrypted values and ACLs, resolved only inside the platform at use."""

from lakeai.secrets.service import SecretService, parse_reference

__all__ = ["SecretService", "parse_reference"]
