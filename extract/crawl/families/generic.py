"""Generic fallback: harvest links, follow 下一页 / numbered pager links, look inside same-host iframes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from extract.crawl.discovery import Column, html_list_page, is_report_item, script_list_pages, usable
from extract.crawl.links import harvest_links

FAMILY = {
    "name": "generic",
    "aliases": ["static"],
    "priority": 1000,
    "fallback": True,
    "title": "Generic link harvesting",
    "url_patterns": [],
    "fingerprints": [],
    "notes": "Any static list: items under the column path or with report titles; pager = 下一页 link or "
    "index_N / ?page=N links; shell pages whose list is in a same-host iframe are followed; lists drawn by "
    "scripts (JSON/JSONP list APIs) are read from inline and same-site scripts and paged through.",
}

_NEXT_TEXT = re.compile(r"^(下一页|下页|next|>|»)$", re.I)


_PAGE_NUMBER = re.compile(r"(?:index_(\d+)\.\w+|[?&](?:page|pageNo|pageIndex|cur_page)=(\d+))$")


def _page_number(url: str) -> int | None:
    match = _PAGE_NUMBER.search(url)
    return int(match.group(1) or match.group(2)) if match else None


def next_page_url(html: str, url: str, visited: set[str]) -> str | None:
    """The 下一页 link, else the lowest-numbered pager link after the current page not yet visited.

    Every link counts, not one per URL: the "2" and the 下一页 of page 1 point to the same URL. A 首页
    link (``?pageIndex=1``) is page 1 under another name, never the page after page 1.
    """
    links = harvest_links(html, url, unique=False)
    for link in links:
        if _NEXT_TEXT.match(link.title) and link.url not in visited:
            return link.url
    current = _page_number(url)
    numbered = []
    for link in links:
        number = _page_number(link.url)
        # on an unnumbered first page, index_1 is page 2 (TRS counts from 0) but ?page=1 is page 1 itself
        after = current if current is not None else (0 if "index_" in link.url else 1)
        if number is not None and number > after and link.url not in visited \
                and urlsplit(link.url).path.startswith(urlsplit(url).path.rsplit("/", 1)[0]):
            numbered.append((number, link.url))
    return min(numbered)[1] if numbered else None


def iframe_lists(ctx, column: Column, html: str, url: str) -> list[str]:
    """Same-host iframes of a shell column page (常州/淮安 districts put the real list there)."""
    host = urlsplit(url).netloc
    return [lk.url for lk in harvest_links(html, url)
            if lk.via == "iframe" and urlsplit(lk.url).netloc == host and not lk.url.lower().endswith(".pdf")]


def list_pages(ctx, column: Column, first):
    url, result = column.url, first
    visited = {url}
    while usable(result):
        html = result.text()
        page = html_list_page(ctx, column, result.final_url or url, html)
        if not page.items:
            for frame_url in iframe_lists(ctx, column, html, url):
                framed = ctx.fetch_page(frame_url, referrer=url)
                if usable(framed):
                    yield from list_pages(ctx, Column(frame_url, column.depth, column.params), framed)
        yield page
        if result is first:  # script-drawn lists: inline scripts always, script files when HTML shows no report
            yield from script_list_pages(ctx, column, first, external=not any(map(is_report_item, page.items)))
        nxt = next_page_url(html, url, visited)
        if not nxt:
            return
        visited.add(nxt)
        url, result = nxt, ctx.fetch_further_page(nxt, first, referrer=url)


def continuation_pages(article_url: str, html: str) -> list[str]:
    return []
