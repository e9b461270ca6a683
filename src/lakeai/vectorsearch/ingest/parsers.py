"""Document parsers, registered like plug-ins by file suffix.

A parser turns one file's bytes into ``Piece(page, section, text)`` values: ``page`` is kept
for PDFs so an answer can cite it, ``section`` is the heading path ("Returns > Refunds") for
Markdown and HTML so a chunk still says what it is about once cut out of its document. The
built-ins register through the same ``register()`` a third party uses; packages may also
declare parsers in the ``lakeai.document_parsers`` entry-point group (each entry point loads
a ``Parser`` class).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from typing import ClassVar, NamedTuple, Protocol

from lakeai.errors import InvalidParameterValue

ENTRY_POINT_GROUP = "lakeai.document_parsers"


class Piece(NamedTuple):
    """A run of text that shares one page and one section; chunks never cross pieces."""

    page: int | None
    section: str | None
    text: str


class ParseError(Exception):
    """A file could not be parsed (a broken PDF, say); ingestion reports it and goes on."""


class Parser(Protocol):
    suffixes: ClassVar[tuple[str, ...]]

    def parse(self, data: bytes, name: str) -> Iterator[Piece]: ...


PARSERS: dict[str, type[Parser]] = {}
_entry_points_loaded = False


def register(parser: type[Parser]) -> type[Parser]:
    """Make ``parser`` handle its suffixes (a later registration wins); usable as a decorator."""
    for suffix in parser.suffixes:
        if not suffix.startswith("."):
            raise InvalidParameterValue(f"Parser suffix {suffix!r} must start with a dot.")
        PARSERS[suffix.lower()] = parser
    return parser


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        register(ep.load())


def parser_for(name: str) -> Parser | None:
    """A parser for a file name by its suffix, or None when no parser handles it."""
    _load_entry_points()
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    cls = PARSERS.get(suffix)
    return cls() if cls is not None else None


def _decode(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


# -- sections from headings (shared by Markdown and HTML) ---------------------------------
Heading = tuple[int, str]


def sectioned(lines: Iterable[str | Heading]) -> Iterator[Piece]:
    """Body lines grouped under the heading path in force; a heading is ``(level, title)``."""
    path: list[Heading] = []
    body: list[str] = []

    def flush() -> Iterator[Piece]:
        text = "\n".join(body).strip()
        body.clear()
        if text:
            yield Piece(None, " > ".join(t for _, t in path) or None, text)

    for line in lines:
        if isinstance(line, tuple):
            yield from flush()
            level, title = line
            path = [h for h in path if h[0] < level]
            path.append((level, " ".join(title.split())))
        else:
            body.append(line)
    yield from flush()


_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")


@register
class MarkdownParser:
    """ATX (``#``) and setext headings become the section path; code fences are body text."""

    suffixes: ClassVar[tuple[str, ...]] = (".md", ".markdown")

    def parse(self, data: bytes, name: str) -> Iterator[Piece]:
        return sectioned(self._lines(_decode(data).splitlines()))

    @staticmethod
    def _lines(lines: list[str]) -> Iterator[str | Heading]:
        fenced = False
        pending: str | None = None  # a line that a setext underline may turn into a heading
        for line in lines:
            if _FENCE.match(line):
                fenced = not fenced
            heading = None if fenced else _ATX.match(line)
            setext = None if fenced or pending is None else _SETEXT.match(line)
            if setext:
                yield (1 if setext.group(1)[0] == "=" else 2, pending or "")
                pending = None
                continue
            if pending is not None:
                yield pending
                pending = None
            if heading:
                yield (len(heading.group(1)), heading.group(2))
            elif not fenced and line.strip():
                pending = line
            else:
                yield line
        if pending is not None:
            yield pending


_HIDDEN_TAGS = ("script", "style", "nav", "noscript", "template", "svg", "head", "iframe")
_BLOCK_TAGS = (
    "p", "div", "li", "br", "tr", "td", "th", "section", "article", "main", "aside",
    "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "header", "footer", "form",
)  # fmt: skip
_MARK = "\x00"


@register
class HtmlParser:
    """Visible text only (no script, style or nav); ``h1``-``h6`` become the section path."""

    suffixes: ClassVar[tuple[str, ...]] = (".html", ".htm")

    def parse(self, data: bytes, name: str) -> Iterator[Piece]:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(data, "html.parser")
        for tag in soup.find_all(_HIDDEN_TAGS):
            tag.decompose()
        for tag in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
            title = " ".join(tag.get_text(" ").split())
            tag.replace_with(f"\n{_MARK}{tag.name[1]}{_MARK}{title}\n")
        for tag in soup.find_all(_BLOCK_TAGS):
            tag.append("\n")
        return sectioned(self._lines(soup.get_text()))

    @staticmethod
    def _lines(text: str) -> Iterator[str | Heading]:
        for line in text.splitlines():
            if line.startswith(_MARK):
                _, level, title = line.split(_MARK, 2)
                yield (int(level), title)
            else:
                yield " ".join(line.split())


@register
class PdfParser:
    """Text per page with pypdf; pages are numbered from 1, as a reader would cite them."""

    suffixes: ClassVar[tuple[str, ...]] = (".pdf",)

    def parse(self, data: bytes, name: str) -> Iterator[Piece]:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise ParseError(f"{name} is an encrypted PDF; decrypt it first.")
            pages = [page.extract_text() or "" for page in reader.pages]
        except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
            raise ParseError(f"{name} is not a readable PDF ({exc}).") from exc
        for number, text in enumerate(pages, start=1):
            if text.strip():
                yield Piece(number, None, text.strip())


@register
class TextParser:
    """Plain text, decoded as UTF-8 (undecodable bytes replaced, never fatal)."""

    suffixes: ClassVar[tuple[str, ...]] = (".txt", ".text")

    def parse(self, data: bytes, name: str) -> Iterator[Piece]:
        text = _decode(data).strip()
        if text:
            yield Piece(None, None, text)
