"""DemoWorld: the deterministic catalogue of sites, reports and decoys, and what a crawler should find."""

from __future__ import annotations

import copy
import hashlib
import importlib
import random
import threading
from contextlib import contextmanager

from demo.sites import documents
from demo.sites.catalogue import DISTRICTS, SITE_WEIGHTS, District
from demo.sites.faults import FAULTS
from demo.sites.model import (CHANGED, DUPLICATE, NEW, NOT_MODIFIED, UNCHANGED, Decoy, Doc, ExpectedPage,
                              ExpectedReport)
from demo.sites.server import LiveWorld, SiteRoutes

FAMILIES = ("trs", "gd", "hanweb", "doc", "legacy", "extra", "epoint")
CONDITIONAL_SITES = frozenset({"trs", "gd", "legacy"})   # doc (JSON POST) never answers 304
UNREACHABLE_SITES = frozenset({"down"})
SPECIAL_CASES = 28  # real reports, fault cases and day-1 extras that come on top of the ordinary ones                 # robots.txt 500: the crawler skips the host
UNSUPPORTED_FORMATS = {"wps": "unsupported", "ofd": "unsupported", "png": "unsupported",
                       "scan-pdf": "unsupported", "pre2019-html": "unsupported"}


class DemoWorld:
    """All sites of the demo world, built deterministically from ``seed``.

    ``scale`` is roughly the number of report links on day 1: ordinary generated reports fill what the
    fixed special cases (real reports, fault cases; ``SPECIAL_CASES``) leave.
    """

    def __init__(self, seed: int = 7, scale: int = 100):
        self.seed = seed
        self.scale = scale
        self.docs: list[Doc] = []
        self._decoys: list[Decoy] = []
        self.pages: list[ExpectedPage] = []
        self._values: dict[tuple[str, int], dict | None] = {}
        self._bytes: dict[tuple[str, int], bytes] = {}
        self._routes: dict[tuple[int, tuple], dict[str, SiteRoutes]] = {}
        self._lock = threading.RLock()
        self._bases: dict[str, str] = {}
        for family in FAMILIES:
            self.family(family).plan(self)

    # --- building ----------------------------------------------------------------------------
    @staticmethod
    def family(name: str):
        return importlib.import_module(f"demo.sites.families.{name}")

    def district(self, site: str) -> District:
        return DISTRICTS[site]

    def n_regular(self, site: str) -> int:
        """Ordinary reports for ``site``: the scale minus the fixed special cases, shared by weight."""
        if site == "down":
            return 3
        if site == "epoint":  # added later: its own share, so the other sites keep their reports
            return max(6, round(self.scale * 0.25))
        spread = sum(w for s, w in SITE_WEIGHTS.items() if s != "down")
        return max(3, round(max(self.scale - SPECIAL_CASES, 20) * SITE_WEIGHTS[site] / spread))

    def rng(self, *parts) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def add_doc(self, doc: Doc) -> Doc:
        self.docs.append(doc)
        return doc

    def add_decoy(self, decoy: Decoy) -> None:
        self._decoys.append(decoy)

    # --- content -----------------------------------------------------------------------------
    def docs_on(self, site: str, day: int, column: str | None = None) -> list[Doc]:
        """Docs visible on ``day``, newest first (the order CMS lists use)."""
        docs = [d for d in self.docs if d.site == site and d.day_from <= day
                and (column is None or d.column == column)]
        return sorted(docs, key=lambda d: (d.published, d.doc_id), reverse=True)

    def values(self, doc: Doc, day: int) -> dict | None:
        day = self._content_day(doc, day)
        with self._lock:
            key = (doc.doc_id, day)
            if key not in self._values:
                self._values[key] = self._make_values(doc, day)
            return self._values[key]

    def doc_bytes(self, doc: Doc, day: int) -> bytes:
        day = self._content_day(doc, day)
        with self._lock:
            key = (doc.doc_id, day)
            if key not in self._bytes:
                self._bytes[key] = self._make_bytes(doc, day)
            return self._bytes[key]

    def continuation(self, doc: Doc, day: int) -> bytes:
        """Page 2 (``…_1.shtml``) of a report split across two article pages."""
        self.doc_bytes(doc, day)
        return self._bytes[(doc.doc_id, self._content_day(doc, day), "page2")]

    @staticmethod
    def _content_day(doc: Doc, day: int) -> int:
        return 2 if doc.corrected_on_day and day >= doc.corrected_on_day else 1

    def _make_values(self, doc: Doc, day: int) -> dict | None:
        if doc.real:
            from demo.sites.real import load_real_values
            return load_real_values(doc.real)
        if doc.fmt == "pre2019-html":
            return None
        scale = 100 if "本级" in doc.column or doc.agency.endswith("人民政府") else 20
        values = documents.generate_values(doc.agency, doc.region, doc.year, doc.version, self.seed,
                                           t3_version=doc.t3_version, scale=scale)
        if day == 2 and doc.corrected_on_day:
            values = correct_one_number(values)
        return values

    def _make_bytes(self, doc: Doc, day: int) -> bytes:
        if doc.fault == "empty_file":
            return b""
        if doc.fault == "html_error_as_pdf":
            from demo.sites.pages import ERROR_PAGE_200
            return ERROR_PAGE_200
        if doc.same_as:  # a re-post is the very same file under a new URL
            original = next(d for d in self.docs if d.site == doc.site and d.path == doc.same_as)
            return self.doc_bytes(original, day)
        if doc.real:
            return documents.real_bytes(doc.real + (".pdf" if doc.fmt == "pdf" else ".html"))
        values = self.values(doc, day)
        published = doc.published
        if doc.fmt in ("html", "html-octet"):
            full = documents.render(values, "html", doc.quirks, published)
            if "multipage" in doc.quirks:  # TRS splits a long article: the report URL serves page 1
                from demo.sites.families.trs import split_article
                full, self._bytes[(doc.doc_id, day, "page2")] = split_article(full, doc.path)
            return full
        if doc.fmt in ("pdf", "docx"):
            return documents.render(values, doc.fmt, doc.quirks, published)
        if doc.fmt == "wps":
            return documents.ole_document(values)
        if doc.fmt == "ofd":
            return documents.ofd_document(values)
        if doc.fmt == "png":
            return documents.png_document(values)
        if doc.fmt == "scan-pdf":
            return documents.scanned_pdf(values)
        if doc.fmt == "pre2019-html":
            body = documents.pre2019_html(doc.agency, doc.year)
            return documents.to_gbk(body) if "gbk" in doc.quirks else body
        raise ValueError(f"unknown format {doc.fmt}")

    def routes(self, day: int, bases: dict[str, str] | None = None) -> dict[str, SiteRoutes]:
        bases = bases if bases is not None else self._bases
        key = (day, tuple(sorted(bases.items())))
        with self._lock:
            if key not in self._routes:
                table: dict[str, SiteRoutes] = {}
                for family in FAMILIES:
                    table.update(self.family(family).routes(self, day, bases))
                self._routes[key] = table
            return self._routes[key]

    # --- serving -----------------------------------------------------------------------------
    @contextmanager
    def serve(self, day: int = 1, fast: bool = True, port_base: int | None = None):
        live = LiveWorld(self, day, fast, port_base).start()
        try:
            yield live
        finally:
            live.stop()

    # --- expectations ------------------------------------------------------------------------
    def expected_reports(self, day: int) -> list[ExpectedReport]:
        """Every report link a complete crawl of ``day`` discovers, with the state it should record.

        Day 2 states assume the crawler ran day 1 first. The ``down`` site is absent: its robots.txt
        answers 500, so the crawler must skip the host and never see its links (see expected_pages).
        """
        out = []
        for doc in self.docs:
            if doc.day_from > day or doc.site in UNREACHABLE_SITES:
                continue
            out.append(self._expect(doc, day))
        return out

    def _expect(self, doc: Doc, day: int) -> ExpectedReport:
        fault = FAULTS.get(doc.fault) if doc.fault else None
        fetchable = fault is None or fault.transient or fault.state == NEW
        if not fetchable:
            state, accepted = fault.state, fault.accepted
        elif doc.day_from == day and doc.kind == "repost":
            state, accepted = DUPLICATE, (DUPLICATE,)
        elif doc.day_from == day:
            state, accepted = NEW, (NEW,)
        elif doc.corrected_on_day == day:
            state, accepted = CHANGED, (CHANGED,)
        else:
            state = UNCHANGED
            accepted = (UNCHANGED, NOT_MODIFIED) if doc.site in CONDITIONAL_SITES else (UNCHANGED,)
        body = self.doc_bytes(doc, day) if fetchable else None
        values = self.values(doc, day) if fetchable else None
        if values is not None and values.get("placeholder"):
            values = None
        return ExpectedReport(
            site=doc.site, url=doc.path, agency=doc.agency, region=doc.region, year=doc.year, fmt=doc.fmt,
            media_type=_sniffed_type(doc) if fetchable else None,
            sha256=hashlib.sha256(body).hexdigest() if body is not None else None,
            values=copy.deepcopy(values) if doc.fmt not in UNSUPPORTED_FORMATS else None,
            kind=doc.kind if doc.day_from == day or doc.corrected_on_day != day else "corrected",
            state=state, accepted_states=accepted,
            extract_status=self._extract_status(doc) if fetchable else None,
            fault=doc.fault, title=doc.title, published=doc.published,
            listed_on=tuple(self.family(_family_of(doc.site)).listed_on(self, doc, day)),
            aliases=doc.aliases,
            note=_note(doc, day),
        )

    @staticmethod
    def _extract_status(doc: Doc) -> str:
        if doc.fmt in UNSUPPORTED_FORMATS:
            return UNSUPPORTED_FORMATS[doc.fmt]
        if doc.real:
            from demo.sites.real import real_extract_status
            return real_extract_status(doc.real)
        return "ok"

    def decoys(self, day: int = 1) -> list[Decoy]:
        return list(self._decoys)

    def expected_pages(self, day: int = 1) -> list[ExpectedPage]:
        """Entry and list pages whose handling is a test case, including the list pages that carry a
        transient fault on ``day`` (they must end ``ok`` after the retry / wait)."""
        return list(self.pages) + self._faulty_list_pages(day)

    def _faulty_list_pages(self, day: int) -> list[ExpectedPage]:
        out = []
        for site, table in self.routes(day, {}).items():
            by_resource: dict[int, list[str]] = {}
            for path, res in table.static.items():
                if res.fault in ("fail_first", "slow_first_byte", "rate_limited_once"):
                    by_resource.setdefault(id(res), []).append(path)
            for paths in by_resource.values():
                path = min(paths, key=len)  # the directory URL a list links, when a page has two names
                fault = table.static[path].fault
                out.append(ExpectedPage(site, path, "ok", fault, FAULTS[fault].what))
        return sorted(out, key=lambda p: (p.site, p.url))


