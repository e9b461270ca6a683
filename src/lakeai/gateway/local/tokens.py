"""Cheap, deterministic token counting and text splitting shared by the built-in models.

``extractive-chat`` has no tokenizer of its own; a word-level count is what it reports in
``usage`` (whitespace words plus punctuation marks), close to a word-piece count for English.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n{2,}|\n(?=\s*[-*\u2022\d])")


def count_tokens(text: str) -> int:
    """Words and punctuation marks in ``text``: the usage count of ``extractive-chat``."""
    return len(_TOKEN.findall(text))


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after . ! ? before a capital or digit, and at blank lines."""
    parts = (p.strip() for p in _SENTENCE_END.split(text))
    return [" ".join(p.split()) for p in parts if p and p.strip()]
