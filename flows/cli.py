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


@app.callback()
def _root() -> None:
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
    """Console-script entry point."""
    configure_logging("WARNING")
    app()


if __name__ == "__main__":
    main()