def _sniffed_type(doc: Doc) -> str:
    """The media type the bytes really are (what magic-byte sniffing says), without parameters."""
    fmt = "html" if doc.fmt in ("html-octet", "pre2019-html") else doc.fmt
    return documents.MEDIA_TYPES[fmt].split(";")[0]


def _note(doc: Doc, day: int) -> str:
    notes = []
    if doc.same_as:
        notes.append(f"re-post of {doc.same_as} (identical bytes)")
    if doc.corrected_on_day:
        notes.append(f"更正版 in place from day {doc.corrected_on_day}: one number changed")
    if doc.fault:
        notes.append(FAULTS[doc.fault].what)
    if doc.fault == "moved_permanently":
        notes.append("final URL " + doc.path.replace("/old/", f"/{doc.published:%Y%m}/"))
    if "year_only_in_body" in doc.quirks:
        notes.append("the title has no year; the body's first sentence states it")
    if doc.aliases:
        notes.append("identical bytes also at " + ", ".join(doc.aliases))
    return "; ".join(notes)


def _family_of(site: str) -> str:
    return site if site in FAMILIES else "extra"


def correct_one_number(values: dict) -> dict:
    """The 更正版: exactly one printed number changes (行政处罚 decisions), a cell no sum rule covers."""
    fixed = copy.deepcopy(values)
    cell = fixed["tables"]["t2_art20_6"]["cells"]["admin_penalty"]
    cell["decisions"] = (cell["decisions"] or 0) + 7
    return fixed


def plan_site(world: DemoWorld, site: str, n_extra: int):
    """Regular reports for ``site`` plus ``n_extra`` more (agency, year) pairs reserved for special cases."""
    from demo.sites.catalogue import plan_reports
    planned = plan_reports(world.district(site), world.seed, world.n_regular(site) + n_extra)
    n = len(planned) - n_extra
    return planned[:n], planned[n:]
