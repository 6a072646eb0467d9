"""CLI commands of this stage (registered on the ``xxgk`` app by ``flows.cli``): ``crawl``, ``sites check``."""

from __future__ import annotations

from pathlib import Path

import typer

from extract.datalayout import DATA_DIR_ENV, DEFAULT_DATA_DIR

DEFAULT_SITES = Path("data/registry/sites.yaml")


def crawl(
    site: list[str] = typer.Option(None, "--site", help="Site id to crawl (repeatable; default: all enabled)."),
    max_pages: int = typer.Option(None, "--max-pages", help="Cap list pages per column (overrides the registry)."),
    data_dir: Path = typer.Option(DEFAULT_DATA_DIR, "--data-dir", envvar=DATA_DIR_ENV, help="Data directory."),
    sites_file: Path = typer.Option(DEFAULT_SITES, "--sites", envvar="XXGK_SITES_FILE", help="Site registry YAML."),
    min_delay: float = typer.Option(3.0, "--min-delay", envvar="XXGK_MIN_DELAY_S",
                                    help="Minimum seconds between two requests to one host."),
    jitter: float = typer.Option(1.5, "--jitter", envvar="XXGK_JITTER_S", help="Random extra delay (0..jitter s)."),
    crawl_delay_scale: float = typer.Option(1.0, "--crawl-delay-scale", envvar="XXGK_CRAWL_DELAY_SCALE",
                                            help="Multiply site-imposed delays: robots Crawl-delay, registry "
                                                 "min_delay_s (demo/tests only)."),
    read_timeout: float = typer.Option(30.0, "--read-timeout", envvar="XXGK_READ_TIMEOUT_S",
                                       help="Seconds without a byte before a response is abandoned."),
    workers: int = typer.Option(4, "--workers", envvar="XXGK_CRAWL_WORKERS", help="Sites crawled in parallel."),
    site_budget: float = typer.Option(3 * 3600.0, "--site-budget", envvar="XXGK_SITE_TIME_BUDGET_S", min=1.0,
                                      help="Seconds one site may take; past it, its remaining links are failed."),
    nightly_check: bool = typer.Option(True, "--nightly-check/--no-nightly-check", envvar="XXGK_CHECK_KNOWN_NIGHTLY",
                                       help="Check known report files every night (replaced in place?)."),
    nightly_check_days: float = typer.Option(None, "--nightly-check-days", envvar="XXGK_CHECK_NIGHTLY_MAX_AGE_DAYS",
                                             min=1.0, help="Check nightly only reports published within N days."),
    run_id: str = typer.Option(None, "--run-id", help="Run id recorded in the manifest (default: a timestamp)."),
) -> None:
    """Discover and archive annual reports on the registry's district sites (politely)."""
    from extract.crawl.registry import load_registry
    from extract.crawl.runner import run_crawl, select_sites

    try:  # an unknown --site or an unreadable registry: one line, before anything is fetched
        select_sites(load_registry(sites_file), site or None)
    except (OSError, ValueError) as exc:
        typer.echo(f"xxgk crawl: {exc}", err=True)
        raise typer.Exit(2) from None
    code = run_crawl(sites_file=sites_file, data_dir=data_dir, site_ids=site or None, max_pages=max_pages,
                     min_delay=min_delay, jitter=jitter, crawl_delay_scale=crawl_delay_scale, workers=workers,
                     run_id=run_id, read_timeout=read_timeout, site_budget=site_budget, nightly_check=nightly_check,
                     nightly_check_days=nightly_check_days)
    raise typer.Exit(code)


def sites_check(
    sites_file: Path = typer.Option(DEFAULT_SITES, "--sites", envvar="XXGK_SITES_FILE", help="Site registry YAML."),
) -> None:
    """Validate the site registry; print every problem with the entry id and field."""
    from extract.crawl.registry import check_registry, load_registry

    errors = check_registry(sites_file)
    if errors:
        for line in errors:
            typer.echo(line, err=True)
        typer.echo(f"{len(errors)} problem(s) in {sites_file}", err=True)
        raise typer.Exit(1)
    sites = load_registry(sites_file)
    typer.echo(f"OK: {len(sites)} sites in {sites_file}")


def sites_families() -> None:
    """List the CMS families the crawler knows."""
    from extract.crawl.families import describe_families

    for fam in describe_families():
        typer.echo(f"{fam['name']:8} {fam['title']}\n         {fam['notes']}")


def register(app: typer.Typer) -> None:
    """Add ``crawl`` and the ``sites`` group to ``app``."""
    app.command("crawl")(crawl)
    sites_app = typer.Typer(help="The district site registry.", no_args_is_help=True)
    sites_app.command("check")(sites_check)
    sites_app.command("families")(sites_families)
    app.add_typer(sites_app, name="sites")
