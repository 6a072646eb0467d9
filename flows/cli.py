"""The ``xxgk`` command line: one small app mirroring the pipeline stages.

Each stage registers its own commands (``register(app)``) so the CLI stays thin; heavy imports
(pdfplumber, duckdb, prefect) happen inside the commands, keeping ``xxgk --help`` fast.
"""

from __future__ import annotations

import sys

import typer

app = typer.Typer(
    name="xxgk",
    help="政府信息公开工作年度报告 pipeline: crawl → archive → extract → validate → warehouse → compare.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        from transform.report import PARSER_VERSION

        try:
            package = version("xxgk")
        except PackageNotFoundError:  # run from a checkout that was not installed
            package = "(not installed)"
        typer.echo(f"xxgk {package} (parser {PARSER_VERSION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                 help="Print the xxgk and parser versions and exit."),
) -> None:
    """Pipeline for 政府信息公开工作年度报告: crawl, extract, load, compare, export."""


def _register_stages() -> None:
    from transform.cli import register as register_extract
    from extract.crawl.cli import register as register_sites
    from flows.commands import register as register_flows
    from warehouse.cli import register as register_warehouse

    register_extract(app)
    register_sites(app)
    register_warehouse(app)
    register_flows(app)


_register_stages()


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr; pdfminer's per-glyph font warnings are noise for our users."""
    import logging
    import os

    logging.basicConfig(level=os.environ.get("XXGK_LOG_LEVEL", level), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("pdfminer", "httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def main() -> None:
    """Console-script entry point: an ordinary mistake (unknown option, bad value) is one line on stderr."""
    try:  # Typer ≥ 0.20 carries its own copy of Click
        from typer._click import exceptions as errors
    except ImportError:  # pragma: no cover - older Typer on Click
        from click import exceptions as errors

    configure_logging("WARNING")
    try:
        code = app(standalone_mode=False)
    except errors.NoArgsIsHelpError as exc:
        typer.echo(exc.format_message())
        code = 2
    except errors.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "xxgk"
        typer.echo(f"{command}: {exc.format_message()} (see {command} --help)", err=True)
        code = exc.exit_code
    except errors.ClickException as exc:
        typer.echo(f"xxgk: {exc.format_message()}", err=True)
        code = exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
