"""CLI commands of the warehouse stage: ``xxgk load``, ``xxgk query``, ``xxgk export``.

Heavy imports (duckdb, pandas) happen inside the commands so ``xxgk --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import typer

from extract.datalayout import DATA_DIR_ENV, DataLayout

DataDir = typer.Option(None, "--data-dir", envvar=DATA_DIR_ENV,
                       help="Data directory (raw/, extracted/, warehouse/; default data/ or XXGK_DATA_DIR).")


def _published(data_dir: Path | None) -> Path:
    return DataLayout.from_env(data_dir).published_db


def load(
    data_dir: Path | None = DataDir,
    from_json: Path | None = typer.Option(
        None, "--from-json", help="JSON Lines file of `xxgk extract` output."
    ),
    db: Path | None = typer.Option(
        None, "--db", help="Published warehouse (default DATA_DIR/warehouse/xxgk.duckdb)."
    ),
) -> None:
    """Load extraction results into a working copy, then publish it atomically."""
    import json
    import logging

    from warehouse.load import BadExtractFile, check_json_lines, iter_json_lines, load_archive, load_results
    from warehouse.publish import working_copy

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if from_json is not None:
        try:
            check_json_lines(from_json)  # the whole file, before a working copy is made
        except BadExtractFile as exc:
            typer.echo(f"xxgk load: {exc}", err=True)
            raise typer.Exit(2) from None
    published = db or _published(data_dir)
    with working_copy(published) as work:
        if from_json is not None:
            summary = load_results(work, iter_json_lines(from_json))
        else:
            summary = load_archive(work, DataLayout.from_env(data_dir).root)
    typer.echo(json.dumps(summary, ensure_ascii=False, indent=1))


def query(
    sql: str = typer.Argument(..., help="SQL to run against the published warehouse (read-only)."),
    csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
    db: Path | None = typer.Option(None, "--db", help="Warehouse file (default DATA_DIR/warehouse/xxgk.duckdb)."),
    data_dir: Path | None = DataDir,
    limit: int = typer.Option(200, "--limit", help="Rows shown in table mode (CSV prints all)."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds a query may run before it is stopped."),
    memory_limit: str = typer.Option("2GB", "--memory-limit", help="DuckDB memory limit of the query."),
) -> None:
    """Run SQL on the published warehouse, opened read-only and closed to every other file, and print it."""
    import sys

    from warehouse.query import QueryLimits, QueryRefused, open_sandboxed, run_query

    try:
        if timeout <= 0:
            raise QueryRefused("--timeout must be more than 0 seconds")
        con = open_sandboxed(db or _published(data_dir), QueryLimits(timeout_s=timeout, memory_limit=memory_limit))
        try:
            frame = run_query(con, sql, timeout, max_rows=None if csv else limit)
        finally:
            con.close()
    except QueryRefused as exc:
        typer.echo(f"xxgk query: {exc}", err=True)
        raise typer.Exit(1) from None
    if csv:
        frame.to_csv(sys.stdout, index=False)
        return
    _print_table(frame, limit)


def _print_table(frame, limit: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    shown = frame.head(limit)
    if _too_wide(frame, console.width):
        _print_records(console, shown)
    else:
        table = Table(show_lines=False)
        for column in frame.columns:
            table.add_column(str(column), overflow="fold")
        for row in shown.itertuples(index=False):
            table.add_row(*[_text(v) for v in row])
        console.print(table)
    if len(frame) > limit:
        console.print(f"… more rows than the {limit} shown (use --limit N, or --csv for all)")


# A column narrower than this prints as a stack of single characters: not readable.
MIN_COLUMN_WIDTH = 8


def _too_wide(frame, width: int) -> bool:
    return len(frame.columns) * (MIN_COLUMN_WIDTH + 3) > width


def _print_records(console, frame) -> None:
    """One block per row, one ``column  value`` line per column (psql's expanded display)."""
    console.print(f"{len(frame.columns)} columns are too many for a {console.width}-character terminal: "
                  "one block per row below (use --csv for a spreadsheet)", highlight=False)
    name_width = max(len(str(c)) for c in frame.columns)
    for number, row in enumerate(frame.itertuples(index=False), start=1):
        console.rule(f"row {number}")
        for column, value in zip(frame.columns, row):
            console.print(f"{str(column):<{name_width}}  {_text(value)}", highlight=False, markup=False,
                          overflow="fold")


def _text(value) -> str:
    return "" if _is_null(value) else str(value)


def _is_null(value) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists (bbox) and other containers are values, not nulls
        return False


def export(
    out: Path | None = typer.Option(None, "--out", help="Output directory (default DATA_DIR/exports)."),
    encoding: str = typer.Option("utf-8-sig", "--encoding", help="utf-8-sig (BOM, for Excel/WPS) or utf-8."),
    db: Path | None = typer.Option(None, "--db", help="Warehouse file (default DATA_DIR/warehouse/xxgk.duckdb)."),
    data_dir: Path | None = DataDir,
    lang: str = typer.Option("zh", "--lang", help="Column headers: zh (机关, 年度, 本年新收 …) or en (codes)."),
) -> None:
    """Write one CSV per out_ view plus the data dictionary, codes and rules."""
    from warehouse.export import export_csv

    layout = DataLayout.from_env(data_dir)
    source = db or layout.published_db
    problem = _export_problem(source, encoding, lang)
    if problem:
        typer.echo(f"xxgk export: {problem}", err=True)
        raise typer.Exit(2)
    for path in export_csv(source, out or layout.exports_dir, encoding=encoding, lang=lang):
        typer.echo(str(path))


def _export_problem(source: Path, encoding: str, lang: str) -> str | None:
    """What is wrong with an export request, checked before any file is written."""
    if encoding not in ("utf-8-sig", "utf-8"):
        return (f"--encoding {encoding}: CSVs are written as utf-8-sig (Excel/WPS) or utf-8; GBK cannot hold every "
                "agency name")
    if lang not in ("zh", "en"):
        return f"--lang {lang}: choose zh or en"
    if not Path(source).is_file():
        return f"no warehouse at {source} (run `xxgk load` or `xxgk run` first, or pass --db)"
    return None


def report(
    data_dir: Path | None = DataDir,
    db: Path | None = typer.Option(None, "--db", help="Warehouse file (default DATA_DIR/warehouse/xxgk.duckdb)."),
    out: Path | None = typer.Option(None, "--out", help="Site directory (default DATA_DIR/report)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Judge coverage on this date (YYYY-MM-DD; default today)."),
) -> None:
    """Write the offline HTML report site (charts, agency trends, evidence pages) and print where to open it."""
    from datetime import date

    from warehouse.report import build_report

    layout = DataLayout.from_env(data_dir)
    index = build_report(db or layout.published_db, out or layout.report_dir, layout.objects_dir,
                         as_of=date.fromisoformat(as_of) if as_of else None)
    typer.echo(f"report: open {index.resolve().as_uri()}")


def register(app: typer.Typer) -> None:
    """Add ``load``, ``query`` and ``export`` to the ``xxgk`` app."""
    app.command("load")(load)
    app.command("query")(query)
    app.command("export")(export)
    app.command("report")(report)
