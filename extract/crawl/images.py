"""Pictures of a report article, archived so extraction can read pictured tables offline (issue 11).

Some agencies publish the statistics tables of an HTML report as ``<img>`` (a screenshot of the WPS
table). OCR reads them, but only from bytes in the archive: extraction never goes to the network. So
when a report is an HTML article, the crawler fetches the pictures of the article body with the same
polite fetcher (allowlist, robots.txt, delays, size cap) and archives each picture standing under a
statistics heading (二/三/四) as a manifest row
``kind="image"`` whose ``referrer`` is the report URL — the provenance of every picture a number may
come from. Icons, logos, spacers and data: URIs are skipped; at most ``MAX_PICTURES`` per article.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin, urlsplit

import lxml.html

from extract.sections import statistics_section_flags

logger = logging.getLogger(__name__)

MAX_PICTURES = 12  # a report has three statistics sections; more pictures than this are decoration
MIN_DECLARED_SIDE = 100  # px: an <img width/height> smaller than this is an icon or a spacer
PICTURE_PATH = re.compile(r"\.(?:png|jpe?g|gif|bmp|webp|tiff?)$", re.I)
DECORATION = re.compile(r"(?:logo|icon|banner|btn|button|spacer|blank|share|qrcode|ewm|arrow|bg)", re.I)


def picture_urls(html: bytes, page_url: str) -> list[str]:
    """Absolute URLs of the article's pictures that may hold a table, in page order, without repeats."""
    try:
        root = lxml.html.fromstring(_decoded(html))
    except (lxml.etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for img in _pictures_under_statistics_headings(root):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not src or src.startswith(("data:", "javascript:")) or DECORATION.search(src):
            continue
        if any(_declared(img.get(side)) < MIN_DECLARED_SIDE for side in ("width", "height") if img.get(side)):
            continue
        url = urljoin(page_url, src)
        if urlsplit(url).scheme in ("http", "https") and PICTURE_PATH.search(urlsplit(url).path) and url not in found:
            found.append(url)
    return found[:MAX_PICTURES]


def _decoded(html: bytes) -> str:
    """The page as text: its declared charset, else UTF-8, else GB18030 (district sites use both)."""
    declared = re.search(rb"""charset=["']?([A-Za-z0-9_-]+)""", html[:4096])
    for encoding in ([declared.group(1).decode()] if declared else []) + ["utf-8", "gb18030"]:
        try:
            return html.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return html.decode("utf-8", "replace")




def _pictures_under_statistics_headings(root) -> list:
    """``<img>`` elements standing under a statistics heading (二/三/四), in document order: only there
    can a picture stand for a statistics table (logos and photos elsewhere are not fetched)."""
    elements = list(root.iter())
    inside = statistics_section_flags("" if el.tag == "img" else el.text or "" for el in elements)
    return [el for el, flag in zip(elements, inside) if el.tag == "img" and flag]


def _declared(value: str | None) -> float:
    match = re.match(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*$", value or "")
    return float(match.group(1)) if match else float("inf")  # 100% or auto: not known to be small


def archive_article_pictures(crawl, result) -> int:
    """Fetch and archive the pictures of one fetched HTML report article; returns how many were stored.

    ``crawl`` is the site's ``SiteCrawl`` (its fetch honours the allowlist, robots.txt and delays and
    reuses a recent download); each picture gets a manifest row ``kind="image"``, referrer the report.
    """
    if result.state not in ("ok", "not_modified") or not result.content or "html" not in (result.media_type or ""):
        return 0
    stored = 0
    for url in picture_urls(result.content, result.final_url or result.url):
        if not crawl.fetcher_allows(url):
            continue
        try:
            picture = crawl.fetch(url, referrer=result.url, reuse_recent=True)
            outcome = crawl.record(picture, kind="image", referrer=result.url)
        except Exception:  # one picture never costs the report
            logger.warning("%s: picture %s not archived", crawl.site.id, url, exc_info=True)
            continue
        stored += outcome.sha256 is not None
    return stored
