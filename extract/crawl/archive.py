"""The raw archive: content-addressed bytes plus an append-only fetch manifest (``data/raw/``).

Everything the crawler fetches that matters is kept exactly as served, named by its sha256, so
extraction can be re-run at any time without touching the network. The manifest has one JSON line
per fetch attempt of a discovered link (its fields: README, "Crawling district sites"); it is never rewritten,
so a past run can always be reconstructed from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from extract.datalayout import DataLayout

MANIFEST_FIELDS = (
    "fetch_id", "run_id", "site", "district", "admin_code", "url", "final_url", "referrer",
    "link_title", "link_date", "kind", "http_status", "state", "error", "sha256", "media_type",
    "size", "etag", "last_modified", "fetched_at", "crawler_version",
)  # fmt: skip

# States whose row carries bytes stored in the archive (sha256 set).
STORED_STATES = frozenset({"new", "changed", "unchanged", "not_modified", "duplicate"})
# Failures of a report document that the crawler tries again later, with a growing pause between tries.
RETRIED_STATES = frozenset({"failed", "blocked"})
# Error text of a row that repeats an earlier failure without a request (the retry was not yet due).
DEFERRED_PREFIX = "not retried yet:"


_PAGE_NO = re.compile(r"\(第(\d+)页\)$")  # title of a continuation page row, as discovery writes it


def page_title(title: str, n: int) -> str:
    """The manifest title of page ``n`` of a multi-page article (read back by ``continuation_index``)."""
    return f"{title} (第{n}页)"


def continuation_index(manifest_rows: Iterable[dict]) -> dict[str, tuple[str, ...]]:
    """report URL → sha256 of its continuation pages, in page order, built in one pass.

    The crawler archives the further pages of a multi-page article (TRS ``…_1.shtml``) as ``kind="page"``
    rows whose referrer is the report's URL and whose title ends in "(第N页)" (``page_title``).
    """
    pages: dict[str, dict[int, str]] = {}
    for row in manifest_rows:
        if row.get("kind") == "page" and row.get("sha256") and row.get("referrer"):
            match = _PAGE_NO.search(row.get("link_title") or "")
            if match:
                pages.setdefault(row["referrer"], {})[int(match.group(1))] = row["sha256"]
    return {url: tuple(by_no[n] for n in sorted(by_no)) for url, by_no in pages.items()}


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Archive:
    """Raw store under ``<data_dir>/raw``: ``objects/<sha[:2]>/<sha>`` and ``manifest.jsonl``.

    Thread-safe within one process (sites are crawled in parallel threads). The manifest index
    (validators and last sha per URL) is built once from the file and kept up to date in memory.
    """

    def __init__(self, data_dir: Path | str):
        self.layout = DataLayout.from_env(data_dir)
        self.root = self.layout.raw_dir
        self.objects_dir = self.layout.objects_dir
        self.manifest_path = self.layout.manifest_path
        self._lock = threading.Lock()
        self._rows: list[dict] | None = None
        self._by_url: dict[str, dict] = {}
        self._downloaded_by_url: dict[str, dict] = {}  # last row whose bytes really came from the server
        self._known_shas: set[str] = set()
        # url -> (consecutive failed attempts, the last attempted row), for report documents only
        self._failures_by_url: dict[str, tuple[int, dict]] = {}

    # -- objects ---------------------------------------------------------------------------------
    def path(self, sha: str) -> Path:
        return self.layout.object_path(sha)

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def store(self, data: bytes) -> str:
        """Store ``data`` once; returns its sha256 (hex). Storing the same bytes again is a no-op."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            _atomic_write(self.path(sha), data)
        return sha

    def read(self, sha: str) -> bytes:
        return self.path(sha).read_bytes()

    # -- manifest --------------------------------------------------------------------------------
    def _load(self) -> list[dict]:
        if self._rows is None:
            rows: list[dict] = []
            if self.manifest_path.is_file():
                with self.manifest_path.open(encoding="utf-8") as fh:
                    rows = [json.loads(line) for line in fh if line.strip()]
            self._rows = []
            for row in rows:
                self._index(row)
        return self._rows

    def _index(self, row: dict) -> None:
        assert self._rows is not None
        self._rows.append(row)
        if row.get("sha256"):
            self._by_url[row["url"]] = row
            self._known_shas.add(row["sha256"])
            if row.get("http_status") is not None:
                self._downloaded_by_url[row["url"]] = row
        if row.get("kind") == "report":
            self._index_failure(row)

    def _index_failure(self, row: dict) -> None:
        url = row["url"]
        if row.get("state") not in RETRIED_STATES:
            self._failures_by_url.pop(url, None)
        elif not (row.get("error") or "").startswith(DEFERRED_PREFIX):
            streak, _ = self._failures_by_url.get(url, (0, row))
            self._failures_by_url[url] = (streak + 1, row)

    def append_manifest(self, row: dict) -> None:
        """Append one fetch row (missing layout fields are written as null)."""
        full = {key: row.get(key) for key in MANIFEST_FIELDS}
        extra = set(row) - set(MANIFEST_FIELDS)
        if extra:
            raise ValueError(f"unknown manifest fields: {sorted(extra)}")
        line = json.dumps(full, ensure_ascii=False) + "\n"
        with self._lock:
            self._load()
            self.root.mkdir(parents=True, exist_ok=True)
            with self.manifest_path.open("a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
            self._index(full)

    def manifest(self) -> list[dict]:
        with self._lock:
            return list(self._load())

    def last_row_with_bytes(self, url: str) -> dict | None:
        with self._lock:
            self._load()
            return self._by_url.get(url)

    def last_download(self, url: str) -> dict | None:
        """The last row of ``url`` whose bytes were really answered by the server (not reused)."""
        with self._lock:
            self._load()
            return self._downloaded_by_url.get(url)

    def failure_streak(self, url: str) -> tuple[int, dict | None]:
        """Consecutive failed attempts to fetch report ``url`` (deferred retries not counted) and the last one."""
        with self._lock:
            self._load()
            return self._failures_by_url.get(url, (0, None))

    def last_sha(self, url: str) -> str | None:
        row = self.last_row_with_bytes(url)
        return row["sha256"] if row else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the last stored version of ``url``, for a conditional GET."""
        row = self.last_row_with_bytes(url)
        if row is None or not self.has(row["sha256"]):
            return None, None  # never send validators for bytes we no longer hold
        return row.get("etag"), row.get("last_modified")

    def sha_known(self, sha: str) -> bool:
        """Whether these bytes were already recorded at some URL (cross-URL duplicate detection)."""
        with self._lock:
            self._load()
            return sha in self._known_shas

    def continuation_shas(self, report_url: str) -> list[str]:
        """Bytes of the further pages of a multi-page article (TRS ``…_1.shtml``), in page order."""
        return list(continuation_index(self.manifest()).get(report_url, ()))

    def documents(self) -> list[dict]:
        """The latest manifest row per report URL (``kind == "report"``), in first-seen order."""
        latest: dict[str, dict] = {}
        for row in self.manifest():
            if row.get("kind") == "report":
                latest[row["url"]] = row  # re-assigning keeps the key's first-seen position
        return list(latest.values())
