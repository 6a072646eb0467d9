"""Hanweb 大汉 JCMS (``/col/col{ID}/index.html``, ``/art/Y/M/D/art_{col}_{id}.html``) and JPaaS.

The first list page embeds ``<datastore><recordset><record><![CDATA[<li>…]]></record>``; further
pages come from ``POST /module/web/jpage/dataproxy.jsp?page=N&perpage=P`` (servers honour ``page``,
ignore ``startrecord``, truncate large ``perpage``). JPaaS columns carry ``unitbuild.js`` with
``queryData`` and page through ``/api-gateway/jpaas-publish-server/front/page/build/unit`` with a
``paramJson`` (bare ``pageNo`` is ignored). Articles 404 without the column page as ``Referer``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urljoin

from extract.crawl.discovery import Column, ListPage, html_list_page, usable
from extract.crawl.families import generic
from extract.crawl.links import harvest_links

FAMILY = {
    "name": "hanweb",
    "aliases": ["jpaas"],
    "priority": 30,
    "title": "Hanweb 大汉 JCMS / JPaaS",
    "url_patterns": [r"/col/col\d+/", r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"],
    "fingerprints": [r"<datastore>|<recordset>", r"dataproxy\.jsp", r"/col/col\d+/", r"/art/\d{4}/\d{1,2}/",
                     r"unitbuild\.js|jpaas"],
    "notes": "records in <recordset> CDATA; POST dataproxy.jsp?page=N (startrecord ignored, perpage≤100); "
    "JPaaS paramJson={\"pageNo\":N}; Referer = column page required for articles; iframe shells followed.",
}

PER_PAGE = 15
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PROXY_PARAM = r"""\b{name}\b\s*[:=]\s*['"]?([\w\-./]+)"""
_QUERY_DATA = re.compile(r"""queryData\s*=\s*(['"])(.*?)\1""", re.S)


def record_links(ctx, column: Column, xml_or_html: str, url: str) -> list:
    """Every link of the ``<record>``s: on Hanweb, articles live under /art/, not under the column path."""
    return [lk for rec in _RECORD.findall(xml_or_html) for lk in harvest_links(rec, url)]


def proxy_params(html: str, column: Column) -> dict[str, str]:
    """The dataproxy form fields read from the column page (webid, columnid, unitid...)."""
    params = {"col": "1", "appid": "1", "path": "/", "permissiontype": "0"}
    for name in ("webid", "columnid", "unitid", "webname", "appid", "col", "path", "permissiontype"):
        match = re.search(_PROXY_PARAM.format(name=name), html, re.I)
        if match:
            params[name] = match.group(1)
    if "columnid" not in params:
        match = re.search(r"/col/col(\d+)/", column.url)
        if match:
            params["columnid"] = match.group(1)
    params.update(column.params)
    return params


def proxy_pages(ctx, column: Column, html: str):
    """Pages 2.. through dataproxy.jsp; ``page`` is the parameter servers actually honour."""
    params = proxy_params(html, column)
    total = _TOTAL.search(html)
    pages = None
    if total:
        pages = -(-int(total.group(1) or total.group(2)) // PER_PAGE)
    for n in range(2, (pages or ctx.max_pages) + 1):
        query = urlencode({"startrecord": (n - 1) * PER_PAGE + 1, "endrecord": n * PER_PAGE, "perpage": PER_PAGE,
                           "page": n})
        url = urljoin(column.url, f"/module/web/jpage/dataproxy.jsp?{query}")
        result = ctx.fetch_page(url, referrer=column.url, method="POST", data=params)
        if not usable(result):
            return
        yield ListPage(column.url, record_links(ctx, column, result.text(), column.url))  # column = Referer


def jpaas_pages(ctx, column: Column, html: str):
    match = _QUERY_DATA.search(html)
    if not match:
        return
    try:
        query = json.loads(match.group(2).replace("&quot;", '"'))
    except json.JSONDecodeError:
        return
    for n in range(1, ctx.max_pages + 1):
        args = {"parseType": "bulidstatic", "webId": query.get("webId", ""), "tplSetId": query.get("tplSetId", ""),
                "pageType": "column", "tagId": query.get("tagId", ""), "pageId": query.get("pageId", ""),
                "paramJson": json.dumps({"pageNo": n, "pageSize": str(PER_PAGE)}, separators=(",", ":"))}
        url = urljoin(column.url, "/api-gateway/jpaas-publish-server/front/page/build/unit?" + urlencode(args))
        result = ctx.fetch_page(url, referrer=column.url)
        if not usable(result):
            return
        try:
            fragment = (json.loads(result.text()).get("data") or {}).get("html") or ""
        except (json.JSONDecodeError, AttributeError):
            return
        yield ListPage(column.url, harvest_links(fragment, column.url))


def list_pages(ctx, column: Column, first):
    html = first.text()
    if _RECORD.search(html):
        subs = html_list_page(ctx, column, column.url, html).subcolumns
        yield ListPage(column.url, record_links(ctx, column, html, column.url), subs)
        yield from proxy_pages(ctx, column, html)
    elif _QUERY_DATA.search(html):
        yield from jpaas_pages(ctx, column, html)
    else:
        yield from generic.list_pages(ctx, column, first)


def continuation_pages(article_url: str, html: str) -> list[str]:
    return []
