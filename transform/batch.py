"""Extract every archived document that has no result for the current parser yet (library code, no Prefect).

``find_pending`` compares the archive with ``data/extracted/<sha256>.json``; ``extract_documents`` runs
``IsolatedExtractor.extract_path`` (a child process reads and parses each file, with time, memory and size
limits per file) over them in a process pool and writes each JSON atomically. The same function serves one machine
(``workers=N``) and one chunk on a Dask worker (``workers=1``): a chunk is just a shorter list.

Why a process pool and not threads: extraction is pure-Python CPU work (pdfplumber geometry, label
matching), so threads would share one core. Pool workers start from ``forkserver`` rather than being
forked from the caller, because the caller is usually a multi-threaded Prefect engine and forking a
threaded process can copy a held lock into the child.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extract.crawl.archive import STORED_STATES as ARCHIVED_STATES
from extract.crawl.archive import continuation_index
from extract.datalayout import DataLayout
from transform.report import PARSER_VERSION
from transform.runner import DEFAULT_MAX_FILE_MB, IsolatedExtractor, warm_up

logger = logging.getLogger(__name__)

_VERSION_AT_START = re.compile(rb'^\{"parser_version":\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class PendingDocument:
    """One archived document to extract: its bytes are ``raw/objects/<sha[:2]>/<sha>``."""

    sha256: str
    source: str  # the URL it was fetched from (kept as the extract JSON's ``source``)
    continuations: tuple[str, ...] = ()  # sha256 of further pages of a multi-page article, in order
    pictures: tuple[tuple[str, str], ...] = ()  # (url, sha256) of the article's archived pictures, for OCR


@dataclass
class DocumentOutcome:
    sha256: str
    source: str
    status: str  # ok | warning | failed | unsupported | not_a_report
    seconds: float
    checks_failed: int = 0
    message: str | None = None  # first error issue of a failed/unsupported document


@dataclass
class BatchSummary:
    """What one call of ``extract_documents`` did; plain data so it crosses process boundaries."""

    outcomes: list[DocumentOutcome] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def statuses(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    @property
    def checks_failed(self) -> int:
        return sum(o.checks_failed for o in self.outcomes)

    def merge(self, other: BatchSummary) -> BatchSummary:
        return BatchSummary(self.outcomes + other.outcomes, self.seconds + other.seconds,
                            max(self.workers, other.workers))

    def as_dict(self) -> dict:
        return {"documents": len(self.outcomes), "statuses": dict(self.statuses),
                "checks_failed": self.checks_failed, "seconds": round(self.seconds, 3), "workers": self.workers,
                "outcomes": [asdict(o) for o in self.outcomes]}


# ------------------------------------------------------------------------------------------- paths


def extracted_dir(data_dir: Path | str) -> Path:
    return DataLayout(Path(data_dir)).extracted_dir


def extracted_path(data_dir: Path | str, sha256: str) -> Path:
    return DataLayout(Path(data_dir)).extracted_path(sha256)


def object_path(data_dir: Path | str, sha256: str) -> Path:
    return DataLayout(Path(data_dir)).object_path(sha256)


def extracted_version(path: Path) -> str | None:
    """Parser version of an extract JSON, or None if there is none (missing or unreadable file).

    Files written here start with ``{"parser_version": …`` so a night with nothing new reads a few
    bytes per document instead of parsing every JSON; files written by other tools fall back to a
    full parse.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(200)
            match = _VERSION_AT_START.match(head)
            if match:
                return json.loads(b'"' + match.group(1) + b'"')
            handle.seek(0)
            return json.load(handle).get("parser_version")
    except (OSError, ValueError, AttributeError):
        return None


def write_json_atomically(path: Path, result: dict) -> None:
    """Write ``result`` with ``parser_version`` first, via a temporary file and ``os.replace``."""
    ordered = {"parser_version": result.get("parser_version")}
    ordered.update((k, v) for k, v in result.items() if k != "parser_version")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(ordered, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------------- what to do


def picture_index(manifest_rows: list[dict]) -> dict[str, tuple[tuple[str, str], ...]]:
    """report URL → (url, sha256) of the pictures the crawler archived from it (``kind="image"``)."""
    found: dict[str, dict[str, str]] = {}
    for row in manifest_rows:
        if row.get("kind") == "image" and row.get("sha256") and row.get("referrer"):
            found.setdefault(row["referrer"], {})[row["url"]] = row["sha256"]
    return {url: tuple(by_url.items()) for url, by_url in found.items()}


def archived_documents(manifest_rows: Iterable[dict]) -> list[PendingDocument]:
    """Every distinct document (by sha256) the manifest says is archived, first-fetched first.

    Older versions of a changed report are included: they stay in the warehouse as superseded
    versions, so they need an extraction too.
    """
    rows = list(manifest_rows)
    continuations = continuation_index(rows)
    pictures = picture_index(rows)
    seen: dict[str, PendingDocument] = {}
    for row in rows:
        sha = row.get("sha256")
        if row.get("kind") == "report" and sha and row.get("state") in ARCHIVED_STATES and sha not in seen:
            seen[sha] = PendingDocument(sha, row.get("final_url") or row.get("url") or sha,
                                        continuations.get(row.get("url"), ()), pictures.get(row.get("url"), ()))
    return list(seen.values())


def find_pending(data_dir: Path | str, manifest_rows: Iterable[dict], parser_version: str | None = None) -> list[
        PendingDocument]:
    """Archived documents without an extract JSON written by ``parser_version`` (default: the current one)."""
    if parser_version is None:
        parser_version = PARSER_VERSION
    pending = []
    for doc in archived_documents(manifest_rows):
        if not object_path(data_dir, doc.sha256).is_file():
            logger.warning("%s: in the manifest but not in the archive; skipped", doc.sha256)
            continue
        if extracted_version(extracted_path(data_dir, doc.sha256)) != parser_version:
            pending.append(doc)
    return pending


# ---------------------------------------------------------------------------------------- doing it


def _outcome(doc: PendingDocument, result: dict, seconds: float) -> DocumentOutcome:
    errors = [i for i in result.get("issues") or [] if i.get("severity") == "error"]
    failed_checks = sum(1 for c in result.get("checks") or [] if c.get("ok") is False)
    message = errors[0].get("message") if errors and result.get("status") in ("failed", "unsupported") else None
    return DocumentOutcome(doc.sha256, doc.source, result.get("status") or "failed", round(seconds, 4),
                           failed_checks, message)


def extract_one(doc: PendingDocument, data_dir: str, timeout_s: float, memory_mb: int,
                max_file_mb: float = DEFAULT_MAX_FILE_MB,
                extractor: IsolatedExtractor | None = None) -> DocumentOutcome:
    """Extract one archived document in an isolated child and store its JSON; never raises for bad input.

    The bytes are read inside the child (``IsolatedExtractor.extract_path``), so a huge object never enters
    this worker. ``extractor`` keeps its child for the next document (default: this pool worker's, else a
    child of its own). An object missing from the archive raises (no JSON is written: it is tried again
    next night).
    """
    started = time.perf_counter()
    paths = [object_path(data_dir, sha) for sha in (doc.sha256, *doc.continuations)]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: in the manifest but not in the archive")
    pictures = {url: object_path(data_dir, sha) for url, sha in doc.pictures}
    extractor = extractor or _pool_extractor
    if extractor is None:
        with IsolatedExtractor() as own:
            return extract_one(doc, data_dir, timeout_s, memory_mb, max_file_mb, own)
    result = extractor.extract_path(paths[0], doc.source, timeout_s=timeout_s, memory_mb=memory_mb,
                                    max_file_mb=max_file_mb, continuations=paths[1:], pictures=pictures)
    # A document stopped before its child read it still has a known identity: its archive name.
    result["sha256"] = result.get("sha256") or doc.sha256
    if not result.get("parser_version"):
        # extract_bytes returns early for unsupported types without stamping the version; without it the
        # document would look pending again every night.
        result["parser_version"] = PARSER_VERSION
    write_json_atomically(extracted_path(data_dir, doc.sha256), result)
    return _outcome(doc, result, time.perf_counter() - started)


# The pool worker's extractor: its child serves the documents this worker is given (``_warm_up`` makes it).
_pool_extractor: IsolatedExtractor | None = None


def _warm_up() -> None:
    """Import the readers once per pool worker, so its isolated child forks with them loaded, and give the
    worker the extractor whose child serves its documents (it dies with the worker)."""
    global _pool_extractor
    warm_up()
    _pool_extractor = IsolatedExtractor()


def extract_documents(docs: Iterable[PendingDocument], data_dir: Path | str, *, workers: int = 1,
                      timeout_s: float = 120.0, memory_mb: int = 3072, max_file_mb: float = DEFAULT_MAX_FILE_MB,
                      on_outcome: Callable[[DocumentOutcome], None] | None = None) -> BatchSummary:
    """Extract ``docs`` (``workers`` processes), writing ``extracted/<sha256>.json`` for each.

    A document whose extraction crashes, hangs or runs out of memory gets a ``failed`` JSON and never
    stops the others. ``on_outcome`` is called with each outcome as it comes (a progress display).
    """
    docs = list(docs)
    started = time.perf_counter()
    workers = max(1, min(workers, len(docs))) if docs else 1
    data_dir = str(data_dir)
    outcomes: list[DocumentOutcome] = []
    if workers == 1:
        with IsolatedExtractor() as extractor:
            for doc in docs:
                outcomes.append(_safely(extract_one, doc, data_dir, timeout_s, memory_mb, max_file_mb, extractor))
                _report(on_outcome, outcomes[-1])
    else:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_up) as pool:
            futures = {pool.submit(extract_one, doc, data_dir, timeout_s, memory_mb, max_file_mb): doc for doc in docs}
            for future in as_completed(futures):
                doc = futures[future]
                try:
                    outcomes.append(future.result())
                except Exception as exc:  # noqa: BLE001 - a worker problem is recorded, never fatal
                    outcomes.append(_worker_failure(doc, exc))
                _report(on_outcome, outcomes[-1])
    summary = BatchSummary(outcomes, time.perf_counter() - started, workers)
    logger.info("extracted %d documents in %.1f s with %d workers: %s", len(outcomes), summary.seconds,
                workers, dict(summary.statuses))
    return summary


def _report(on_outcome: Callable[[DocumentOutcome], None] | None, outcome: DocumentOutcome) -> None:
    if on_outcome is not None:
        on_outcome(outcome)


def _safely(function, doc: PendingDocument, *args) -> DocumentOutcome:
    try:
        return function(doc, *args)
    except Exception as exc:  # noqa: BLE001 - e.g. the archive object vanished; record it, go on
        return _worker_failure(doc, exc)


def _worker_failure(doc: PendingDocument, exc: BaseException) -> DocumentOutcome:
    logger.error("%s (%s): extraction could not run: %s", doc.sha256[:12], doc.source, exc)
    return DocumentOutcome(doc.sha256, doc.source, "failed", 0.0, 0, f"{type(exc).__name__}: {exc}")


def chunked(docs: list[PendingDocument], size: int) -> list[list[PendingDocument]]:
    size = max(1, size)
    return [docs[i:i + size] for i in range(0, len(docs), size)]
