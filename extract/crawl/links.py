"""Harvest links from a page the way real 年报 pages hide them (scraping.md §1.4).

Besides ``<a href>``: ``onclick`` handlers on any element (``window.open('…')``, ``location.href='…'``),
``data-url``/``data-href`` attributes, ``<iframe>``/``<embed>``/``<object>``, pdf.js viewers
(``viewer.html?file=<encoded url>``) and download servlets (``downfile.jsp?…filename=…``,
``DownloadServlet?fileId=…``, whose file name only the answer's Content-Disposition gives). No download
happens here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urldefrag, urljoin, urlsplit

import lxml.html

from extract.crawl.titles import attachment_extensions, clean_title, download_path_patterns

_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_ONCLICK_URL = re.compile(r"""['"]([^'"\s]+?\.(?:[a-z]{2,5}|s?html?)(?:\?[^'"\s]*)?)['"]""", re.I)
# window.open('…') / location.href = '…' / location.assign('…'): the target needs no file extension
_JS_NAVIGATION = re.compile(r"""(?:window\.open|location(?:\.href)?\s*=|location\.(?:assign|replace))\s*\(?\s*"""
                            r"""['"]([^'"\s]+)['"]""", re.I)
_DATA_LINK_ATTRS = ("data-url", "data-href", "data-link")
_JS_ONLY = re.compile(r"^\s*(javascript:|#|mailto:|tel:)", re.I)


@dataclass
class Link:
    url: str
    title: str
    date: str | None = None  # YYYY-MM-DD printed next to the link
    via: str = "href"  # href | onclick | iframe | embed | viewer | api
    attachments: list[Link] | None = None  # known without fetching the article (JSON list APIs)


def parse_date(text: str | None) -> str | None:
    match = _DATE.search(text or "")
    if not match:
        return None
    y, m, d = (int(g) for g in match.groups())
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def canonical_url(url: str) -> str:
    return urldefrag(url.strip())[0]


def _has_attachment_ext(name: str) -> bool:
    name = name.lower().rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[-1] in attachment_extensions()


def is_attachment_url(url: str) -> bool:
    """By the file name in the path, in a download script's query (``downfile.jsp?filename=x.pdf``), or a
    download servlet's path (``/servlet/DownloadServlet?fileId=12``: ``titles.yaml`` download_paths)."""
    parts = urlsplit(url)
    if _has_attachment_ext(parts.path):
        return True
    if any(_has_attachment_ext(v) for values in parse_qs(parts.query).values() for v in values):
        return True
    return bool(parts.query) and any(p.search(parts.path) for p in download_path_patterns())


def _viewer_target(url: str) -> str | None:
    parts = urlsplit(url)
    if "viewer" not in parts.path.lower():
        return None
    files = parse_qs(parts.query).get("file")
    return urljoin(url, unquote(files[0])) if files else None


def _row_date(element) -> str | None:
    node = element
    for _ in range(3):  # the <li>/<tr> holding the link usually carries the date
        node = node.getparent()
        if node is None or len(node.xpath(".//a|.//*[@data-url or @data-href or @onclick]")) > 1:
            return None  # a container of several links: its dates belong to the other links
        date = parse_date(node.text_content())
        if date:
            return date
    return None


def _base_url(doc, page_url: str) -> str:
    base = doc.find(".//base[@href]")
    return urljoin(page_url, base.get("href")) if base is not None else page_url


def _link(url: str, title: str, date: str | None, via: str) -> Link:
    target = _viewer_target(url)
    if target:
        return Link(canonical_url(target), title, date, "viewer")
    return Link(canonical_url(url), title, date, via)


def harvest_links(html: str, page_url: str, *, unique: bool = True) -> list[Link]:
    """Every link-like target on the page, absolute, in document order, duplicates removed (``unique``:
    the first link to a URL stands for all; a pager reader wants every one, since "2" and 下一页 share one)."""
    if not html.strip():
        return []
    try:
        doc = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = _base_url(doc, page_url)
    found: list[Link] = []
    for el in doc.iter(lxml.etree.Element):
        found.extend(_element_links(el, base))
    if not unique:
        return found
    seen, unique = set(), []
    for link in found:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    return unique


_EMBEDDING = {"iframe": "iframe", "frame": "iframe", "embed": "embed", "object": "embed"}


def _element_links(el, base: str) -> list[Link]:
    """The link-like targets one element carries: its href/src, data-url, onclick navigation."""
    tag = el.tag if isinstance(el.tag, str) else ""
    handlers = [el.get(a) for a in _DATA_LINK_ATTRS if el.get(a)]
    onclick = el.get("onclick") or ""
    if tag not in ("a", "area", *_EMBEDDING) and not handlers and not onclick:
        return []
    title, date = _element_title_and_date(el, tag)
    out = []
    href = el.get("href") if tag in ("a", "area") else el.get("src") or el.get("data") if tag in _EMBEDDING else None
    if href and not _JS_ONLY.match(href):
        out.append(_link(urljoin(base, href.strip()), title, date, "href" if tag in ("a", "area") else _EMBEDDING[tag]))
    for target in handlers:
        if not _JS_ONLY.match(target):
            out.append(_link(urljoin(base, target.strip()), title, date, "data"))
    if onclick:
        targets = _JS_NAVIGATION.findall(onclick) or _ONCLICK_URL.findall(onclick)
        out.extend(_link(urljoin(base, t), title, date, "onclick") for t in dict.fromkeys(targets))
    return out


def _element_title_and_date(el, tag: str) -> tuple[str, str | None]:
    if tag in ("a", "area"):
        return clean_title(el.get("title") or el.text_content()), (_row_date(el) if tag == "a" else None)
    if tag in _EMBEDDING:
        return "", None
    text = el.text_content()  # a clickable <li>/<tr>/<div>: its text is the title plus the printed date
    return clean_title(el.get("title") or _DATE.sub(" ", text).strip(" -[]【】()（）")), parse_date(text)


def script_texts(html: str) -> str:
    """All inline script bodies (list APIs and pager counts hide there)."""
    return "\n".join(re.findall(r"<script\b[^>]*>(.*?)</script\s*>", html, re.I | re.S))
