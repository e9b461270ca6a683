"""What every fake vendor shares: a deterministic answer, token counts, vectors and knobs.

The answer echoes the last user message, so a test knows the expected text without a model.
Knobs in that message force a vendor behaviour: ``FAIL 429`` / ``FAIL 500`` answer that
status, ``SLOW`` answers only after two seconds (or when the client gives up), and
``ECHO SYSTEM`` answers the system prompt the fake received, to check where it was placed.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass

from starlette.requests import Request

EMBEDDING_DIM = 8
RETRY_AFTER = "7"


def tokens(text: str) -> int:
    """A stand-in tokenizer: one token per whitespace-separated word."""
    return len(text.split())


def vector(text: str) -> list[float]:
    """A fixed-size vector derived from the text's hash, identical on every run."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round(b / 127.5 - 1.0, 6) for b in digest[:EMBEDDING_DIM]]


def pieces(text: str) -> list[str]:
    """The answer cut into stream deltas, one word (with its trailing space) each."""
    return re.findall(r"\S+\s*", text) or [text]


def knob(text: str) -> str | None:
    """``"429"``, ``"500"`` or ``"SLOW"`` when the message asks for it."""
    match = re.fullmatch(r"\s*FAIL (\d{3})\s*", text)
    if match:
        return match.group(1)
    return "SLOW" if text.strip() == "SLOW" else None


async def slow(request: Request, seconds: float = 2.0) -> None:
    """Hold the answer back, but stop as soon as the client has gone (no stray work)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline and not await request.is_disconnected():
        await asyncio.sleep(0.02)


@dataclass
class Answer:
    text: str
    reason: str  # "stop", "length" or "stop_sequence"
    prompt_tokens: int
    completion_tokens: int


def answer(
    last: str,
    *,
    prompt_text: str,
    system: str = "",
    max_tokens: int | None = None,
    stop: list[str] | None = None,
) -> Answer:
    """The deterministic reply to ``last``, truncated by stop sequences and max_tokens."""
    text = f"[system: {system}]" if last.strip() == "ECHO SYSTEM" else f"You said: {last}"
    reason = "stop"
    for sequence in stop or []:
        if sequence and sequence in text:
            text, reason = text[: text.index(sequence)], "stop_sequence"
    if max_tokens is not None and tokens(text) > max_tokens:
        text, reason = " ".join(text.split()[:max_tokens]), "length"
    return Answer(text, reason, tokens(prompt_text), tokens(text))
