"""The flows: ``crawl``, ``extract``, ``load_publish``, ``nightly`` (all four, once a night) and ``rebuild``.

One flow run per night (a flow run costs ~1 s, a task ~5 ms — see research/perf-baseline.md): the
stages below are plain functions that submit tasks inside whichever flow calls them, so ``nightly``
chains them without paying for sub-flows, and the stage flows exist for running one stage alone.

Incremental by design:
 - crawl: the first page of every list column is asked every night with ETag / Last-Modified (an
   unchanged site answers 304s); known documents and the pages behind an unchanged first page are
   checked weekly and failed documents retried after a growing pause (``extract.crawl.crawl``);
 - extract: only archived documents without a JSON for the current parser version;
 - load + publish: skipped when no document was extracted and no report link changed state; the
   manifest rows of a skipped night are loaded with the next night that changes something.
The warehouse has one writer: this process, holding the run lock; extraction may run elsewhere
(Dask) because it only writes ``extracted/<sha256>.json`` files.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger

from extract.crawl.archive import Archive
from extract.crawl.fetch import Fetcher
from extract.crawl.registry import load_registry
from extract.crawl.runner import select_sites
from extract.datalayout import DataLayout
from flows import progress
from flows.notify import late_reason, notify
from flows.settings import Settings
from flows.summary import RunSummary, crawl_counts, failed_site_row, link_problems, markdown, site_row
from flows.tasks import crawl_site_task, extract_chunk_task, load_task, publish_task, report_task
from transform.batch import BatchSummary, DocumentOutcome, PendingDocument, archived_documents, chunked, find_pending
from transform.report import PARSER_VERSION
from warehouse.lock import loader_lock, run_lock
from warehouse.publish import start_work_db
from warehouse.runs import loaded_documents, select_to_load, warehouse_totals

logger = logging.getLogger(__name__)

SUMMARY_ARTIFACT_KEY = "xxgk-nightly-summary"
DEFAULT_RUN_TIMEOUT_S = Settings.model_fields["run_timeout_s"].default  # deployments; the CLI applies the setting


def new_run_id(prefix: str = "nightly") -> str:
    return datetime.now(UTC).strftime(f"{prefix}-%Y%m%dT%H%M%S%fZ")


def _settings(overrides: dict | None) -> Settings:
    return Settings(**(overrides or {}))


@contextmanager
def _timed(summary: RunSummary, stage: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        summary.stages[stage] = round(time.perf_counter() - started, 3)


# ------------------------------------------------------------------------------------------ stages


def crawl_stage(settings: Settings, summary: RunSummary, site_ids: list[str] | None = None) -> list[dict]:
    """Crawl every enabled site (a task each, in threads sharing one polite fetcher); return the manifest."""
    archive = Archive(settings.data_dir)
    sites = select_sites(load_registry(settings.sites_file), site_ids)
    task = site_task(settings)
    progress.start("crawl", len(sites))
    with Fetcher(settings.fetch_settings()) as fetcher:
        futures = [(site, task.submit(site, archive, fetcher, summary.run_id, settings.max_list_pages,
                                      retry_if_down=settings.crawl_retries > 0))
                   for site in sites]
        for site, future in futures:
            future.wait()
            if future.state.is_completed():
                row = site_row(future.result())
            else:
                row = failed_site_row(site.id, _state_message(future.state))
            summary.sites.append(row)
            summary.problems += [f"site {row['site']}: {error}" for error in row["errors"]]
            progress.advance("crawl")
    rows = archive.manifest()
    summary.documents = crawl_counts(rows, summary.run_id)
    summary.problems += link_problems(rows, summary.run_id)
    return rows


def site_task(settings: Settings):
    """The crawl task of one site, with its retries.

    No Prefect time limit here: site tasks run in worker threads, where Prefect cannot interrupt a blocking
    read (it only warns, once per task). The crawler bounds each site itself (download deadlines, the
    3 h site budget) and the flow's time limit bounds the night.
    """
    return crawl_site_task.with_options(retries=settings.crawl_retries,
                                        retry_delay_seconds=settings.crawl_retry_delay_s)


def with_limits(flow_, settings: Settings):
    """``nightly`` or ``rebuild`` with this run's time limit (the decorators carry the default)."""
    return flow_.with_options(timeout_seconds=settings.run_timeout_s)


