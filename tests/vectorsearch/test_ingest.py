"""ingest(): rows, stable ids, idempotent re-runs, changed and vanished files, failures,
volumes, grants, the remote client and the CLI.

The test documents (Markdown, HTML, text, a two-page PDF made with fpdf2) are defined here and
shared with test_ingest_parsing.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lakeai.errors import PermissionDenied
from lakeai.vectorsearch.ingest import count_tokens, ingest

SENTENCE = "Refunds are paid to the original card within five working days of the return. "

MARKDOWN = f"""# Returns

You may return most items within 30 days.

## Refunds

{SENTENCE * 12}

### Gift cards

Gift cards are never refunded.

## Exchanges

```
# not a heading, code
```
Exchanges are free.
"""

HTML = """<html><head><title>Shipping</title><style>p {color: red}</style></head>
<body><nav>Home | Shop | Cart</nav>
<h1>Shipping</h1><p>We ship to the EU and the UK.</p>
<script>var secret = "do not index";</script>
<h2>Costs</h2><p>Shipping is free above 50 EUR.</p></body></html>
"""

TEXT = " ".join(f"Line {i} of the plain notes says something useful." for i in range(60))

PDF_PAGES = ("Warranty terms: two years on all electronics.", "Claims: send the receipt.")


def make_pdf(path: Path, pages: tuple[str, ...] = PDF_PAGES) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    pdf.output(str(path))
    return path


def make_docs(folder: Path) -> Path:
    """guide.md, sub/shipping.html, notes.txt, manual.pdf and an unsupported logo.png."""
    (folder / "sub").mkdir(parents=True)
    (folder / "guide.md").write_text(MARKDOWN)
    (folder / "sub" / "shipping.html").write_text(HTML)
    (folder / "notes.txt").write_text(TEXT)
    make_pdf(folder / "manual.pdf")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / ".hidden.md").write_text("# ignored")
    return folder


TABLE = "docs.kb.chunks"


@pytest.fixture
def kb(ws):
    ws.catalogs.create("docs")
    ws.schemas.create("docs", "kb")
    return ws


def rows(ws, path: str | None = None) -> list[dict]:
    found = sorted(ws.tables.read(TABLE).to_pylist(), key=lambda r: r["chunk_id"])
    return [r for r in found if path is None or r["source_path"] == path]


def test_ingest_writes_chunk_rows(kb, tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs")
    seen = []
    result = ingest(
        kb, docs, TABLE, chunk_tokens=48, overlap=8, progress=lambda o, d, t: seen.append((d, t))
    )
    summary = result.as_dict()
    assert summary["files_parsed"] == 4 and summary["unsupported"] == ["logo.png"]
    assert seen == [(i, 5) for i in range(1, 6)]
    got = rows(kb)
    assert summary["chunks_written"] == len(got)
    assert {r["source_path"] for r in got} == {
        "guide.md", "manual.pdf", "notes.txt", "sub/shipping.html",
    }  # fmt: skip
    for r in got:
        ident = hashlib.sha256(f"{r['source_path']}\x00{r['chunk_index']}".encode()).hexdigest()
        assert r["chunk_id"] == ident[:32] and count_tokens(r["text"]) <= 48
        assert (
            r["content_hash"] == hashlib.sha256((docs / r["source_path"]).read_bytes()).hexdigest()
        )
    assert {r["page"] for r in rows(kb, "manual.pdf")} == {1, 2}
    assert {r["section"] for r in rows(kb, "guide.md")} >= {"Returns > Refunds"}
    html = rows(kb, "sub/shipping.html")
    assert all("secret" not in r["text"] for r in html)
    notes = sorted(rows(kb, "notes.txt"), key=lambda r: r["chunk_index"])
    assert len(notes) > 2 and notes[1]["text"][:20] in notes[0]["text"]  # overlap
    assert kb.tables.primary_key(TABLE) == ["chunk_id"]


def test_reingest_unchanged_writes_nothing(kb, tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs")
    ingest(kb, docs, TABLE)
    version = kb.tables.version(TABLE)
    again = ingest(kb, docs, TABLE).as_dict()
    assert again["files_unchanged"] == 4 and again["chunks_written"] == 0
    assert kb.tables.version(TABLE) == version


def test_a_changed_file_replaces_only_its_chunks(kb, tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs")
    ingest(kb, docs, TABLE, chunk_tokens=32, overlap=4)
    before = rows(kb)
    (docs / "notes.txt").write_text("Short notes now.")
    result = ingest(kb, docs, TABLE, chunk_tokens=32, overlap=4).as_dict()
    assert result["files_parsed"] == 1 and result["files_unchanged"] == 3
    assert result["chunks_deleted"] > 0
    assert [r["text"] for r in rows(kb, "notes.txt")] == ["Short notes now."]
    others = [r for r in before if r["source_path"] != "notes.txt"]
    assert [r for r in rows(kb) if r["source_path"] != "notes.txt"] == others


def test_vanished_files_stay_unless_pruned(kb, tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs")
    ingest(kb, docs, TABLE)
    (docs / "guide.md").unlink()
    ingest(kb, docs, TABLE)
    assert rows(kb, "guide.md")
    ingest(kb, docs / "notes.txt", TABLE, prune=True)  # a lone file prunes nothing
    assert rows(kb, "guide.md")
    assert ingest(kb, docs, TABLE, prune=True).pruned == ["guide.md"]
    assert not rows(kb, "guide.md") and rows(kb, "manual.pdf")


def test_a_broken_pdf_fails_alone(kb, tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    result = ingest(kb, docs, TABLE).as_dict()
    assert result["files_failed"] == 1 and result["files_parsed"] == 4
    assert result["failed"][0]["source_path"] == "broken.pdf"
    assert "not a readable PDF" in result["failed"][0]["message"]
    assert not rows(kb, "broken.pdf")


def test_a_volume_is_a_source(kb) -> None:
    info = kb.volumes.create("docs", "kb", "raw")
    make_pdf(Path(info.storage_location) / "manual.pdf")
    assert ingest(kb, "docs.kb.raw", TABLE).as_dict()["files_parsed"] == 1
    assert {r["source_path"] for r in rows(kb)} == {"manual.pdf"}


def test_grants_apply(kb, tmp_path: Path) -> None:
    docs = make_docs(tmp_path / "docs")
    kb.platform.principals.create("user", "bob")
    kb.grants.update("catalog", "docs", [{"principal": "bob", "add": ["USE_CATALOG"]}])
    kb.grants.update("schema", "docs.kb", [{"principal": "bob", "add": ["USE_SCHEMA"]}])
    bob = kb.as_principal("bob")
    with pytest.raises(PermissionDenied, match="CREATE_TABLE"):
        ingest(bob, docs, TABLE)
    ingest(kb, docs / "guide.md", TABLE)
    kb.grants.update("table", TABLE, [{"principal": "bob", "add": ["SELECT"]}])
    with pytest.raises(PermissionDenied, match="MODIFY"):
        ingest(bob, docs, TABLE)
    kb.grants.update("table", TABLE, [{"principal": "bob", "add": ["MODIFY"]}])
    assert ingest(bob, docs, TABLE).as_dict()["files_parsed"] == 3


def test_remote_client(live_server, tmp_path: Path) -> None:
    import lakeai

    docs = make_docs(tmp_path / "docs")
    with lakeai.connect(live_server.url, live_server.token) as remote:
        remote.catalogs.create("remote_docs")
        remote.schemas.create("remote_docs", "kb")
        name = "remote_docs.kb.chunks"
        assert ingest(remote, docs, name).as_dict()["files_parsed"] == 4
        version = remote.tables.version(name)
        assert ingest(remote, docs, name).as_dict()["files_unchanged"] == 4
        assert remote.tables.version(name) == version
    from tests.cli.conftest import invoke

    target = ["--host", live_server.url, "--token", live_server.token]
    out = invoke([*target, "ingest", str(docs), "--table", name, "--prune", "--json"])
    assert json.loads(out.stdout)["files_unchanged"] == 4


def test_cli(tmp_path: Path) -> None:
    from tests.cli.conftest import invoke

    docs = make_docs(tmp_path / "docs")
    (docs / "broken.pdf").write_bytes(b"not a pdf")
    base = ["--workspace", str(tmp_path / "ws")]
    assert invoke([*base, "catalogs", "create", "docs"]).exit_code == 0
    assert invoke([*base, "schemas", "create", "docs.kb"]).exit_code == 0
    out = invoke([*base, "ingest", str(docs), "--table", TABLE, "--chunk-tokens", "64"])
    assert out.exit_code == 0, out.stderr
    assert "4 file(s) parsed" in out.stdout and "1 failed" in out.stdout
    assert "broken.pdf" in out.stdout and "logo.png" in out.stdout
    again = invoke([*base, "ingest", str(docs), "-t", TABLE, "--chunk-tokens", "64", "--json"])
    summary = json.loads(again.stdout)
    assert summary["files_unchanged"] == 4 and summary["chunks_written"] == 0
    bad = invoke([*base, "ingest", str(docs), "-t", TABLE, "--overlap", "200"])
    assert bad.exit_code == 1 and "INVALID_PARAMETER_VALUE" in bad.stderr
    missing = invoke([*base, "ingest", str(tmp_path / "nope"), "-t", TABLE])
    assert missing.exit_code == 1 and "No file or folder" in missing.stderr
