"""``extractive-chat``: the offline default chat model, and the baseline later versions must beat.

It is not an LLM and does not pretend to be one. It answers only from the context in the
messages: the last user message is the question; every other message (the system prompt,
retrieved chunks, earlier turns) is split into sentences, each sentence is scored against the
question with BM25 over lightly stemmed, stop-word-free terms, and the reply quotes the best
one to three sentences in their original order. When there is no context, or nothing scores
above a threshold, it says so instead of guessing. The same input always gives the same output.

Why ship it: a retrieval-augmented chat bot can be built, tested and evaluated end to end on a
laptop with no GPU, no network and no API key; and any real model plugged in later has a
measurable, grounded baseline to beat on the same evaluation set.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from lakeai.gateway.local.tokens import count_tokens, split_sentences

NO_ANSWER = "I don't have enough information in the provided context to answer that."
PREFIX = "Based on the provided context: "
MAX_SENTENCES = 3
MIN_SCORE = 0.5  # BM25 score below which a sentence counts as unrelated to the question
RELATIVE_CUTOFF = 0.5  # a 2nd/3rd sentence must score at least half the best one
K1, B = 1.2, 0.75

_STOP_WORDS = """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    please want like get got let may might must shall also"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ational", "ization", "ations", "ation", "ness", "ments", "ment", "ings", "ing",
             "edly", "ies", "ied", "ed", "es", "ly", "s")  # fmt: skip


def stem(word: str) -> str:
    """Stemming-lite: strip one common English suffix, keeping a stem of at least 3 letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return word


def terms(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


@dataclass(frozen=True)
class Answer:
    content: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str


def _content(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):  # OpenAI content parts: keep the text ones
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def split_question(messages: list[dict]) -> tuple[str, list[str]]:
    """(the last user message, the other messages' texts in order)."""
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    question = _content(messages[last_user]) if last_user >= 0 else ""
    context = [_content(m) for i, m in enumerate(messages) if i != last_user]
    return question, [c for c in context if c.strip()]


def bm25(question: list[str], sentences: list[list[str]]) -> list[float]:
    """BM25 of each sentence (a document) for the question's distinct terms."""
    n = len(sentences)
    avg = sum(len(s) for s in sentences) / n or 1.0
    df = Counter(t for s in sentences for t in set(s))
    scores = []
    for sentence in sentences:
        tf = Counter(sentence)
        score = 0.0
        for term in set(question):
            f = tf.get(term, 0)
            if f:
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * f * (K1 + 1) / (f + K1 * (1 - B + B * len(sentence) / avg))
        scores.append(score)
    return scores


def select(question: str, context: list[str]) -> list[str]:
    """The best one to three context sentences for the question, in their original order."""
    sentences = [s for text in context for s in split_sentences(text)]
    query = terms(question)
    if not sentences or not query:
        return []
    scores = bm25(query, [terms(s) for s in sentences])
    best = max(scores)
    if best < MIN_SCORE:
        return []
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))[:MAX_SENTENCES]
    keep = sorted(i for i in ranked if scores[i] >= best * RELATIVE_CUTOFF)
    return [sentences[i] for i in keep]


def _apply_limits(text: str, max_tokens: int | None, stop: list[str]) -> tuple[str, str]:
    finish = "stop"
    cuts = [text.find(s) for s in stop if s and s in text]
    if cuts:
        text = text[: min(cuts)].rstrip()
    words = text.split()
    if max_tokens is not None and len(words) > max_tokens:
        text, finish = " ".join(words[:max_tokens]), "length"
    return text, finish


def answer(messages: list[dict], *, max_tokens: int | None = None, stop=None) -> Answer:
    """The grounded reply to an OpenAI ``messages`` list; ``max_tokens`` counts words."""
    question, context = split_question(messages)
    chosen = select(question, context)
    text = PREFIX + " ".join(chosen) if chosen else NO_ANSWER
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    text, finish = _apply_limits(text, max_tokens, stops)
    prompt = sum(count_tokens(_content(m)) for m in messages)
    return Answer(text, prompt, count_tokens(text), finish)


def stream_words(content: str) -> list[str]:
    """The reply cut into stream deltas, one word each, whose concatenation is ``content``."""
    return re.findall(r"\S+\s*", content) if content else []