def _state_message(state) -> str:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - we only want the reason of a failed task
        return f"{type(exc).__name__}: {exc}"
    return state.message or state.name


def extract_stage(settings: Settings, summary: RunSummary, manifest_rows: list[dict], *,
                  everything: bool = False) -> BatchSummary:
    """Extract new and changed archived documents (all of them with ``everything``), chunk by chunk."""
    os.environ.update(settings.ocr_environment())  # OCR on/off and its time limit, for every worker process
    docs = archived_documents(manifest_rows) if everything else find_pending(settings.data_dir, manifest_rows)
    progress.start("extract", len(docs))
    if not docs:
        batch = BatchSummary()
    elif settings.task_runner == "dask":
        batch = _extract_on_dask(settings, docs)
    else:
        batch = _extract_locally(settings, docs)
    summary.extraction = {k: v for k, v in batch.as_dict().items() if k != "outcomes"}
    summary.problems += [f"document {o.source} ({o.sha256[:12]}): {o.status}: {o.message}"
                         for o in batch.outcomes if o.message]
    return batch


def _chunk_parameters(settings: Settings, chunk: list[PendingDocument], workers: int, label: str) -> dict:
    return dict(docs=chunk, data_dir=str(settings.data_dir), workers=workers, timeout_s=settings.extract_timeout_s,
                memory_mb=settings.extract_memory_mb, max_file_mb=settings.extract_max_file_mb, label=label)


def _collect(future, chunk: list[PendingDocument]) -> BatchSummary:
    """A chunk's result; a chunk whose task died becomes failed outcomes (retried next night: no JSON)."""
    future.wait()
    if future.state.is_completed():
        return future.result()
    reason = _state_message(future.state)
    return BatchSummary([DocumentOutcome(d.sha256, d.source, "failed", 0.0, 0, f"extract task failed: {reason}")
                         for d in chunk])


def _extract_locally(settings: Settings, docs: list[PendingDocument]) -> BatchSummary:
    # Chunks run one after another: each already keeps every core busy with its process pool.
    chunks = chunked(docs, settings.chunk_size)
    total = BatchSummary(workers=settings.workers)
    for i, chunk in enumerate(chunks, 1):
        # No Prefect time limit on a chunk (a worker thread, see site_task): every document in it has its own.
        future = extract_chunk_task.submit(**_chunk_parameters(settings, chunk, settings.workers,
                                                               f"{i}/{len(chunks)}"))
        total = total.merge(_collect(future, chunk))
    return total


def _extract_on_dask(settings: Settings, docs: list[PendingDocument]) -> BatchSummary:
    """Fan chunks out to an existing Dask cluster; workers must see the same data directory."""
    from prefect_dask import DaskTaskRunner

    if not settings.dask_address:
        raise ValueError("task_runner=dask needs a scheduler address (--dask-address / XXGK_DASK_ADDRESS)")
    chunks = chunked(docs, settings.dask_chunk_size)
    started = time.perf_counter()
    with DaskTaskRunner(address=settings.dask_address) as runner:
        futures = [(chunk, runner.submit(extract_chunk_task, parameters=_chunk_parameters(
            settings, chunk, settings.dask_chunk_workers, f"{i}/{len(chunks)}")))
            for i, chunk in enumerate(chunks, 1)]
        total = BatchSummary(workers=settings.dask_chunk_workers)
        for chunk, future in futures:
            total = total.merge(_collect(future, chunk))
    total.seconds = time.perf_counter() - started  # wall time, not the sum over workers
    return total


