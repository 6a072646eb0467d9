"""Plain data objects of the demo world: what is served, what a crawler should conclude about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

# Expected manifest states (the crawler's vocabulary, see the shared on-disk layout).
NEW, CHANGED, UNCHANGED, NOT_MODIFIED, DUPLICATE = "new", "changed", "unchanged", "not_modified", "duplicate"
BLOCKED, FAILED, ROBOTS_SKIPPED, OFF_ALLOWLIST = "blocked", "failed", "robots_skipped", "off_allowlist"
NOT_FOUND, GONE = "not_found", "gone"


@dataclass(frozen=True)
class Resource:
    """One answer the server gives for a path (bytes resolved lazily: rendering PDFs is not free)."""

    body: bytes | Callable[[], bytes] = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    conditional: bool = False          # ETag/Last-Modified emitted and 304 answered (trs, gd, legacy)
    last_modified: date | None = None
    fault: str | None = None           # a name from faults.FAULTS, applied by the server
    require_referer: bool = False      # Hanweb articles 404 without a same-site Referer
    ranges: bool = False               # static files behind nginx: ``Range: bytes=…`` answered with 206

    def payload(self) -> bytes:
        return self.body() if callable(self.body) else self.body


@dataclass
class Doc:
    """A report candidate the world serves: one URL whose bytes are (or should be) a report document."""

    doc_id: str
    site: str
    path: str
    title: str
    agency: str
    region: str
    year: int
    version: str
    fmt: str                           # html pdf docx wps ofd png scan-pdf pre2019-html html-octet
    published: date
    column: str                        # column key on its site
    t3_version: str | None = None
    article_path: str | None = None    # the article page that links an attachment
    day_from: int = 1
    kind: str = "original"             # original / new / repost / corrected
    fault: str | None = None
    real: str | None = None            # key of an embedded real report
    link_title: str | None = None      # title as printed in the list when it differs (year-less titles)
    aliases: tuple[str, ...] = ()      # other paths serving identical bytes (gkmlpt post_url)
    corrected_on_day: int | None = None
    same_as: str | None = None         # a re-post: the path of the original with identical bytes
    quirks: tuple[str, ...] = ()

    @property
    def list_title(self) -> str:
        return self.link_title or self.title


@dataclass(frozen=True)
class Decoy:
    """A link that looks like a report but is not one (or must not be followed)."""

    site: str
    url: str                           # path on the site, or an absolute URL off-site
    title: str
    why: str                           # website_form / guide / budget / prefecture_summary / off_site
    expected: str                      # what a crawler should do: "not_a_report" / "not_followed"


@dataclass(frozen=True)
class ExpectedReport:
    """What a correct crawler records for one served report link on a given day."""

    site: str
    url: str                           # path (+query) on the site's base URL
    agency: str
    region: str
    year: int
    fmt: str
    media_type: str | None
    sha256: str | None                 # of the bytes served on that day (None when no valid bytes)
    values: dict | None                # extract-JSON report dict; None when nothing is extractable
    kind: str                          # original / new / repost / corrected
    state: str                         # primary expected manifest state on that day
    accepted_states: tuple[str, ...]   # every state that is right (304-capable hosts may say not_modified)
    extract_status: str | None         # ok / unsupported / failed(scanned) / None when never fetched
    fault: str | None
    title: str
    published: date
    listed_on: tuple[str, ...] = ()    # list / article pages linking it
    aliases: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ExpectedPage:
    """A list/entry page whose handling is itself a test case (blocked column, moved column, stub...)."""

    site: str
    url: str
    state: str
    fault: str
    note: str = ""


@dataclass
class RequestRecord:
    """One request as the server saw it (monotonic times, for politeness assertions)."""

    site: str
    netloc: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    t_start: float
    t_end: float | None = None
    status: int | None = None
    bytes_sent: int = 0
    body: bytes = b""
    extra: dict = field(default_factory=dict)
