"""The family-independent part of discovery: walk columns, stop paginating, resolve articles.

A family module (``extract/crawl/families/<name>.py``) only knows how its CMS paginates and where
its list items hide (HTML, inline XML, JSON API). This module decides what an item is (report,
sub-column, noise), when to stop (a page that brings nothing new), and turns article pages into
report links (the article itself, or its attachments). Only list and article *pages* are fetched
here — report documents are fetched by ``crawl``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from extract.crawl.archive import page_title
from extract.crawl.fetch import FetchResult, host_allowed
from extract.crawl.links import Link, canonical_url, harvest_links, is_attachment_url
from extract.crawl.scriptlists import (MAX_EXTERNAL_SCRIPTS, Endpoint, ScriptReading, empty_column_reason,
                                       is_library, last_page, page_scripts, read_answer, read_scripts)
from extract.crawl.titles import decoy_reason, is_pager_text, is_report_title

logger = logging.getLogger(__name__)

_INDEX_PAGE = re.compile(r"/(index|default)(_\d+)?\.(s?html?|jsp)$", re.I)
_PAGER_FILE = re.compile(r"/(index|default)_\d+\.(s?html?)$", re.I)


@dataclass
class ReportLink:
    """A report candidate: fetched and archived by ``crawl`` (``prefetched`` when already in hand)."""

    url: str
    title: str | None
    date: str | None
    referrer: str | None
    prefetched: FetchResult | None = None


@dataclass
class Column:
    """A list column being walked."""

    url: str
    depth: int = 0
    params: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        path = urlsplit(self.url).path
        return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


@dataclass
class ListPage:
    """What a family found on one list page (HTML page, XML chunk or JSON answer).

    ``url`` is the page its items were linked from — the Referer their articles are fetched with
    (the column page for API answers: Hanweb articles 404 without it).
    """

    url: str
    items: list[Link]
    subcolumns: list[Link] = field(default_factory=list)


@dataclass
class EmptyColumn:
    """A column walked without finding one report candidate, and the guessed reason (an operator's lead)."""

    url: str
    reason: str


def usable(result: FetchResult | None) -> bool:
    return result is not None and result.state in ("ok", "not_modified") and result.content is not None


class DiscoveryContext:
    """Fetch-and-record hooks the crawler provides, plus per-run memory (what was already seen)."""

    def __init__(self, site, fetch: Callable[..., FetchResult], record_page: Callable[..., None],
                 max_pages: int, max_depth: int):
        self.site = site
        self._fetch = fetch
        self._record_page = record_page
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.page_base = site.crawl.page_base  # "auto" = the family's own pager numbering
        self.allowed_hosts = set(site.hosts)
        self._page_cache: dict[tuple, FetchResult] = {}
        self.reported: set[str] = set()
        self.articles_seen: set[str] = set()
        self.notes: list[str] = []
        self.empty_columns: list[EmptyColumn] = []
        self.script_readings: dict[str, ScriptReading] = {}  # column URL -> what its scripts revealed
        # url -> whether it is a known HTML report checked with the host every night (set by the crawler):
        # such an article page is the report itself, so it is asked again rather than read from the archive
        self.checked_nightly: Callable[[str, str | None], bool] = lambda url, published: False

    def fetch_page(self, url: str, *, referrer: str | None = None, method: str = "GET", data: dict | None = None,
                   headers: dict | None = None, title: str | None = None, record: bool = True,
                   reuse_recent: bool = False) -> FetchResult:
        """Fetch a list/article page once per run; recorded as a ``kind="page"`` manifest row.

        ``reuse_recent``: a page checked with the host recently is served from the archive instead of
        asking again (see ``SiteCrawl.recent_download``): article pages, and further list pages behind an
        unchanged first page (``fetch_further_page``). The first page of a column is always asked.
        """
        key = (method, url, data if isinstance(data, str) else tuple(sorted((data or {}).items())))
        if key not in self._page_cache:
            extra = {"reuse_recent": True} if reuse_recent else {}
            result = self._fetch(url, referrer=referrer, method=method, data=data, headers=headers, **extra)
            self._page_cache[key] = result
            if record:
                self.record_page(result, referrer=referrer, title=title)
        return self._page_cache[key]

    def fetch_further_page(self, url: str, first: FetchResult, *, referrer: str) -> FetchResult:
        """Page 2, 3, … of a column whose pages are static HTML, newest items first.

        When page 1 came back unchanged tonight nothing was published on top, so nothing shifted onto
        the further pages: they are read from the archive while they were checked with the host recently
        (each is still asked again once per revalidation period, staggered, which also catches an item
        inserted lower down). Walking reads the same links either way.
        """
        return self.fetch_page(url, referrer=referrer, reuse_recent=first.same_as_stored)

    def record_page(self, result: FetchResult, *, referrer: str | None, title: str | None = None) -> None:
        self._record_page(result, referrer=referrer, title=title)

    def on_allowlist(self, url: str) -> bool:
        return host_allowed(url, self.allowed_hosts)


# ---------------------------------------------------------------------------------------------
# Deciding what a harvested link is
# ---------------------------------------------------------------------------------------------
def content_items(links: list[Link], column: Column) -> list[Link]:
    """Links of a list page that are list items: under the column's path, or report-titled."""
    items = []
    for link in links:
        if is_pager_text(link.title) or _PAGER_FILE.search(urlsplit(link.url).path):
            continue
        path = urlsplit(link.url).path
        under_column = path.startswith(column.prefix) and path != urlsplit(column.url).path
        if under_column or is_report_title(link.title) or is_attachment_url(link.url):
            items.append(link)
    return items


def is_subcolumn_link(link: Link, column: Column, allowed: Callable[[str], bool]) -> bool:
    """A deeper column index under the current column (本级/部门/镇街, per-year sub-columns)."""
    if not allowed(link.url) or decoy_reason(link.title):
        return False
    path = urlsplit(link.url).path
    col_path = urlsplit(column.url).path
    if not path.startswith(column.prefix) or path in (col_path, column.prefix):
        return False
    return path.endswith("/") or bool(_INDEX_PAGE.search(path)) and not _PAGER_FILE.search(path)


def looks_like_column_index(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith("/") or bool(_INDEX_PAGE.search(path))


def is_report_item(link: Link) -> bool:
    """A report-titled item that is not itself a column (a column may be titled 政府信息公开年报)."""
    return is_report_title(link.title) and not looks_like_column_index(link.url)


# ---------------------------------------------------------------------------------------------
# Walking
# ---------------------------------------------------------------------------------------------
def walk_column(ctx: DiscoveryContext, family, column: Column, first: FetchResult) -> Iterator[ReportLink]:
    """Walk one column's pages (family pagination) and its sub-columns; yield report candidates."""
    seen_here: set[str] = set()
    subcolumns: list[Column] = []
    pages = reports_here = 0
    pager = family.list_pages(ctx, column, first)
    try:
        for page in pager:
            pages += 1
            new_items = [it for it in page.items if it.url not in seen_here]
            seen_here.update(it.url for it in page.items)
            for link in new_items:
                if is_report_item(link):
                    reports_here += 1
                    yield from resolve_article(ctx, family, link, referrer=page.url)
            for link in page.subcolumns:
                if link.url not in seen_here and column.depth < ctx.max_depth:
                    seen_here.add(link.url)
                    subcolumns.append(Column(link.url, column.depth + 1, column.params))
            if not new_items and pages > 1:
                break  # scraping.md §1.2: stop when a page brings nothing new
            if pages >= ctx.max_pages:
                ctx.notes.append(f"{column.url}: stopped at max_pages={ctx.max_pages}")
                break
    finally:
        pager.close()
    if not reports_here and not subcolumns:
        reason = empty_column_reason(first.text(), first.final_url or column.url, ctx.script_readings.get(column.url))
        ctx.empty_columns.append(EmptyColumn(column.url, reason))
    for sub in subcolumns:
        first_sub = ctx.fetch_page(sub.url, referrer=column.url)
        if usable(first_sub):
            yield from walk_column(ctx, family, sub, first_sub)


def resolve_article(ctx: DiscoveryContext, family, link: Link, *, referrer: str) -> Iterator[ReportLink]:
    """Turn a report-titled list item into report candidates (the article or its attachments)."""
    url = canonical_url(link.url)
    if link.attachments is not None:
        yield from _attachment_reports(ctx, link, link.attachments, referrer=url if link.attachments else referrer,
                                       article_url=url)
        return
    if is_attachment_url(url) or not ctx.on_allowlist(url):
        yield from _report(ctx, ReportLink(url, link.title, link.date, referrer))
        return
    if url in ctx.articles_seen:
        return
    ctx.articles_seen.add(url)
    article = ctx.fetch_page(url, referrer=referrer, record=False,
                             reuse_recent=not ctx.checked_nightly(url, link.date))
    if not usable(article):
        yield from _report(ctx, ReportLink(url, link.title, link.date, referrer, prefetched=article))
        return
    html = article.text()
    attachments = [a for a in harvest_links(html, article.final_url or url)
                   if (is_attachment_url(a.url) or a.via == "viewer") and decoy_reason(a.title) is None]
    if attachments:
        ctx.record_page(article, referrer=referrer, title=link.title)
        yield from _attachment_reports(ctx, link, attachments, referrer=url, article_url=url)
        return
    yield from _report(ctx, ReportLink(url, link.title, link.date, referrer, prefetched=article))
    for n, extra_url in enumerate(family.continuation_pages(url, html), start=2):
        ctx.fetch_page(extra_url, referrer=url, title=page_title(link.title, n))


def _attachment_reports(ctx, link: Link, attachments: list[Link], *, referrer: str, article_url: str):
    if not attachments:
        yield from _report(ctx, ReportLink(article_url, link.title, link.date, referrer))
        return
    for att in attachments:
        title = att.title if is_report_title(att.title) else link.title
        yield from _report(ctx, ReportLink(canonical_url(att.url), title, link.date, referrer))


def _report(ctx: DiscoveryContext, report: ReportLink) -> Iterator[ReportLink]:
    if report.url not in ctx.reported:  # the same report listed in two columns is one candidate
        ctx.reported.add(report.url)
        yield report


def html_list_page(ctx: DiscoveryContext, column: Column, url: str, html: str) -> ListPage:
    """Default reading of an HTML list page: items under the column, sub-column links."""
    links = harvest_links(html, url)
    items = [it for it in content_items(links, column) if not is_subcolumn_link(it, column, ctx.on_allowlist)]
    subs = [lk for lk in links if is_subcolumn_link(lk, column, ctx.on_allowlist)]
    return ListPage(url, items, subs)


# ---------------------------------------------------------------------------------------------
# Lists drawn by scripts (any family may use this; the generic family does on every column)
# ---------------------------------------------------------------------------------------------
XHR_HEADERS = {"X-Requested-With": "XMLHttpRequest"}  # what jQuery sends; some list APIs insist on it


def script_list_pages(ctx: DiscoveryContext, column: Column, first: FetchResult, *,
                      external: bool) -> Iterator[ListPage]:
    """Items of the paged list APIs the column page's scripts call (``external``: also read its same-site
    ``<script src>`` files, at most ``MAX_EXTERNAL_SCRIPTS``, libraries skipped)."""
    page_url = first.final_url or column.url
    inline, sources = page_scripts(first.text())
    scripts = list(inline)
    if external:
        wanted = [urljoin(page_url, src) for src in sources if not is_library(src)]
        for src in [u for u in wanted if ctx.on_allowlist(u)][:MAX_EXTERNAL_SCRIPTS]:
            fetched = ctx.fetch_page(src, referrer=page_url, title="script")
            if usable(fetched):
                scripts.append(fetched.text())
    reading = read_scripts(scripts, page_url)
    ctx.script_readings[column.url] = reading
    for endpoint in reading.endpoints:
        if not ctx.on_allowlist(endpoint.url):
            reading.not_understood.append(f"list endpoint on a host not on the allowlist: {endpoint.url}")
            continue
        yield from _endpoint_pages(ctx, column, endpoint, page_url, reading)


def _endpoint_pages(ctx: DiscoveryContext, column: Column, endpoint: Endpoint, referrer: str,
                    reading: ScriptReading) -> Iterator[ListPage]:
    """Page through one list API until its stated last page, an empty page, or a page with nothing new."""
    seen: set[str] = set()
    last = None
    page = endpoint.first_page
    for _ in range(ctx.max_pages):
        url, method, data = endpoint.request(page)
        headers = {**XHR_HEADERS, "Content-Type": "application/json"} if endpoint.json_body else XHR_HEADERS
        result = ctx.fetch_page(url, referrer=referrer, method=method, data=data, headers=headers)
        if not usable(result):
            return
        answer = read_answer(result.text(), url)
        if answer is None:
            reading.not_understood.append(f"list endpoint answered no JSON: {url}")
            return
        items, total, pages = answer
        fresh = [it for it in items if it.url not in seen]
        if not fresh:
            return
        seen.update(it.url for it in fresh)
        yield ListPage(column.url, fresh)  # the column page is the referrer of its articles
        if last is None:
            last = last_page(endpoint, total, pages, len(items))
        if last is not None and page >= last:
            return
        page += 1