def load_publish_stage(settings: Settings, summary: RunSummary, manifest_rows: list[dict], *,
                       fresh: bool = False) -> None:
    """Load what the warehouse lacks into a working copy, publish it atomically, export CSVs.

    Skipped when nothing would change. ``fresh`` builds a new warehouse from every extracted document.
    """
    published, work = settings.published_db, settings.work_db
    loaded, loaded_runs = ({}, set()) if fresh else loaded_documents(published)
    to_load, new_rows = select_to_load(settings.data_dir, manifest_rows, loaded, loaded_runs)
    if not (fresh or to_load or summary.documents.get("links_changed") or not published.exists()):
        summary.skipped.append("load and publish: no new document and no report link changed state")
        summary.warehouse = warehouse_totals(published)
        return
    with loader_lock(work):  # the lock `xxgk load` takes too
        with _timed(summary, "load"):
            start_work_db(published, work, fresh=fresh)
            summary.load = load_task(work, to_load, new_rows)
        with _timed(summary, "publish"):
            summary.exports = publish_task(work, published, settings.exports_dir)
            summary.exports.append(report_task(published, settings.report_dir, settings.layout.objects_dir))
    summary.warehouse = warehouse_totals(published)


def write_artifact(summary: RunSummary) -> None:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(markdown(summary), key=SUMMARY_ARTIFACT_KEY,
                             description=f"xxgk run {summary.run_id}: sites, documents, states, warehouse totals")
    if summary.sites:
        create_table_artifact([{k: (", ".join(v) if isinstance(v, list) else v) for k, v in row.items()}
                               for row in summary.sites], key="xxgk-nightly-sites",
                              description=f"report links by state per site, run {summary.run_id}")


SCRATCH_PREFIX = "xxgk-run-"


def system_temp_dir() -> Path:
    """The machine's temporary folder (``TMPDIR``), even after ``use_scratch_dir`` pointed this process into
    a folder of its own inside it."""
    current = Path(tempfile.gettempdir())
    return current.parent if current.name.startswith(SCRATCH_PREFIX) else current


def use_scratch_dir(layout: DataLayout) -> Path:
    """This process's temporary folder, ``$TMPDIR/xxgk-run-<pid>``, after removing what killed runs left.

    Temporary files of this process (multiprocessing's forkserver socket and pool files among them) go
    there from now on, so a run killed with ``kill -9`` leaves them in one folder named by its pid, which
    the next run removes once that pid is gone. The folder stays short on purpose: a forkserver socket
    path must fit in 107 bytes, which a folder inside a deep data directory would not. Called holding the
    run lock, which also makes every half-written ``extracted/.tmp-*.json`` a leftover. The folder of this
    process is kept for its later runs (``xxgk demo`` runs two nights in one process; its forkserver lives on).
    """
    base = system_temp_dir()
    mine = base / f"{SCRATCH_PREFIX}{os.getpid()}"
    for stale in base.glob(f"{SCRATCH_PREFIX}*"):
        if stale != mine and not _alive(stale.name.removeprefix(SCRATCH_PREFIX)):
            shutil.rmtree(stale, ignore_errors=True)
    for half_written in layout.extracted_dir.glob(".tmp-*.json"):
        half_written.unlink(missing_ok=True)
    mine.mkdir(parents=True, exist_ok=True)
    os.environ["TMPDIR"] = str(mine)
    tempfile.tempdir = str(mine)
    return mine


