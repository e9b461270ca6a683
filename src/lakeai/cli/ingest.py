"""``lakeai ingest DOCS --table c.s.chunks``: parse and chunk documents into a Delta table.

A thin shell over ``lakeai.vectorsearch.ingest.ingest``: it shows a progress bar of files
(on a terminal only, on stderr, so ``--json`` output stays clean) and prints a summary. A file
that fails to parse is listed and the exit code is still 0, because the other files were
written; scripts read ``files_failed`` from ``--json``. Errors of the run itself (no grant, a
bad table name) are one line and exit code 1, as for every command.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lakeai.cli.context import workspace
from lakeai.cli.options import JsonOpt
from lakeai.cli.output import console, print_json, print_rows, wants_json


def ingest(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help="A folder, a file, or a volume (catalog.schema.volume).")
    ],
    table: Annotated[
        str, typer.Option("--table", "-t", help="Chunk table catalog.schema.name (created).")
    ],
    chunk_tokens: Annotated[
        int, typer.Option("--chunk-tokens", help="Most tokens in one chunk.")
    ] = 256,
    overlap: Annotated[
        int, typer.Option("--overlap", help="Tokens shared by consecutive chunks of a text.")
    ] = 32,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete the chunks of files no longer in the folder.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Parse PDF, Markdown, HTML and text files into chunks and merge them into a table."""
    from lakeai.vectorsearch.ingest import ingest as run_ingest

    as_json = wants_json(ctx, json)
    ws = workspace(ctx)
    err = console(stderr=True)
    bar = _progress_bar(err, disable=as_json or not err.is_terminal)
    with bar:
        task = bar.add_task("files", total=None)

        def progress(outcome: Any, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=outcome.source_path)

        result = run_ingest(
            ws, source, table, chunk_tokens=chunk_tokens, overlap=overlap, prune=prune,
            progress=progress,
        )  # fmt: skip
    if as_json:
        print_json(result.as_dict())
        return
    _summary(result.as_dict())


def _progress_bar(err: Any, *, disable: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[dim]{task.description}"),
        console=err,
        transient=True,
        disable=disable,
    )


def _summary(summary: dict[str, Any]) -> None:
    from rich.markup import escape

    out = console()
    if summary["failed"]:
        rows = [{"file": f["source_path"], "error": f["message"]} for f in summary["failed"]]
        print_rows(rows, ["file", "error"], title="Failed")
    if summary["unsupported"]:
        out.print(f"[yellow]Skipped (no parser): {escape(', '.join(summary['unsupported']))}")
    if summary["pruned"]:
        out.print(f"Pruned: {escape(', '.join(summary['pruned']))}")
    colour = "red" if summary["files_failed"] else "green"
    out.print(
        f"[{colour}]{summary['files_parsed']} file(s) parsed, "
        f"{summary['files_unchanged']} unchanged, {summary['files_unsupported']} unsupported, "
        f"{summary['files_failed']} failed; {summary['chunks_written']} chunk(s) written, "
        f"{summary['chunks_deleted']} deleted in {escape(summary['table'])}.[/{colour}]"
    )
