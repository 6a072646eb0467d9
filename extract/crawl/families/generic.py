"""Generic fallback: harvest links, follow 下一页 / numbered pager links, look inside same-host iframes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from extract.crawl.discovery import Column, html_list_page, usable
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
    "index_N / ?page=N links; shell pages whose list is in a same-host iframe are followed.",
}

_NEXT_TEXT = re.compile(r"^(下一页|下页|next|>|»)$", re.I)


def next_page_url(html: str, url: str, visited: set[str]) -> str | None:
    """The 下一页 link, else the lowest-numbered pager link not yet visited."""
    links = harvest_links(html, url)
    for link in links:
        if _NEXT_TEXT.match(link.title) and link.url not in visited:
            return link.url
    numbered = []
    for link in links:
        match = re.search(r"(?:index_(\d+)\.\w+|[?&](?:page|pageNo|pageIndex|cur_page)=(\d+))$", link.url)
        if match and link.url not in visited and urlsplit(link.url).path.startswith(urlsplit(url).path.rsplit("/", 1)[0]):
            numbered.append((int(match.group(1) or match.group(2)), link.url))
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
        nxt = next_page_url(html, url, visited)
        if not nxt:
            return
        visited.add(nxt)
        url, result = nxt, ctx.fetch_further_page(nxt, first, referrer=url)


def continuation_pages(article_url: str, html: str) -> list[str]:
    return []
