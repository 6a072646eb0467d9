"""TRS WCM static publishing: ``index.html`` then ``index_1.html`` = page 2 (0-based pager).

The page count sits in inline JS, ``createPageHTML(countPage, currentPage, "index", "html")`` or
``var countPage = N``. Long articles are paginated the same way (``t20151009_67430_1.html``).
Off-by-one here is the classic bug of real TRS crawlers (scraping.md §2), hence the tests.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from extract.crawl.discovery import Column, html_list_page, usable
from extract.crawl.families import generic

FAMILY = {
    "name": "trs",
    "aliases": [],
    "priority": 10,
    "title": "TRS WCM (static publish)",
    "url_patterns": [r"/\d{6}/t\d{8}_\d+\.s?html?$", r"/index_\d+\.s?html?$"],
    "fingerprints": [r"createPageHTML\s*\(", r"var\s+countPage\s*=", r"TRS_Editor|trs_editor_view",
                     r"/\d{6}/t\d{8}_\d+\.s?html?", r"<!--<\$\["],
    "notes": "0-based pager: page 2 = index_1.<ext>; count from createPageHTML/countPage; "
    "multi-page articles t…_1.<ext>; attachments P0….pdf beside the article.",
}

_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]\s*,"
                          r"\s*['\"](\w+)['\"]")
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")


def pager(html: str) -> tuple[int, str, str] | None:
    """(page count, stem, extension) from the page's inline pager script, or None."""
    match = _CREATE_PAGE.search(html)
    if match:
        return int(match.group(1)), match.group(3), match.group(4)
    match = _COUNT_PAGE.search(html)
    if match:
        return int(match.group(1)), "index", "html"
    return None


def page_url(column_url: str, stem: str, ext: str, n: int, page_base: str = "auto") -> str:
    """URL of 0-based page ``n`` (``n == 0`` is the column's own index page).

    TRS numbers the second page ``_1``; a site whose template numbers it ``_2`` is configured with
    ``crawl.page_base: "1"`` in the registry.
    """
    offset = 1 if page_base == "1" else 0
    return column_url if n == 0 else urljoin(column_url, f"{stem}_{n + offset}.{ext}")


def list_pages(ctx, column: Column, first):
    html = first.text()
    info = pager(html)
    if info is None:  # no pager script: a short column or a non-standard template
        yield from generic.list_pages(ctx, column, first)
        return
    count, stem, ext = info
    yield html_list_page(ctx, column, column.url, html)
    for n in range(1, count):
        url = page_url(column.url, stem, ext, n, ctx.page_base)
        result = ctx.fetch_further_page(url, first, referrer=column.url)
        if not usable(result):
            return  # broken deep page: stop this column, the state is recorded
        yield html_list_page(ctx, column, url, result.text())


def continuation_pages(article_url: str, html: str) -> list[str]:
    """Pages 2..N of a long article (``createPageHTML(3, 0, "t20151009_67430", "html")``)."""
    match = _CREATE_PAGE.search(html)
    if not match or match.group(3) == "index":
        return []
    count, stem, ext = int(match.group(1)), match.group(3), match.group(4)
    return [urljoin(article_url, f"{stem}_{n}.{ext}") for n in range(1, count)]
