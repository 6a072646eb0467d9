"""Harvest links from a page the way real 年报 pages hide them (scraping.md §1.4).

Besides ``<a href>``: ``onclick`` handlers (``window.open('…pdf')``), ``<iframe>``/``<embed>``/``<object>``,
and pdf.js viewers (``viewer.html?file=…``). No download happens here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urldefrag, urljoin, urlsplit

import lxml.html

from extract.crawl.titles import attachment_extensions, clean_title

_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_ONCLICK_URL = re.compile(r"""['"]([^'"\s]+?\.(?:[a-z]{2,5}|s?html?)(?:\?[^'"\s]*)?)['"]""", re.I)
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
    """By the file name in the path, or in a download script's query (``downfile.jsp?filename=x.pdf``)."""
    parts = urlsplit(url)
    if _has_attachment_ext(parts.path):
        return True
    return any(_has_attachment_ext(v) for values in parse_qs(parts.query).values() for v in values)


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
        if node is None or len(node.findall(".//a")) > 1:
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


def harvest_links(html: str, page_url: str) -> list[Link]:
    """Every link-like target on the page, absolute, in document order, duplicates removed."""
    if not html.strip():
        return []
    try:
        doc = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = _base_url(doc, page_url)
    found: list[Link] = []
    for el in doc.iter("a", "area", "iframe", "embed", "object", "frame"):
        title = clean_title(el.get("title") or el.text_content()) if el.tag in ("a", "area") else ""
        date = _row_date(el) if el.tag == "a" else None
        href = el.get("href") or el.get("src") or el.get("data")
        if href and not _JS_ONLY.match(href):
            via = "href" if el.tag in ("a", "area") else ("iframe" if el.tag in ("iframe", "frame") else "embed")
            found.append(_link(urljoin(base, href.strip()), title, date, via))
        onclick = el.get("onclick")
        if onclick:
            for target in _ONCLICK_URL.findall(onclick):
                found.append(_link(urljoin(base, target), title, date, "onclick"))
    seen, unique = set(), []
    for link in found:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    return unique


def script_texts(html: str) -> str:
    """All inline script bodies (list APIs and pager counts hide there)."""
    return "\n".join(re.findall(r"<script\b[^>]*>(.*?)</script\s*>", html, re.I | re.S))
