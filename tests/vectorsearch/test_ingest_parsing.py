"""Parsers (sections, visible text, pages) and chunking (token limits, overlap, determinism)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import ClassVar

import pytest

from lakeai.errors import InvalidParameterValue
from lakeai.vectorsearch.ingest import PARSERS, ParseError, Piece, chunking, count_tokens, register
from lakeai.vectorsearch.ingest.chunking import chunk_pieces, split
from lakeai.vectorsearch.ingest.parsers import parser_for
from tests.vectorsearch.test_ingest import HTML, MARKDOWN, TEXT, make_pdf


def parse(name: str, data: bytes) -> list[Piece]:
    parser = parser_for(name)
    assert parser is not None
    return list(parser.parse(data, name))


def test_markdown_keeps_the_heading_path() -> None:
    pieces = parse("guide.md", MARKDOWN.encode())
    assert [p.section for p in pieces] == [
        "Returns",
        "Returns > Refunds",
        "Returns > Refunds > Gift cards",
        "Returns > Exchanges",
    ]
    assert "# not a heading" in pieces[-1].text  # fenced code is body text
    setext = parse("s.markdown", b"Title\n=====\nbody\n\nSub\n---\nmore\n")
    assert [(p.section, p.text) for p in setext] == [("Title", "body"), ("Title > Sub", "more")]


def test_html_keeps_visible_text_only() -> None:
    pieces = parse("page.HTML", HTML.encode())
    text = " ".join(p.text for p in pieces)
    assert "secret" not in text and "Home | Shop" not in text and "color" not in text
    assert [(p.section, p.text) for p in pieces] == [
        ("Shipping", "We ship to the EU and the UK."),
        ("Shipping > Costs", "Shipping is free above 50 EUR."),
    ]


def test_pdf_text_per_page(tmp_path: Path) -> None:
    pieces = parse("m.pdf", make_pdf(tmp_path / "m.pdf").read_bytes())
    assert [p.page for p in pieces] == [1, 2]
    assert "two years" in pieces[0].text and "receipt" in pieces[1].text


def test_a_broken_pdf_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"bad\.pdf is not a readable PDF"):
        parse("bad.pdf", b"%PDF-1.4 this is not really a pdf")


def test_third_party_parsers_register_by_suffix() -> None:
    class CsvParser:
        suffixes: ClassVar[tuple[str, ...]] = (".csv",)

        def parse(self, data: bytes, name: str):
            yield Piece(None, "rows", data.decode())

    try:
        register(CsvParser)
        assert parse("x.csv", b"a,b") == [Piece(None, "rows", "a,b")]
    finally:
        PARSERS.pop(".csv")
    assert parser_for("x.csv") is None and parser_for("README") is None
    with pytest.raises(InvalidParameterValue, match="start with a dot"):
        register(type("Bad", (), {"suffixes": ("csv",)}))


def test_chunks_respect_the_limit_and_overlap() -> None:
    chunks = list(split(TEXT, 40, 8))
    assert len(chunks) > 3
    for text, tokens in chunks:
        assert tokens == count_tokens(text) <= 40
    for (first, _), (second, _) in itertools.pairwise(chunks):
        shared = next(n for n in range(len(second), 0, -1) if first.endswith(second[:n]))
        assert 0 < count_tokens(second[:shared]) <= 8
        assert first.endswith(".")  # cut at a sentence end where one is in reach
    assert list(split(TEXT, 40, 8)) == chunks  # deterministic


def test_paragraphs_are_preferred_and_no_overlap_is_allowed() -> None:
    para = "The first paragraph, a bit more than half of twenty tokens long."
    first, *_ = split(f"{para}\n\n" + "Word " * 30, 20, 0)
    assert first == (para, count_tokens(para))
    joined = " ".join(t for t, _ in split(TEXT, 30, 0))
    assert joined.split() == TEXT.split()  # without overlap nothing repeats or goes missing


def test_chunks_keep_page_and_section() -> None:
    pieces = [Piece(1, None, "one. " * 50), Piece(2, "B", "two")]
    chunks = list(chunk_pieces(pieces, chunk_tokens=16, overlap=2))
    assert {c.page for c in chunks} == {1, 2} and chunks[-1].section == "B"
    assert chunks[-1].text == "two"


def test_whitespace_count_without_the_tokenizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunking, "_wordpiece", lambda: None)
    assert chunking.tokenizer_name() == "whitespace"
    assert count_tokens("don't stop-me now") == 3
    assert all(len(t.split()) <= 10 for t, _ in split(TEXT, 10, 2))


@pytest.mark.parametrize(("tokens", "overlap"), [(4, 0), (64, 33), (64, -1)])
def test_bad_settings(tokens: int, overlap: int) -> None:
    with pytest.raises(InvalidParameterValue):
        list(chunk_pieces([Piece(None, None, "x")], chunk_tokens=tokens, overlap=overlap))