def _alive(pid: str) -> bool:
    """Whether the process ``pid`` still runs (a name that is no pid counts as alive: not ours to remove)."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def run_all(settings: Settings, *, run_id: str, site_ids: list[str] | None = None, rebuild: bool = False) -> RunSummary:
    """Crawl (unless rebuilding) → extract → load → publish, then the summary artifact; inside a flow."""
    summary = RunSummary(run_id=run_id, parser_version=PARSER_VERSION)
    started = time.perf_counter()
    try:
        with run_lock(settings.data_dir):
            use_scratch_dir(settings.layout)
            if rebuild:
                rows = Archive(settings.data_dir).manifest()
            else:
                with _timed(summary, "crawl"):
                    rows = crawl_stage(settings, summary, site_ids)
            with _timed(summary, "extract"):
                extract_stage(settings, summary, rows, everything=rebuild)
            load_publish_stage(settings, summary, rows, fresh=rebuild)
    except BaseException as exc:  # a flow time-out arrives as a TimeoutError or a cancellation
        summary.problems.append(f"run stopped: {type(exc).__name__}: {exc}")
        notify(settings.notify_webhook_url, "failed", run_id, summary.problems[-1], time.perf_counter() - started,
               summary.problems)
        raise
    else:
        late = late_reason(time.perf_counter() - started, settings.late_after_s)
        if late:
            notify(settings.notify_webhook_url, "late", run_id, late, time.perf_counter() - started, summary.problems)
    finally:
        summary.stages["total"] = round(time.perf_counter() - started, 3)
        write_artifact(summary)
        get_run_logger().info("run %s: %d sites, %d report links, %d extracted, load %s", run_id,
                              len(summary.sites), summary.documents.get("found", 0),
                              summary.extraction.get("documents", 0), "skipped" if summary.load is None else "done")
    return summary


# ------------------------------------------------------------------------------------------- flows


def current_run_id(prefix: str) -> str:
    """The flow run's name, which the flows set to a new run id: the summary, the manifest rows and the
    Prefect UI then name the night alike."""
    from prefect.runtime import flow_run

    name = flow_run.name
    return name if isinstance(name, str) and name.startswith(prefix + "-") else new_run_id(prefix)


@flow(name="xxgk-nightly", flow_run_name=lambda: new_run_id(), timeout_seconds=DEFAULT_RUN_TIMEOUT_S)
def nightly(overrides: dict | None = None, site_ids: list[str] | None = None) -> dict:
    """The night: crawl every district, extract what is new, load, publish, export, summarize."""
    return run_all(_settings(overrides), run_id=current_run_id("nightly"), site_ids=site_ids).as_dict()


@flow(name="xxgk-rebuild", flow_run_name=lambda: new_run_id("rebuild"), timeout_seconds=DEFAULT_RUN_TIMEOUT_S)
def rebuild(overrides: dict | None = None) -> dict:
    """Re-extract every archived document with the current parser into a fresh warehouse (no crawling)."""
    return run_all(_settings(overrides), run_id=current_run_id("rebuild"), rebuild=True).as_dict()


@flow(name="xxgk-crawl")
def crawl(overrides: dict | None = None, site_ids: list[str] | None = None) -> dict:
    """Only crawl (a task per site)."""
    settings = _settings(overrides)
    summary = RunSummary(run_id=new_run_id("crawl"))
    with run_lock(settings.data_dir):
        crawl_stage(settings, summary, site_ids)
    return summary.as_dict()


@flow(name="xxgk-extract")
def extract(overrides: dict | None = None) -> dict:
    """Only extract archived documents that have no result for the current parser."""
    settings = _settings(overrides)
    summary = RunSummary(run_id=new_run_id("extract"))
    with run_lock(settings.data_dir):
        extract_stage(settings, summary, Archive(settings.data_dir).manifest())
    return summary.as_dict()


@flow(name="xxgk-load-publish")
def load_publish(overrides: dict | None = None) -> dict:
    """Only load what the warehouse lacks, publish atomically and export CSVs."""
    settings = _settings(overrides)
    summary = RunSummary(run_id=new_run_id("load"))
    summary.documents = {"links_changed": 1}  # run on request: do not skip
    with run_lock(settings.data_dir):
        load_publish_stage(settings, summary, Archive(settings.data_dir).manifest())
    return summary.as_dict()
