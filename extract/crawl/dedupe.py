"""Re-post detection for HTML reports: the same report under a new URL, re-rendered by the CMS.

A re-posted PDF keeps its bytes (sha256 catches it); a re-posted HTML article does not — the CMS
stamps the new publication date into the meta tags, the 索引号 and the footer. The fingerprint is
the page's visible text with dates and 索引号 removed, in simplified characters, so those pages — and a
traditional-script copy of the page — compare equal while two different reports (other agency, year or
numbers) never do.
"""

from __future__ import annotations

import hashlib
import re
import threading
import weakref

from extract import hanzi
from extract.crawl.fetch import decode_page

MIN_TEXT_CHARS = 300  # shorter pages (stubs, error shells) are never fingerprinted

_DROP_BLOCKS = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_INDEX_NO = re.compile(r"[0-9A-Za-z]{6,}/(?:19|20)\d{2}-\d+")  # 索引号: credit code / year-seq
_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")
_SPACE = re.compile(r"[\s\u3000\xa0]+")


def html_fingerprint(data: bytes) -> str | None:
    """sha256 of the normalised visible text, or None when the page is too short to judge."""
    text = _TAG.sub(" ", _DROP_BLOCKS.sub(" ", decode_page(data)))
    text = _SPACE.sub("", _DATE.sub("", _INDEX_NO.sub("", text)))
    text = text.replace("&nbsp;", "")
    if len(text) < MIN_TEXT_CHARS:
        return None
    # A 繁體 copy of the page (the site's traditional-script version) is the same report, not a new version.
    text = hanzi.convert(text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RepostIndex:
    """Fingerprint → first URL, over the HTML report documents already in the archive."""

    def __init__(self, archive):
        self.archive = archive
        self._index: dict[str, str] | None = None
        self._lock = threading.Lock()

    def _build(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for row in self.archive.manifest():
            if row.get("kind") == "report" and row.get("media_type") == "text/html" and row.get("sha256"):
                if self.archive.has(row["sha256"]):
                    fp = html_fingerprint(self.archive.read(row["sha256"]))
                    if fp:
                        index.setdefault(fp, row["url"])
        return index

    def original_of(self, url: str, data: bytes) -> str | None:
        """The URL already holding this content (not ``url`` itself); registers ``url`` otherwise."""
        fp = html_fingerprint(data)
        if fp is None:
            return None
        with self._lock:
            if self._index is None:
                self._index = self._build()
            first = self._index.setdefault(fp, url)
        return first if first != url else None


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def repost_index(archive) -> RepostIndex:
    """One shared index per archive object (sites crawled in parallel see each other's reports)."""
    with _INDEXES_LOCK:
        if archive not in _INDEXES:
            _INDEXES[archive] = RepostIndex(archive)
        return _INDEXES[archive]
