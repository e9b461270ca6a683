"""Redaction and size limits for what inference tables store.

A payload is redacted as JSON text, before it reaches the write-ahead file or the table, so a
key a caller pastes into a prompt never lands on disk. Built-in patterns catch credentials
(OpenAI/Anthropic ``sk-`` keys, ``Bearer`` tokens, LakeAI ``dapi`` tokens, AWS access key ids,
GitHub/Google/Slack tokens) and the string value of any JSON field whose name says it holds a
secret; ``inference_tables_redact_patterns`` adds the workspace's own (PII) regexes. One
substitution pass over the text costs microseconds, where walking the object would cost more;
a custom pattern that would break the JSON falls back to redacting value by value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lakeai.errors import InvalidParameterValue

REDACTED = "[REDACTED]"

# Each matches inside a JSON string: none can span a quote or a backslash escape.
SECRET_PATTERNS = (
    r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}",
    r"\bBearer\s+[A-Za-z0-9._~+/\-]{8,}=*",
    r"\bdapi[0-9a-f]{32}\b",
    r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{36,}\b",
    r"\bAIza[0-9A-Za-z_\-]{35}\b",
    r"\bxox[abprs]-[A-Za-z0-9\-]{10,}",
)
# "api_key": "...", "password": "...", "aws_secret_access_key": "..." keep the key, lose the value.
_SECRET_FIELD = re.compile(
    r'("[\w\-]{0,40}?(?:api[_-]?key|secret|password|passwd|access[_-]?token|auth[_-]?token'
    r'|authorization|private[_-]?key)[\w\-]{0,40}"\s*:\s*)"(?:[^"\\]|\\.)*"',
    re.IGNORECASE,
)
# Substrings (lower case) without which no built-in pattern can match: a clean payload skips
# the regexes (a few microseconds saved per call, the common case).
_VALUE_HINTS = ("sk-", "bearer", "dapi", "akia", "asia", "ghp_", "gho_", "ghu_", "ghs_", "ghr_")
_VALUE_HINTS += ("aiza", "xox")
_FIELD_HINTS = ("api_key", "api-key", "apikey", "secret", "passw", "authorization")
_FIELD_HINTS += ("access_token", "access-token", "accesstoken", "auth_token", "auth-token")
_FIELD_HINTS += ("authtoken", "private_key", "private-key", "privatekey")


def parse_patterns(raw: str) -> list[str]:
    """The setting's value: a JSON list of regexes, or one regex per line."""
    text = (raw or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            patterns = json.loads(text)
        except ValueError as exc:
            raise InvalidParameterValue(
                "inference_tables_redact_patterns must be a JSON list of regexes "
                '(e.g. ["\\\\d{3}-\\\\d{2}-\\\\d{4}"]) or one regex per line.'
            ) from exc
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise InvalidParameterValue(
                "inference_tables_redact_patterns must be a list of regex strings."
            )
        return [p for p in patterns if p]
    return [line.strip() for line in text.splitlines() if line.strip()]


class Redactor:
    """Replaces secrets and configured PII in JSON text by ``[REDACTED]``."""

    def __init__(self, custom: list[str] | None = None) -> None:
        self.custom = list(custom or [])
        for pattern in self.custom:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InvalidParameterValue(
                    f"inference_tables_redact_patterns: {pattern!r} is not a valid regex ({exc})."
                ) from None
        self._values = re.compile("|".join(f"(?:{p})" for p in (*SECRET_PATTERNS, *self.custom)))
        self._custom = re.compile("|".join(f"(?:{p})" for p in self.custom)) if custom else None

    def text(self, text: str) -> str:
        """``text`` (JSON) with every match replaced; still valid JSON."""
        lower = text.lower()
        out = text
        if any(hint in lower for hint in _FIELD_HINTS):
            out = _SECRET_FIELD.sub(r'\1"' + REDACTED + '"', out)
        if self._custom is None and not any(hint in lower for hint in _VALUE_HINTS):
            return out
        out, count = self._values.subn(REDACTED, out)
        if count and self._custom is not None and not _is_json(out):
            return json.dumps(self.value(json.loads(text)), separators=(",", ":"))
        return out

    def value(self, value: Any) -> Any:
        """The slow, always-valid path: redact each string of a JSON value."""
        if isinstance(value, str):
            return self._values.sub(REDACTED, value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {
                k: REDACTED
                if isinstance(v, str) and _SECRET_FIELD.match(json.dumps(k) + ':""')
                else self.value(v)
                for k, v in value.items()
            }
        return value


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def limit_size(text: str, max_bytes: int) -> str:
    """``text`` as is, or the marker ``{"truncated": true, "size": N}`` when over ``max_bytes``.

    Databricks logs no payload over 1 MiB; a marker keeps the row (status, latency, ids) and
    says why the payload is missing and how large it was.
    """
    if max_bytes <= 0 or len(text) * 4 <= max_bytes:  # at most 4 UTF-8 bytes per character
        return text
    size = len(text.encode())
    if size <= max_bytes:
        return text
    return json.dumps({"truncated": True, "size": size}, separators=(",", ":"))
