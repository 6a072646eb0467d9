"""``xxgk extract``: local files → JSON Lines of extraction results on stdout (logs on stderr)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("extract")(extract_command)


def extract_command(
    paths: list[Path] = typer.Argument(..., help="PDF, HTML or DOCX files (anything else is reported unsupported)."),
    as_json: bool = typer.Option(True, "--json/--summary", help="JSON Lines on stdout (default) or a short table."),
    timeout: float = typer.Option(120.0, help="Seconds allowed per document before it is stopped and marked failed."),
    isolate: bool = typer.Option(True, help="Parse each document in its own child process with time/memory limits."),
) -> None:
    """Extract the statistics tables of each report file, one JSON object per input line."""
    from transform.runner import extract_file, extract_isolated

    for path in paths:
        if isolate and path.is_file():
            result = extract_isolated(path.read_bytes(), str(path), timeout_s=timeout)
        else:
            result = extract_file(path)
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            rep = result.get("report", {})
            errs = [i["code"] for i in result.get("issues", []) if i["severity"] == "error"]
            typer.echo(f"{result['status']:<13} {rep.get('year')} {rep.get('agency')}  {path}  {','.join(errs)}")
        print(f"{path}: {result['status']}", file=sys.stderr)
