"""Encryption at rest for secret values: Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``.

The key comes from the ``secrets_key`` setting (``LAKEAI_SECRETS_KEY``) so that replicas over one
metastore share it, or else from ``<workspace>/.secrets_key``, created on first use with mode
0600. Losing the key loses every secret; it is never logged or put into an error message.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from lakeai.core.config import SETTINGS_BY_NAME, Settings
from lakeai.errors import InvalidParameterValue, LakeAIError

KEY_FILE = ".secrets_key"


def _key_from_file(root: Path) -> bytes:
    """Read the workspace key file, creating it atomically (so two processes agree) if absent."""
    path = root / KEY_FILE
    if not path.exists():
        tmp = root / f"{KEY_FILE}.{uuid.uuid4().hex}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key() + b"\n")
        try:
            os.link(tmp, path)  # fails if another process won the race; then use its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes().strip()


def load_key(settings: Settings, root: Path) -> bytes:
    return (settings.secrets_key or "").strip().encode() or _key_from_file(root)


class SecretCipher:
    """Encrypts and decrypts secret values with the workspace key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            env = SETTINGS_BY_NAME["secrets_key"].env_var
            raise InvalidParameterValue(
                f"The secrets key (setting secrets_key, {env}, or {KEY_FILE} in the workspace) "
                "is not a valid Fernet key; make one with "
                "'python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\"'."
            ) from None

    @classmethod
    def for_workspace(cls, settings: Settings, root: Path) -> SecretCipher:
        return cls(load_key(settings, root))

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return self._fernet.decrypt(ciphertext)
        except InvalidToken:
            raise LakeAIError(
                "A stored secret cannot be decrypted with this workspace's secrets key; "
                "was the key changed?"
            ) from None
