"""Guangdong 集约化 (NFCMS) lists and the gkmlpt JSON API.

Static lists: ``index.html`` then ``index_2.html`` = page 2 (1-based, unlike TRS). The gkmlpt SPA
(``/gkmlpt/index``) carries ``SID`` and ``window._CONFIG.TREE``; its API
``/gkmlpt/api/all/{cat}?page=N&sid=SID`` answers 100 articles per page with their attachments.
Page 0 and page 1 return the same data, so paging starts at 1.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import urljoin, urlsplit

from extract.crawl.discovery import Column, ListPage, html_list_page, usable
from extract.crawl.families import generic
from extract.crawl.links import Link, canonical_url, parse_date

FAMILY = {
    "name": "gd",
    "aliases": ["gd-jyh", "gkmlpt"],
    "priority": 20,
    "title": "Guangdong 集约化 (NFCMS) + gkmlpt JSON API",
    "url_patterns": [r"/content/m?post_\d+\.html$", r"/gkmlpt/"],
    "fingerprints": [r"/content/m?post_\d+\.html", r"gkmlpt", r"_CONFIG\.(TREE|DETAIL)", r"\bSID\s*[:=]"],
    "notes": "1-based pager: page 2 = index_2.html; gkmlpt API /gkmlpt/api/all/{cat}?page=N&sid=SID "
    "(page 0 == page 1, 100/page); JSON url preferred over post_url; %u-escaped titles decoded.",
}

API_PAGE_SIZE = 100
_SID = re.compile(r"\bSID\s*[:=]\s*['\"]?(\d+)")
_TREE = re.compile(r"\bTREE['\"]?\s*[:=]\s*(?=[\[{])")
_PERCENT_U = re.compile(r"%u([0-9a-fA-F]{4})")


def unescape_percent_u(text: str) -> str:
    """Some gkmlpt titles arrive JS-``escape()``d (``%u5E74%u62A5``)."""
    return _PERCENT_U.sub(lambda m: chr(int(m.group(1), 16)), text or "")


def _flatten_tree(node) -> list[dict]:
    if isinstance(node, list):
        return [item for child in node for item in _flatten_tree(child)]
    if isinstance(node, dict):
        own = [node] if "id" in node else []
        return own + [item for key in ("children", "child", "nodes") for item in _flatten_tree(node.get(key, []))]
    return []


def report_categories(html: str) -> list[str]:
    """gkmlpt category ids whose name says 年报 / 年度报告; ["0"] (all) when none does."""
    match = _TREE.search(html)
    if match:
        try:  # the tree is a JSON literal inside JS: decode just that value, whatever follows it
            nodes = _flatten_tree(json.JSONDecoder().raw_decode(html, match.end())[0])
        except json.JSONDecodeError:
            nodes = []
        wanted = [str(n["id"]) for n in nodes if re.search(r"年报|年度报告", str(n.get("name", "")))]
        if wanted:
            return wanted
    return ["0"]


def api_date(value) -> str | None:
    if isinstance(value, (int, float)) and value > 10**9:
        import datetime as dt

        seconds = value / 1000 if value > 10**11 else value
        return dt.datetime.fromtimestamp(seconds, dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    return parse_date(str(value)) if value else None


def api_articles(payload: dict, api_url: str) -> list[Link]:
    """Articles of one API page; ``url`` wins over ``post_url`` (the same article, two addresses)."""
    links = []
    for art in payload.get("articles") or []:
        url = art.get("url") or art.get("post_url")
        if not url:
            continue
        attachments = [Link(canonical_url(urljoin(api_url, a["url"])), unescape_percent_u(a.get("name", "")), via="api")
                       for a in art.get("attachment") or [] if a.get("url")]
        links.append(Link(canonical_url(urljoin(api_url, url)), unescape_percent_u(art.get("title", "")),
                          api_date(art.get("date") or art.get("first_publish_time")), "api", attachments))
    return links


def api_pages(ctx, column: Column, first):
    html = first.text()
    sid = _SID.search(html)
    if not sid:
        return
    root = column.url.split("/gkmlpt/")[0]
    for cat in report_categories(html):
        page_count = None
        for page_no in range(1, ctx.max_pages + 1):
            api_url = f"{root}/gkmlpt/api/all/{cat}?page={page_no}&sid={sid.group(1)}"
            result = ctx.fetch_page(api_url, referrer=column.url)
            if not usable(result):
                break
            try:
                payload = json.loads(result.text())
            except json.JSONDecodeError:
                break
            count = (payload.get("classify") or {}).get("post_count") or payload.get("total")
            if count is not None:
                page_count = math.ceil(int(count) / API_PAGE_SIZE)
            yield ListPage(column.url, api_articles(payload, api_url))
            if not payload.get("articles") or (page_count is not None and page_no >= page_count):
                break


def static_page_url(column_url: str, n: int, page_base: str = "auto") -> str:
    """1-based: page 1 is the column index, page 2 is index_2.html (``page_base: "0"`` → index_1.html)."""
    offset = -1 if page_base == "0" else 0
    return column_url if n == 1 else urljoin(column_url, f"index_{n + offset}.html")


def static_page_count(html: str, column_url: str) -> int | None:
    counts = [int(n) for n in re.findall(r"index_(\d+)\.html", html)]
    match = re.search(r"共\s*(\d+)\s*页|countPage\s*=\s*(\d+)|totalPage\s*[=:]\s*(\d+)", html)
    if match:
        counts.append(int(next(g for g in match.groups() if g)))
    return max(counts) if counts else None


def list_pages(ctx, column: Column, first):
    if "/gkmlpt/" in urlsplit(column.url).path:
        yield from api_pages(ctx, column, first)
        return
    html = first.text()
    count = static_page_count(html, column.url)
    if count is None:
        yield from generic.list_pages(ctx, column, first)
        return
    yield html_list_page(ctx, column, column.url, html)
    for n in range(2, count + 1):
        url = static_page_url(column.url, n, ctx.page_base)
        result = ctx.fetch_further_page(url, first, referrer=column.url)
        if not usable(result):
            return
        yield html_list_page(ctx, column, url, result.text())


def continuation_pages(article_url: str, html: str) -> list[str]:
    return []
