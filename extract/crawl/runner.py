"""Run a crawl over the registry with a progress display and a per-site summary table (``xxgk crawl``)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from extract.crawl.archive import Archive
from extract.crawl.fetch import FetchSettings, Fetcher
from extract.crawl.crawl import REPORT_STATES, SiteSummary, crawl_site
from extract.crawl.registry import SiteConfig, load_registry

logger = logging.getLogger(__name__)

# (header, states summed): short headers so the table fits an 100-column terminal
SUMMARY_COLUMNS = (
    ("new", ("new",)), ("changed", ("changed",)), ("same", ("unchanged", "not_modified")),
    ("dup", ("duplicate",)), ("failed", ("failed",)), ("blocked", ("blocked",)), ("robots", ("robots_skipped",)),
    ("offsite", ("off_allowlist",)), ("gone", ("not_found", "gone")),
)


def select_sites(sites: list[SiteConfig], site_ids: list[str] | None) -> list[SiteConfig]:
    if not site_ids:
        return [s for s in sites if s.enabled]
    by_id = {s.id: s for s in sites}
    unknown = [i for i in site_ids if i not in by_id]
    if unknown:
        raise ValueError(f"unknown site id(s): {', '.join(unknown)}; known: {', '.join(by_id)}")
    return [by_id[i] for i in site_ids]


def crawl_sites(sites: list[SiteConfig], archive: Archive, settings: FetchSettings, *, run_id: str,
                max_pages: int | None = None, workers: int = 4, on_report=None, on_done=None) -> list[SiteSummary]:
    """Crawl sites in parallel threads (the fetcher keeps hosts polite); one failing site never stops others."""
    with Fetcher(settings) as fetcher:
        def one(site: SiteConfig) -> SiteSummary:
            try:
                summary = crawl_site(site, archive, fetcher, run_id=run_id, max_pages=max_pages,
                                     on_report=(lambda o: on_report(site.id, o)) if on_report else None)
            except Exception as exc:
                logger.exception("site %s failed", site.id)
                summary = SiteSummary(site.id, errors=[f"{type(exc).__name__}: {exc}"])
            if on_done:
                on_done(summary)
            return summary

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(pool.map(one, sites))


def summary_table(summaries: list[SiteSummary]):
    """One row per site: report candidates by state (same = unchanged or 304), list/article pages fetched."""
    from rich import box
    from rich.table import Table

    table = Table(title="crawl summary (report candidates by state)", box=box.SIMPLE_HEAD, pad_edge=False,
                  padding=(0, 1), collapse_padding=True, show_edge=False)
    for header in ("site", "family", "found", *(h for h, _ in SUMMARY_COLUMNS), "pages"):
        table.add_column(header, justify="left" if header in ("site", "family") else "right")
    for s in summaries:
        counts = [sum(s.states[state] for state in states) for _, states in SUMMARY_COLUMNS]
        table.add_row(s.site, ",".join(s.families) or "-", str(s.found), *(str(c) if c else "·" for c in counts),
                      str(sum(s.pages.values())))
    return table


def run_crawl(*, sites_file: Path, data_dir: Path, site_ids=None, max_pages=None, min_delay=3.0, jitter=1.5,
              crawl_delay_scale=1.0, workers=4, run_id=None, read_timeout=30.0, site_budget=3 * 3600.0,
              nightly_check=True, nightly_check_days=None) -> int:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console()
    if not console.is_terminal:
        console = Console(width=140)  # logs and CI: do not squeeze the summary table to 80 columns
    sites = select_sites(load_registry(sites_file), site_ids)
    settings = FetchSettings(min_delay_s=min_delay, jitter_s=jitter, crawl_delay_scale=crawl_delay_scale,
                             read_timeout_s=read_timeout,
                             site_time_budget_s=site_budget, check_known_nightly=nightly_check,
                             check_nightly_max_age_days=nightly_check_days)
    run_id = run_id or datetime.now(timezone.utc).strftime("crawl-%Y%m%dT%H%M%SZ")
    archive = Archive(data_dir)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.fields[status]}"),
                  TimeElapsedColumn(), console=console) as progress:
        tasks = {s.id: progress.add_task(s.id, total=None, status="") for s in sites}
        counts = {s.id: 0 for s in sites}

        def on_report(site_id, outcome):
            counts[site_id] += 1
            progress.update(tasks[site_id], status=f"{counts[site_id]} reports · last: {outcome.state}")

        def on_done(summary):
            progress.update(tasks[summary.site], status=f"done: {summary.found} reports", total=1, completed=1)

        summaries = crawl_sites(sites, archive, settings, run_id=run_id, max_pages=max_pages, workers=workers,
                                on_report=on_report, on_done=on_done)
    console.print(summary_table(summaries))
    for s in summaries:
        for line in s.notes + s.errors:
            console.print(f"[yellow]{s.site}[/]: {line}")
    console.print(f"run {run_id}: manifest {archive.manifest_path}")
    return 1 if all(s.errors and not s.found for s in summaries) and summaries else 0


__all__ = ["REPORT_STATES", "crawl_sites", "run_crawl", "select_sites", "summary_table"]
