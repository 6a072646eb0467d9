"""The intertid-style ``/doc/YYYY/MM/DD/ID.shtml`` family (Wuxi districts).

The column page has no links: a script fills it from ``POST /info_open/search`` (form ``siteId``,
``channelIds``, ``pageIndex``, ``pageSize``) answering ``{"status":0,"data":{"totalPages",
"data":[{title, writeTime, url, ...}]}}``. Reports are often attachments only, linked through
``onclick`` handlers or pdf.js viewers on the article page.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

from extract.crawl.discovery import Column, ListPage, usable
from extract.crawl.families import generic
from extract.crawl.links import Link, canonical_url, parse_date

FAMILY = {
    "name": "doc",
    "aliases": ["doc-api"],
    "priority": 40,
    "title": "intertid /doc/ + POST /info_open/search",
    "url_patterns": [r"/doc/\d{4}/\d{2}/\d{2}/\d+\.shtml$"],
    "fingerprints": [r"/info_open/search|info_open\.js", r"/doc/\d{4}/\d{2}/\d{2}/", r"channelIds?\b|data-channel-ids"],
    "notes": "JSON list: POST /info_open/search siteId, channelIds, pageIndex (1-based), pageSize; "
    "stop at totalPages or a page with nothing new; no conditional GET on this API.",
}

PAGE_SIZE = 20
_PARAM = r"""\b{name}\b\s*[:=]\s*['"]?([\w,\-]+)"""
# the list script may also read its parameters from data attributes: data-site-id="32" data-channel-ids="1201,1202"
_DATA_ATTR = {"siteId": r'data-site-id\s*=\s*["\']?([\w\-]+)',
              "channelIds": r'data-channel-ids?\s*=\s*["\']?([\w,\-]+)'}


def search_params(html: str, column: Column) -> dict[str, str] | None:
    params = {}
    for name in ("siteId", "channelIds"):
        match = re.search(_PARAM.format(name=name), html) or re.search(_DATA_ATTR[name], html, re.I)
        if match:
            params[name] = match.group(1)
    if "channelIds" not in params:
        match = re.search(_PARAM.format(name="channelId"), html)
        if match:
            params["channelIds"] = match.group(1)
    params.update(column.params)
    return params if "channelIds" in params else None


def search_items(payload: dict, api_url: str) -> tuple[list[Link], int | None]:
    data = payload.get("data") or {}
    rows = data.get("data") or data.get("content") or []
    links = [Link(canonical_url(urljoin(api_url, r["url"])), r.get("title", ""),
                  parse_date(str(r.get("writeTime") or r.get("openTime") or "")), "api")
             for r in rows if r.get("url")]
    return links, data.get("totalPages")


def list_pages(ctx, column: Column, first):
    params = search_params(first.text(), column)
    if params is None:
        yield from generic.list_pages(ctx, column, first)
        return
    api_url = urljoin(column.url, "/info_open/search")
    for page_index in range(1, ctx.max_pages + 1):
        form = dict(params, pageIndex=str(page_index), pageSize=str(PAGE_SIZE))
        result = ctx.fetch_page(api_url, referrer=column.url, method="POST", data=form)
        if not usable(result):
            return
        try:
            items, total_pages = search_items(json.loads(result.text()), api_url)
        except (json.JSONDecodeError, AttributeError):
            return
        yield ListPage(column.url, items)  # the column page is the referrer of its articles
        if not items or (total_pages is not None and page_index >= int(total_pages)):
            return


def continuation_pages(article_url: str, html: str) -> list[str]:
    return []
