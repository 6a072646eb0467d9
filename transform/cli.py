"""``xxgk extract``: local files → JSON Lines of extraction results on stdout (logs on stderr)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("extract")(extract_command)


def extract_command(
    paths: list[Path] = typer.Argument(..., help="PDF, HTML or DOCX files (anything else is reported unsupported)."),
    as_json: bool = typer.Option(True, "--json/--summary", help="JSON Lines on stdout (default) or a short table."),
    timeout: float = typer.Option(120.0, help="Seconds allowed per document before it is stopped and marked failed."),
    memory_mb: int = typer.Option(3072, "--memory-mb", help="Memory the parsing of one document may use (MB)."),
    max_file_mb: float = typer.Option(200.0, "--max-file-mb",
                                      help="Larger files are not read (parser_limit, limit file_size)."),
    isolate: bool = typer.Option(True, help="Parse each document in its own child process with time/memory limits."),
    ocr: bool = typer.Option(True, "--ocr/--no-ocr", help="Read scanned pages and pictured tables by OCR "
                             "(offline; a few seconds per page). --no-ocr reports them unsupported."),
) -> None:
    """Extract the statistics tables of each report file, one JSON object per input line.

    Each file is opened and parsed in a child process with its own time and memory limit (unless
    --no-isolate; the child serves the next file unless this one ended badly): a FIFO, a device or a
    directory gets one ``unreadable_file`` object, a file over --max-file-mb a ``parser_limit`` one, and
    the files after it are still read. The exit status is 0 whenever every input produced an object.
    """
    import os

    from transform.runner import IsolatedExtractor, extract_file

    for name, value in (("--timeout", timeout), ("--memory-mb", memory_mb), ("--max-file-mb", max_file_mb)):
        if value <= 0:
            typer.echo(f"xxgk extract: {name} must be more than 0 (got {value:g})", err=True)
            raise typer.Exit(2)
    os.environ["XXGK_OCR"] = "1" if ocr else "0"  # read by extract.documents.ocr, inherited by child processes
    if isolate:
        # Warm this process once: the isolated child is forked from it (again after a file that ended badly),
        # and would otherwise import pdfplumber, PDFium and the OCR stack and load the label tables itself.
        from transform.runner import warm_up

        warm_up()

    with _progress(len(paths)) as advance, IsolatedExtractor() as extractor:
        for path in paths:
            if isolate:
                result = extractor.extract_path(path, timeout_s=timeout, memory_mb=memory_mb, max_file_mb=max_file_mb)
            else:
                result = extract_file(path, max_file_mb=max_file_mb)
            if as_json:
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                rep = result.get("report", {})
                errs = [i["code"] for i in result.get("issues", []) if i["severity"] == "error"]
                typer.echo(f"{result['status']:<13} {rep.get('year')} {rep.get('agency')}  {path}  {','.join(errs)}")
            advance(f"{path}: {result['status']}")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[str], None]]:
    """A bar with counts on stderr when it is a terminal and there is more than one file; otherwise one
    ``path: status`` line per file, as logs."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda line: print(line, file=sys.stderr)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("extract"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[last]}"), console=Console(stderr=True),
                   redirect_stdout=False, redirect_stderr=False)  # the JSON on stdout stays clean
    with bar:
        task = bar.add_task("extract", total=total, last="")
        yield lambda line: bar.update(task, advance=1, last=line[-60:])
