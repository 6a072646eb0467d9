"""Prefect tasks: thin wrappers over library calls. Retries live on the network task only.

Tasks never hash their inputs (``NO_CACHE``): the inputs are live objects (a fetcher, the archive) or
long document lists, and a night must always look at the sites again.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from extract.crawl.crawl import crawl_site
from flows import progress
from transform.batch import BatchSummary, PendingDocument, extract_documents
from warehouse.export import export_csv
from warehouse.load import load_results
from warehouse.publish import publish
from warehouse.runs import read_result_files


class SiteUnreachable(RuntimeError):
    """Every entry of a site failed at the network level: worth a retry later in the night."""


def site_unreachable(summary) -> bool:
    """No report link found and every error is a network failure (not a WAF block, not robots rules)."""
    if summary.found or not summary.errors:
        return False
    return all(("failed" in e or "unreachable" in e) and "blocked" not in e for e in summary.errors)


@task(name="crawl-site", task_run_name="crawl {site.id}", cache_policy=NO_CACHE)
def crawl_site_task(site, archive, fetcher, run_id: str, max_pages: int | None = None, retry_if_down: bool = False):
    """Discover, fetch and archive one site's reports; returns its ``SiteSummary``.

    With ``retry_if_down``, raises ``SiteUnreachable`` when the whole site was down, so Prefect retries
    it later in the night (and marks the task failed if it stays down); otherwise the errors are in
    the returned summary.
    """
    summary = crawl_site(site, archive, fetcher, run_id=run_id, max_pages=max_pages)
    if retry_if_down and site_unreachable(summary):
        raise SiteUnreachable(f"{site.id}: " + "; ".join(summary.errors))
    return summary


@task(name="extract-chunk", task_run_name="extract {label}", cache_policy=NO_CACHE)
def extract_chunk_task(docs: list[PendingDocument], data_dir: str, workers: int, timeout_s: float,
                       memory_mb: int, max_file_mb: float = 200.0, label: str = "") -> BatchSummary:
    """Extract one chunk of archived documents (a process pool of ``workers``) and write their JSON."""
    return extract_documents(docs, data_dir, workers=workers, timeout_s=timeout_s, memory_mb=memory_mb,
                             max_file_mb=max_file_mb, on_outcome=lambda _outcome: progress.advance("extract"))


# Backstops: a load of the whole archive takes minutes (benchmarks/RESULTS.md); hours means stuck.
LOAD_TIMEOUT_S = 3 * 3600.0
PUBLISH_TIMEOUT_S = 3600.0


@task(name="load-warehouse", cache_policy=NO_CACHE, timeout_seconds=LOAD_TIMEOUT_S)
def load_task(work_db: Path, result_paths: list[Path], manifest_rows: list[dict]) -> dict:
    """Load extract JSON files (read lazily, in the given order) and manifest rows into the working copy."""
    return load_results(work_db, read_result_files(result_paths), manifest_rows)


@task(name="publish-warehouse", cache_policy=NO_CACHE, timeout_seconds=PUBLISH_TIMEOUT_S)
def publish_task(work_db: Path, published_db: Path, exports_dir: Path) -> list[str]:
    """Atomically publish the working copy, then write the CSV exports from the published file."""
    publish(work_db, published_db)
    return [str(p) for p in export_csv(published_db, exports_dir)]


@task(name="build-report", cache_policy=NO_CACHE, timeout_seconds=PUBLISH_TIMEOUT_S)
def report_task(published_db: Path, report_dir: Path, objects_dir: Path) -> str:
    """The offline HTML report site (``xxgk report``) over the published warehouse; returns index.html."""
    from warehouse.report import build_report

    return str(build_report(published_db, report_dir, objects_dir))
