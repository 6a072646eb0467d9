"""Crawl one district: discover report links through its CMS family, fetch them, archive them.

Every report candidate ends in a manifest row with a state; list and article pages are archived too
(``kind="page"``), so discovery can be replayed from the archive. A failing list page or document
never aborts the site, and ``crawl_sites`` runs sites independently.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urlsplit

from extract.crawl import images
from extract.crawl.archive import DEFERRED_PREFIX, Archive
from extract.crawl.fetch import CRAWLER_VERSION, FetchResult, Fetcher, host_allowed
from extract.crawl.dedupe import RepostIndex, repost_index
from extract.crawl.discovery import Column, DiscoveryContext, ReportLink, usable, walk_column
from extract.crawl.families import detect_family, family_module
from extract.crawl.registry import SiteConfig
from extract.crawl.titles import is_report_title

logger = logging.getLogger(__name__)

REPORT_STATES = ("new", "changed", "unchanged", "not_modified", "duplicate", "blocked", "failed",
                 "robots_skipped", "off_allowlist", "not_found", "gone")


@dataclass
class LinkOutcome:
    url: str
    state: str
    title: str | None = None
    referrer: str | None = None
    sha256: str | None = None
    media_type: str | None = None
    error: str | None = None


@dataclass
class SiteSummary:
    """What one site's crawl found; ``states`` counts report candidates by manifest state."""

    site: str
    families: list[str] = field(default_factory=list)
    states: Counter = field(default_factory=Counter)
    pages: Counter = field(default_factory=Counter)
    outcomes: list[LinkOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    empty_columns: list[tuple[str, str]] = field(default_factory=list)  # (column URL, guessed reason)

    @property
    def found(self) -> int:
        return len(self.outcomes)

    def __getattr__(self, name: str) -> int:
        if name in REPORT_STATES:
            return self.states[name]
        raise AttributeError(name)

    def as_row(self) -> dict:
        row = {"site": self.site, "family": ",".join(self.families), "found": self.found}
        row.update({state: self.states[state] for state in REPORT_STATES})
        row["pages"] = sum(self.pages.values())
        row["empty_columns"] = len(self.empty_columns)
        return row


def _now() -> str:
    return _stamp(datetime.now(timezone.utc))


def _parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _not_requested_again(row: dict, due: datetime) -> str:
    return (f"not requested again: last checked with the server {row['fetched_at']}; "
            f"next check after {_stamp(due)}")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _stagger(url: str) -> float:
    """A fixed fraction in [0.5, 1) per URL, so documents first seen the same night fall due on different nights."""
    return 0.5 + int(hashlib.sha256(url.encode("utf-8")).hexdigest()[:8], 16) / 2**33


def _age(row: dict) -> timedelta:
    return datetime.now(timezone.utc) - _parse_time(row["fetched_at"])


# A nightly in-place check costs one request whatever it reads (the politeness delay, ≥ 3 s, dwarfs the
# transfer): a file up to FULL_CHECK_BELOW_BYTES is simply downloaded again, a larger one is asked for its
# last TAIL_BYTES (the PDF trailer, xref and the end of the content — what a re-export rewrites).
FULL_CHECK_BELOW_BYTES = 256 * 1024
TAIL_BYTES = 64 * 1024


def _content_range_total(value: str | None) -> int | None:
    """The complete length in ``Content-Range: bytes 100-4195/4196``."""
    match = re.search(r"/(\d+)\s*$", value or "")
    return int(match.group(1)) if match else None


def _link_title(link: ReportLink, result: FetchResult) -> str | None:
    """The link's title; a download servlet's Content-Disposition name when the link says only 下载附件."""
    if result.filename and not is_report_title(link.title) and is_report_title(result.filename):
        return result.filename.rsplit(".", 1)[0] if "." in result.filename else result.filename
    return link.title


def manifest_url(url: str, method: str, data: dict | str | None) -> str:
    """Manifest key of a request: POST list APIs get their form (or JSON body) after ``#POST:`` (never sent)."""
    if method == "POST":
        body = data if isinstance(data, str) else urlencode(sorted((data or {}).items()))
        return f"{url}#POST:{body}"
    return url


class SiteCrawl:
    """State of one site's crawl: fetch with validators, archive, write manifest rows."""

    def __init__(self, site: SiteConfig, archive: Archive, fetcher: Fetcher, run_id: str,
                 reposts: RepostIndex | None = None):
        self.site, self.archive, self.fetcher, self.run_id = site, archive, fetcher, run_id
        self.summary = SiteSummary(site.id)
        self.reposts = reposts or repost_index(archive)

    def fetch(self, url: str, *, referrer=None, method="GET", data=None, headers=None,
              reuse_recent: bool = False) -> FetchResult:
        key = manifest_url(url, method, data)
        if reuse_recent and method == "GET" and (recent := self.recent_download(key)) is not None:
            return self.archived_result(key, *recent)
        etag, last_modified = self.archive.validators(key) if method == "GET" else (None, None)
        result = self.fetcher.get(url, referrer=referrer, etag=etag, last_modified=last_modified, method=method,
                                  data=data, headers=headers)
        result.url = key  # a POST answer is named by its form: one manifest key per distinct request
        if result.state == "not_modified":
            previous = self.archive.last_row_with_bytes(key)
            if previous is None or not self.archive.has(previous["sha256"]):
                result.state, result.error = "failed", "HTTP 304 without a stored version to reuse"
                return result
            result.content = self.archive.read(previous["sha256"])
            result.media_type = previous.get("media_type")
            result.etag = result.headers.get("etag") or previous.get("etag")
            result.last_modified = result.headers.get("last-modified") or previous.get("last_modified")
            result.same_as_stored = True
        elif result.state == "ok" and result.content is not None:
            result.same_as_stored = hashlib.sha256(result.content).hexdigest() == self.archive.last_sha(key)
        return result

    def record(self, result: FetchResult, *, kind: str, referrer=None, title=None, date=None) -> LinkOutcome:
        key = result.url
        sha, state = None, result.state
        error = result.error
        if result.state == "ok":
            previous_sha = self.archive.last_sha(key)
            sha = self.archive.store(result.content or b"")
            if previous_sha is not None:
                state = "unchanged" if previous_sha == sha else "changed"
            elif self.archive.sha_known(sha):
                state = "duplicate"
            else:
                state, error = self._new_or_repost(key, kind, result)
        elif result.state == "not_modified":
            sha = self.archive.last_sha(key)
        self.archive.append_manifest({
            "fetch_id": uuid.uuid4().hex, "run_id": self.run_id, "site": self.site.id, "district": self.site.name,
            "admin_code": self.site.admin_code, "url": key, "final_url": result.final_url, "referrer": referrer,
            "link_title": title, "link_date": date, "kind": kind, "http_status": result.status, "state": state,
            "error": error, "sha256": sha, "media_type": result.media_type if sha else None,
            "size": len(result.content) if sha and result.content is not None else None,
            "etag": result.etag if sha else None, "last_modified": result.last_modified if sha else None,
            "fetched_at": _now(), "crawler_version": CRAWLER_VERSION,
        })
        if kind == "page":
            self.summary.pages[state] += 1
        return LinkOutcome(key, state, title, referrer, sha, result.media_type if sha else None, error)

    def _new_or_repost(self, key: str, kind: str, result: FetchResult) -> tuple[str, str | None]:
        """A new URL whose HTML report text is already archived elsewhere is a re-post (state duplicate)."""
        if kind == "report" and result.media_type == "text/html":
            original = self.reposts.original_of(key, result.content or b"")
            if original:
                return "duplicate", f"re-post of {original} (same text, re-rendered page)"
        return "new", result.error

    def record_empty_column(self, empty) -> None:
        """A column that yielded no report candidate: a ``kind="column"`` manifest row, state ``empty_column``,
        the guessed reason in ``error`` (an operator's lead: which registry entry needs an adapter)."""
        self.summary.empty_columns.append((empty.url, empty.reason))
        self.summary.notes.append(f"empty_column: {empty.url}: {empty.reason}")
        self.archive.append_manifest({
            "fetch_id": uuid.uuid4().hex, "run_id": self.run_id, "site": self.site.id, "district": self.site.name,
            "admin_code": self.site.admin_code, "url": empty.url, "kind": "column", "state": "empty_column",
            "error": empty.reason, "fetched_at": _now(), "crawler_version": CRAWLER_VERSION,
        })

    def record_page(self, result: FetchResult, *, referrer=None, title=None) -> None:
        self.record(result, kind="page", referrer=referrer, title=title)

    def take_report(self, link: ReportLink) -> None:
        try:
            if link.prefetched is not None:
                result = link.prefetched
            elif not self.fetcher_allows(link.url):
                result = FetchResult(link.url, "off_allowlist", error="link to a host not on the allowlist")
            elif (outcome := self.reuse_without_request(link)) is not None:
                self.summary.states[outcome.state] += 1
                self.summary.outcomes.append(outcome)
                return
            else:
                result = self.fetch(link.url, referrer=link.referrer)
            outcome = self.record(result, kind="report", referrer=link.referrer, title=_link_title(link, result),
                                  date=link.date)
            images.archive_article_pictures(self, result)  # pictured tables of an HTML report, for offline OCR
        except Exception as exc:  # one broken document never aborts the site
            logger.exception("%s: report %s failed", self.site.id, link.url)
            failed = FetchResult(link.url, "failed", error=f"crawler error: {type(exc).__name__}: {exc}")
            outcome = self.record(failed, kind="report", referrer=link.referrer, title=link.title, date=link.date)
        self.summary.states[outcome.state] += 1
        self.summary.outcomes.append(outcome)

    def reuse_without_request(self, link: ReportLink) -> LinkOutcome | None:
        """Tonight's outcome of a known document that is not asked for again, or None to fetch it.

        A document checked with the server recently stays ``unchanged``; a document whose last failure is
        more recent than its retry pause stays ``failed``/``blocked``. Either way the manifest gets
        tonight's row, with the reason in ``error`` and no HTTP status.
        """
        if (recent := self.recent_download(link.url)) is not None:
            row, due = recent
            if self.checks_nightly(link.date):
                return self.check_in_place(link, row, due)
            return self.record_without_request(link, "unchanged", _not_requested_again(row, due), row)
        if (pending := self.retry_not_due(link.url)) is not None:
            last, streak, due = pending
            error = (f"{DEFERRED_PREFIX} {streak} failed attempt(s), the last at {last['fetched_at']} "
                     f"({last.get('error') or last['state']}); next try after {_stamp(due)}")
            return self.record_without_request(link, last["state"], error, None)
        return None

    def checks_nightly(self, published: str | None) -> bool:
        """Whether a known report published on ``published`` (YYYY-MM-DD, None = unknown) is checked tonight."""
        settings = self.fetcher.settings
        if not getattr(settings, "check_known_nightly", False):
            return False
        window = getattr(settings, "check_nightly_max_age_days", None)
        if not window or not published:
            return True
        age = datetime.now(timezone.utc) - datetime.fromisoformat(published).replace(tzinfo=timezone.utc)
        return age <= timedelta(days=window)

    def is_known_report_checked_nightly(self, url: str, published: str | None = None) -> bool:
        """A page already archived as a report (an HTML report), under the nightly in-place check."""
        if not self.checks_nightly(published):
            return False
        row = self.archive.last_download(url)
        return row is not None and row.get("kind") == "report"

    def check_in_place(self, link: ReportLink, row: dict, due: datetime) -> LinkOutcome | None:
        """A known document between its full downloads: was it replaced in place tonight? (issue 13)

        One request either way. With validators on record: a conditional GET (None = fetch it; a 304
        costs headers only). A file of at most ``FULL_CHECK_BELOW_BYTES``: fetched again in full (None).
        A larger one: a ranged GET of its last ``TAIL_BYTES`` — the same total size and the same tail as
        the stored copy is ``unchanged`` (no download; the weekly full download stays due as before),
        anything else is fetched in full. New bytes always become a new version beside the old one. A
        host that ignores ``Range`` sends the whole file (that night's check is a full one) and is asked
        with ``HEAD`` from then on: a different Content-Length is fetched in full. Blind spot until the
        weekly download: a large file replaced by one of the same size with the same last 64 kB (Range)
        or the same size (HEAD).
        """
        if row.get("etag") or row.get("last_modified") or not self.archive.has(row["sha256"]):
            return None
        if (row.get("size") or 0) <= FULL_CHECK_BELOW_BYTES:
            return None
        host = self.fetcher.host(urlsplit(link.url).netloc)
        if host.ignores_range:
            return self._check_by_head(link, row, due)
        result = self.fetcher.get(link.url, referrer=link.referrer, headers={"Range": f"bytes=-{TAIL_BYTES}"})
        if result.status == 206 and result.content is not None:
            stored = self.archive.read(row["sha256"])
            total = _content_range_total(result.headers.get("content-range"))
            if total == len(stored) and result.content == stored[-TAIL_BYTES:]:
                why = (f"checked in place: a ranged GET of the last {len(result.content)} bytes and the size "
                       f"({total}) match the stored copy; full download after {_stamp(due)}")
                return self.record_without_request(link, "unchanged", why, row)
            return None
        if result.status == 200 and result.state == "ok":  # Range ignored: this was a full download
            host.ignores_range = True
            return self.record(result, kind="report", referrer=link.referrer, title=_link_title(link, result),
                               date=link.date)
        return None

    def _check_by_head(self, link: ReportLink, row: dict, due: datetime) -> LinkOutcome | None:
        result = self.fetcher.get(link.url, referrer=link.referrer, method="HEAD")
        length = result.headers.get("content-length")
        if result.status != 200 or not (length or "").isdigit():
            why = (f"not checked in place: the host ignores Range and its HEAD gives no size; full download "
                   f"after {_stamp(due)}")
            return self.record_without_request(link, "unchanged", why, row)
        if int(length) != row.get("size"):
            return None
        why = f"checked in place: HEAD gives the stored size ({length} bytes); full download after {_stamp(due)}"
        return self.record_without_request(link, "unchanged", why, row)

    def recent_download(self, url: str) -> tuple[dict, datetime] | None:
        """(last row the server answered, when it is due again) while a known document is not due.

        List pages never come here: they are read every night, so new reports are found nightly. Known
        documents (report files, article pages) are checked again once per ``revalidate_after_days``,
        staggered per URL over the second half of the period so a site's documents do not all fall due
        on the same night; the check is a conditional GET where the host supports one.
        """
        days = getattr(self.fetcher.settings, "revalidate_after_days", 0) or 0
        row = self.archive.last_download(url)
        if days <= 0 or row is None or not row.get("fetched_at") or not self.archive.has(row["sha256"]):
            return None
        due = _parse_time(row["fetched_at"]) + timedelta(days=days * _stagger(url))
        return (row, due) if datetime.now(timezone.utc) < due else None

    def retry_not_due(self, url: str) -> tuple[dict, int, datetime] | None:
        """(last failed row, failures in a row, when the next try is due) while ``url`` must wait."""
        settings = self.fetcher.settings
        hours = getattr(settings, "retry_failed_after_hours", 0) or 0
        streak, last = self.archive.failure_streak(url)
        if hours <= 0 or not streak or last is None or not last.get("fetched_at"):
            return None
        longest = max(hours, 24 * (getattr(settings, "revalidate_after_days", 0) or 0))
        pause = timedelta(hours=min(hours * 2 ** (streak - 1), longest))
        if _age(last) >= pause:
            return None
        return last, streak, _parse_time(last["fetched_at"]) + pause

    def archived_result(self, key: str, row: dict, due: datetime) -> FetchResult:
        """The stored copy of a recently checked page, as if fetched (http status stays null)."""
        return FetchResult(key, "ok", status=None, final_url=row.get("final_url"),
                           content=self.archive.read(row["sha256"]), media_type=row.get("media_type"),
                           error=_not_requested_again(row, due))

    def record_without_request(self, link: ReportLink, state: str, error: str, stored: dict | None) -> LinkOutcome:
        """Manifest row for a known document not requested tonight (``stored``: the bytes it still stands for)."""
        stored = stored or {}
        self.archive.append_manifest({
            "fetch_id": uuid.uuid4().hex, "run_id": self.run_id, "site": self.site.id, "district": self.site.name,
            "admin_code": self.site.admin_code, "url": link.url, "final_url": stored.get("final_url"),
            "referrer": link.referrer, "link_title": link.title, "link_date": link.date, "kind": "report",
            "http_status": None, "state": state, "error": error, "sha256": stored.get("sha256"),
            "media_type": stored.get("media_type"), "size": stored.get("size"), "etag": stored.get("etag"),
            "last_modified": stored.get("last_modified"),  # still the validators of the stored bytes
            "fetched_at": _now(), "crawler_version": CRAWLER_VERSION,
        })
        return LinkOutcome(link.url, state, link.title, link.referrer, stored.get("sha256"), stored.get("media_type"),
                           error)

    def fetcher_allows(self, url: str) -> bool:
        return host_allowed(url, self.fetcher.allowed_hosts)


def crawl_site(site: SiteConfig, archive: Archive, fetcher: Fetcher, *, run_id: str, max_pages: int | None = None,
               on_report: Callable[[LinkOutcome], None] | None = None) -> SiteSummary:
    """Discover and archive every report of ``site``; never raises for site trouble."""
    site_fetcher = fetcher.for_site(site.hosts, insecure_tls=site.crawl.insecure_tls,
                                    min_delay_s=site.crawl.min_delay_s)
    budget = getattr(fetcher.settings, "site_time_budget_s", None)
    if budget:
        site_fetcher.deadline = time.monotonic() + budget
    crawl = SiteCrawl(site, archive, site_fetcher, run_id)
    ctx = DiscoveryContext(site, crawl.fetch, crawl.record_page, max_pages or site.crawl.max_list_pages,
                           site.crawl.max_depth)
    ctx.checked_nightly = crawl.is_known_report_checked_nightly
    for entry in site.entries:
        try:
            _crawl_entry(crawl, ctx, site, entry, on_report)
        except Exception as exc:  # one broken column never aborts the site
            logger.exception("%s: entry %s failed", site.id, entry.url)
            crawl.summary.errors.append(f"{entry.url}: {type(exc).__name__}: {exc}")
    crawl.summary.notes.extend(ctx.notes)
    if site_fetcher.out_of_time():
        crawl.summary.notes.append(f"time budget: {site_fetcher.out_of_time_error()} (links not fetched are failed)")
    for empty in ctx.empty_columns:
        crawl.record_empty_column(empty)
    return crawl.summary


def _crawl_entry(crawl: SiteCrawl, ctx: DiscoveryContext, site: SiteConfig, entry, on_report) -> None:
    first = ctx.fetch_page(entry.url, title=f"entry ({entry.kind})")
    if first.final_url and first.final_url != entry.url:
        crawl.summary.notes.append(f"drift: {entry.url} → {first.final_url} (update the registry)")
    if not usable(first):
        crawl.summary.errors.append(f"entry {entry.url}: {first.state} {first.error or ''}".strip())
        return
    family = site.family or detect_family(entry.url, first.text())
    if family not in crawl.summary.families:
        crawl.summary.families.append(family)
    column = Column(first.final_url or entry.url, 0, dict(entry.params))
    for report in walk_column(ctx, family_module(family), column, first):
        crawl.take_report(report)
        if on_report:
            on_report(crawl.summary.outcomes[-1])
