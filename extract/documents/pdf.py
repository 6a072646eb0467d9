"""Read a PDF into a ``Document``: running-text lines and ruled tables, in reading order per page.

Tables come from pdfplumber's "lines" strategy, but the grid is ours: pdfplumber's ``Table.rows`` only
marks a merged cell in its first slot, while the transform needs to know exactly which slots a merged
label cell covers. So we take pdfplumber's cell rectangles, collect the distinct x and y edges of the
table, and place each cell in every slot its rectangle spans.

Things real reports do that this module works around:

* WPS and Word draw white, unstroked rectangles behind text lines. They are invisible on paper but
  pdfplumber would turn them into one-column "tables" that swallow running text, so only visible
  rulings count as table edges, and one-column tables are read as running text.
* Fake bold: some generators draw each character twice at a tiny offset; the copy is dropped so
  "总计" does not read "总总计计".
* Word prints unaccepted tracked changes as markup: a deleted number struck through beside the new one.
  Struck-through characters are left out, with a warning; so is nothing else.
* A page turned in a viewer and saved shows its text sideways or upside down; that gets a warning, so a
  report that fails there says why.
* A table that runs over a page break is one ``RawTable`` per page. Joining them is the transform's
  job (it knows the row labels); here each fragment only has to be drawn faithfully.
"""

from __future__ import annotations

import bisect
import io
import logging
import math
import operator
import re
import unicodedata
import zlib
from collections.abc import Iterable
from typing import Any

import pdfplumber
import pypdfium2 as pdfium

from extract.documents import ocr, wordgrid
from extract.documents import pdfium_page as pdfium_page_objects
from extract.documents.model import Cell, Document, DocumentError, RawTable, TextBlock

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/pdf"
MAX_PAGES = 300
# All Flate streams of a file together may inflate to this much; a report's fonts and pages take a few MB.
MAX_INFLATED_MB = 512
INFLATE_CHUNK = 1 << 20
# Deflate's largest expansion: a 258-byte match coded in two bits (RFC 1951), 1032 output bytes per input byte.
MAX_DEFLATE_RATIO = 1032
# "stream" then a line break; "endstream" is told apart in code: a look-behind in the pattern keeps the regex
# engine from searching for the literal and made the scan of a report ~15 times slower.
STREAM_START = re.compile(rb"stream\r?\n")

# A page needs at least a few ruling objects to hold a ruled table; skipping the table finder on text
# pages saves its cost (small next to the parse, but free to skip).
MIN_RULING_OBJECTS = 4
MAX_RULING_OBJECTS = 5000  # a table page has hundreds; tens of thousands is a vector drawing
# Cell edges closer than this (points) are the same grid line: borders drawn by different cells
# of the same row differ by a fraction of a point.
EDGE_TOLERANCE = 2.0
SNAP_TOLERANCE = 3.0  # pdfplumber's default for snapping and joining ruling segments
# Hand-drawn Word tables leave rule ends up to ~3 pt short of the rule they should meet; pdfplumber's
# default intersection tolerance (3 pt) then loses the corner, and with it every cell of the table.
INTERSECTION_TOLERANCE = 4.0
TABLE_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                                  "intersection_tolerance": INTERSECTION_TOLERANCE}
WHITE_LEVEL = 0.95
DEDUPE_TOLERANCE = 1.0  # points; pdfplumber's default for dedupe_chars
SLANT_DEGREES = 5.0  # text rotated further than this from a right angle is a watermark, not content
_UPRIGHT = (1, 0)  # the text matrix's a, b of a character that has none
_X0 = operator.itemgetter("x0")
# A page without characters but with this many vector shapes carries its text as outlines (some
# "print to PDF" drivers do this): it has no text layer, like a scan.
MIN_OUTLINED_TEXT_PATHS = 200
# Two characters are on one line when their boxes overlap vertically by at least this share.
LINE_OVERLAP = 0.5
# A line within this many character widths of the text's right edge is full: its sentence wraps on.
# Three, not one: HTML prints and LibreOffice set ragged-right text, and a line breaks early before
# a closing bracket or a long number that does not fit.
PARAGRAPH_MARGIN = 3.0
# How a heading or list item starts (一、 （一） 1. （1） 第一); such a line never continues a paragraph.
HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．](?!\d)|第[一二三四五六七八九十]+)"
)
# A picture at least this wide and tall (points) may be a table pasted as an image (logos and seals are smaller).
MIN_PICTURE_SIDE = 100
# A note mark set as a superscript: digits at most this share of the number's size, their bottom raised by
# at least this share of it (Word and LibreOffice print superscripts at ~58–66 %, raised by ~33 %).
SUPERSCRIPT_SIZE, SUPERSCRIPT_RAISE = 0.85, 0.2
WORD_GAP = 0.5  # gap between characters, as a share of the font size, that prints as a space
# Digits closer than this (share of the font size) are one number, even where a cell border runs through it.
DIGIT_RUN_GAP = 0.15
# Vertical text set upright (Word/LibreOffice "tbRl"): characters of a column touch (gap under this share
# of the font size) while the columns stand apart (gap over COLUMN_GAP).
STACK_GAP = 0.08
COLUMN_GAP = 0.1

# Chromium's PDF output maps some CJK glyphs to the Kangxi/CJK radical code points (⼀ U+2F00 for 一,
# ⺠ U+2EA0 for 民). They print identically, so they are read as the ideograph they stand for.
RADICAL_TO_IDEOGRAPH = {
    **{cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FD6)},
    **{
        ord(radical): ideograph
        for radical, ideograph in zip(
            "⺟⺠⻁⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻬⻮⻰⻳",
            "母民虎西见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄齐齿龙龟",
            strict=True,
        )
    },
}


def read_pdf(data: bytes, engine: str = "pdfium") -> Document:
    """Read PDF bytes into a ``Document``; raise ``DocumentError`` if the file cannot be read.

    ``engine="pdfium"`` reads each page's objects with PDFium (``pdfium_page``) and falls back to pdfminer
    only for pages PDFium cannot stand in for; ``engine="pdfminer"`` reads every page with pdfminer, the
    reference the equivalence test compares against.
    """
    _check_pdf_bytes(data)
    _check_inflated_size(data)
    pdfium_doc = _open_with_pdfium(data)
    try:
        return _read_pages(data, pdfium_doc, engine)
    finally:
        pdfium_doc.close()


def _read_pages(data: bytes, pdfium_doc: Any, engine: str) -> Document:
    n_pages = len(pdfium_doc)
    if n_pages == 0:
        raise DocumentError("broken_pdf", "PDF has no pages")
    title = _meaningful_title(pdfium_doc.get_metadata_value("Title"))
    doc = Document(media_type=MEDIA_TYPE, title=title, n_pages=n_pages)
    n_read = min(n_pages, MAX_PAGES)
    if n_pages > MAX_PAGES:
        doc.warnings.append(f"document has {n_pages} pages; only the first {MAX_PAGES} were read")
    pdfminer_pages = _PdfminerPages(data, n_read, doc)
    counted = [0]
    try:
        for page_no in range(1, n_read + 1):
            page = _page_objects(pdfium_doc, page_no, pdfminer_pages, engine, doc, counted)
            if page is None:
                continue
            _read_page_or_warn(page, pdfium_doc, page_no, doc)
            page.close()  # drops pdfplumber's per-page object cache; long reports otherwise pile up
    finally:
        pdfminer_pages.close()
    ocr.read_scanned_pages(pdfium_doc, doc)  # pages without a text layer, unless OCR is turned off
    for index, table in enumerate(doc.tables):
        table.index = index
    return doc


class _PdfminerPages:
    """pdfplumber's pages, opened only when a page needs pdfminer (it parses the file again, slowly)."""

    def __init__(self, data: bytes, n_read: int, doc: Document) -> None:
        self.data, self.n_read, self.doc = data, n_read, doc
        self.pdf: Any = None
        self.pages: list[Any] = []

    def page(self, page_no: int) -> Any:
        if self.pdf is None:
            try:
                self.pdf = pdfplumber.open(io.BytesIO(self.data))
                self.pages = self.pdf.pages[: self.n_read]
            except Exception as exc:  # pdfminer raises many unrelated types on damaged files
                raise DocumentError("broken_pdf", f"PDF could not be parsed: {type(exc).__name__}: {exc}") from exc
            if len(self.pages) < self.n_read:
                self.doc.warnings.append(
                    f"only {len(self.pages)} of {self.n_read} pages could be parsed (damaged page tree)")
        return self.pages[page_no - 1] if page_no <= len(self.pages) else None

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _page_objects(pdfium_doc: Any, page_no: int, pdfminer_pages: _PdfminerPages, engine: str, doc: Document,
                  counted: list[int]) -> Any:
    """The page's objects from PDFium, or from pdfminer where PDFium's cannot be trusted (said in the notes).

    The object caps are checked first, whichever library then reads the page (``counted`` holds the
    document's running total).
    """
    try:
        pdfium_page = pdfium_doc[page_no - 1]
    except pdfium.PdfiumError:
        doc.notes.append(f"page {page_no} read by pdfminer: PDFium could not load it")
        return pdfminer_pages.page(page_no)
    try:
        if engine == "pdfium":
            try:
                page = pdfium_page_objects.read_page(pdfium_page)  # counts its objects as it reads them
                _check_document_objects(page.n_objects, counted)
                return page
            except pdfium_page_objects.Untrusted as exc:
                doc.notes.append(f"page {page_no} read by pdfminer: {exc}")
        _check_document_objects(pdfium_page_objects.count_objects(pdfium_page), counted)
    except pdfium_page_objects.PageLimit as exc:
        raise DocumentError("parser_limit", f"page {page_no}: {exc}; not read", limit=f"pdf_{exc.limit}") from None
    finally:
        pdfium_page.close()
    return pdfminer_pages.page(page_no)


def _check_document_objects(n_objects: int, counted: list[int]) -> None:
    counted[0] += n_objects
    if counted[0] > pdfium_page_objects.MAX_DOCUMENT_OBJECTS:
        raise pdfium_page_objects.PageLimit(
            "document_objects", f"more than {pdfium_page_objects.MAX_DOCUMENT_OBJECTS:,} drawing objects up to here")


def warm_up_document() -> bytes:
    """A small, valid one-page PDF (a heading, a paragraph and a ruled 3×3 table of numbers).

    A process that forks a child per document (``xxgk extract``, the nightly pool) extracts it once first:
    each child then starts with PDFium's fonts, pdfplumber's table code and the transform's label tables
    loaded instead of loading them again, about 40 % of a small report's CPU time.
    """
    rules = "".join(f"72 {y} m 372 {y} l S " for y in (700, 680, 660, 640))
    rules += "".join(f"{x} 700 m {x} 640 l S " for x in (72, 172, 272, 372))
    numbers = "".join(f"BT /F1 10 Tf {x} {y} Td ({n}) Tj ET " for n, (x, y) in enumerate(
        (x, y) for y in (686, 666, 646) for x in (110, 210, 310)))
    content = (f"0.5 w {rules}BT /F1 14 Tf 72 760 Td (Annual report 2023) Tj ET "
               f"BT /F1 10 Tf 72 730 Td (Table 1) Tj ET {numbers}").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- file-level checks -------------------------------------------------------------------------------


def _check_pdf_bytes(data: bytes) -> None:
    if not data:
        raise DocumentError("broken_pdf", "empty file (0 bytes)")
    if b"%PDF-" not in data[:1024]:
        raise DocumentError("broken_pdf", f"not a PDF: no %PDF- header (starts with {data[:16]!r})")
    # Every complete PDF ends with %%EOF (junk after it is tolerated); a download cut short does not.
    if b"%%EOF" not in data[-2048:]:
        raise DocumentError("broken_pdf", "truncated PDF: no %%EOF marker at the end of the file")


def _check_inflated_size(data: bytes) -> None:
    """Refuse a flate bomb before any library inflates it: Flate streams that inflate past the cap.

    A few kilobytes of deflated zeros can stand for gigabytes; PDFium and pdfminer would inflate them whole
    into memory. Each stream whose dictionary names FlateDecode is inflated here in bounded chunks and
    thrown away, so only the count is kept; a damaged stream is left to the readers to judge. Deflate
    cannot expand a byte to more than MAX_DEFLATE_RATIO bytes, so when the streams' bytes together cannot
    reach the cap nothing needs inflating (a report's few hundred kilobytes, not a bomb).
    """
    budget = MAX_INFLATED_MB * 1024 * 1024
    if len(data) * MAX_DEFLATE_RATIO <= budget:  # the streams are part of the file: no need to find them
        return
    streams = list(_flate_streams(data))
    if sum(end - start for start, end in streams) * MAX_DEFLATE_RATIO <= budget:
        return
    for start, end in streams:
        budget -= _inflated_size(data, start, end, budget)
        if budget < 0:
            raise DocumentError("parser_limit", f"its compressed streams inflate to more than {MAX_INFLATED_MB} MB "
                                "(a flate bomb?); not read", limit="pdf_inflated_size")


def _flate_streams(data: bytes) -> Iterable[tuple[int, int]]:
    """(start, end) of the data of each stream whose dictionary names FlateDecode: from the line after
    "stream" to the next "endstream" (or the end of the file)."""
    for match in STREAM_START.finditer(data):
        if data[max(0, match.start() - 3): match.start()] == b"end":
            continue
        dictionary = data[max(0, match.start() - 512): match.start()].rsplit(b" obj", 1)[-1]
        if b"FlateDecode" not in dictionary:
            continue
        end = data.find(b"endstream", match.end())
        yield match.end(), len(data) if end < 0 else end


def _inflated_size(data: bytes, start: int, end: int, budget: int) -> int:
    """Bytes one deflated stream (``data[start:end]``) inflates to, counted up to just past ``budget``."""
    inflater = zlib.decompressobj()
    size, pos = 0, start
    data = memoryview(data)  # slices without copying
    try:
        while size <= budget and not inflater.eof and (pos < end or inflater.unconsumed_tail):
            chunk = inflater.unconsumed_tail or data[pos:min(pos + INFLATE_CHUNK, end)]
            if not inflater.unconsumed_tail:
                pos += INFLATE_CHUNK
            size += len(inflater.decompress(chunk, INFLATE_CHUNK))
    except zlib.error:
        pass
    return size


def _open_with_pdfium(data: bytes) -> Any:
    """Open with PDFium first: it is quick and tells a password apart from damage."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise DocumentError("encrypted", "PDF is encrypted and needs a password to open") from exc
        raise DocumentError("broken_pdf", f"PDF could not be opened: {exc}") from exc


def _meaningful_title(title: str | None) -> str | None:
    """The metadata title unless it is a file name or a placeholder that generators leave behind."""
    if not title:
        return None
    title = title.strip().strip("\x00").strip()
    lowered = title.lower()
    if not title or lowered in {"untitled", "无标题", "pdf", "microsoft word"}:
        return None
    if lowered.endswith((".doc", ".docx", ".wps", ".pdf", ".xls", ".xlsx")):
        return None
    if lowered.startswith("microsoft word - "):
        return None
    return title


# --- one page ------------------------------------------------------------------------------------------


def _read_page_or_warn(page: Any, pdfium_doc: Any, page_no: int, doc: Document) -> None:
    """Read one page; a damaged page becomes a warning so the other pages still count."""
    try:
        _read_page(page, pdfium_doc, page_no, doc)
    except Exception as exc:  # a broken content stream can raise almost anything inside pdfminer
        logger.warning("page %d could not be read", page_no, exc_info=True)
        doc.warnings.append(f"page {page_no} could not be read: {type(exc).__name__}: {exc}")


def _read_page(page: Any, pdfium_doc: Any, page_no: int, doc: Document) -> None:
    chars, all_upright = _without_doubled_and_slanted_chars(page.chars, page_no, doc)
    if not any(ch["text"].strip() for ch in chars):
        if page.images or len(page.curves) + len(page.rects) >= MIN_OUTLINED_TEXT_PATHS:
            doc.pages_without_text.append(page_no)
            doc.images.append((len(doc.blocks), f"page {page_no} (a picture, no text)"))
        return
    # PDFium's characters are single code points: only pdfminer writes an unmapped glyph as "(cid:N)"
    if not isinstance(page, pdfium_page_objects.PdfiumPage) and any(_is_unmapped(ch) for ch in chars):
        chars = _remap_with_pdfium(chars, pdfium_doc[page_no - 1])
        _warn_about_unmapped_chars(chars, page_no, doc)
    if not all_upright:  # all upright: no text can read sideways
        _warn_about_turned_text(chars, page_no, doc)
    visible = _visible_shapes(page)
    chars = _without_struck_text(chars, visible, page_no, doc)
    placed: list[tuple[float, int, TextBlock | RawTable]] = []
    table_boxes: list[tuple[float, float, float, float]] = []
    for table in _find_ruled_tables(visible, page_no, doc):
        for cells in _stacked_tables([tuple(c) for c in table.cells]):
            found = _raw_table(cells, chars, page_no, doc)
            if found is not None:
                raw, box = found
                placed.append((box[1], 0, raw))
                table_boxes.append(box)
    if not table_boxes:  # statistics tables printed without inner rules: read from the word positions
        table_boxes = wordgrid.add_unruled_tables(chars, page_no, doc, placed)
    for paragraph in _paragraphs(_text_lines_outside(chars, table_boxes), page.width):
        placed.append((paragraph[0]["top"], 1, TextBlock(text=_join_lines(paragraph), page=page_no)))
    placed.sort(key=lambda item: (item[0], item[1]))
    for image in page.images:
        if image["x1"] - image["x0"] >= MIN_PICTURE_SIDE and image["bottom"] - image["top"] >= MIN_PICTURE_SIDE:
            before = sum(1 for top, _, _ in placed if top <= image["top"])
            doc.images.append((len(doc.blocks) + before, f"page {page_no} picture at y={image['top']:.0f}"))
    doc.blocks.extend(block for _, _, block in placed)


def _without_doubled_and_slanted_chars(chars: list[dict[str, Any]], page_no: int,
                                       doc: Document) -> tuple[list[dict[str, Any]], bool]:
    """The page's characters without fake-bold copies and without watermark text, in one pass (it runs
    for every character of every page); and whether every character kept is upright.

    A copy is a character drawn again within a point of itself (fake bold): same rule as pdfplumber's
    ``dedupe_chars`` (same text, font and size, 1 pt apart), bucketed by character and by tolerance-high
    rows (a twin lies in a neighbouring row), which keeps it linear on table pages full of "0". Copies
    are dropped first, then text set at a slant (``_is_slanted``) among what is left, with a warning.
    """
    kept: list[dict[str, Any]] = []
    slanted: list[dict[str, Any]] = []
    all_upright = True
    # Kept characters by text, then by row; font and size are compared only for a character found in the
    # same place (rare), which saves building a (text, font, size) key for every character.
    seen: dict[str, dict[int, list[dict[str, Any]]]] = {}
    tolerance, floor, isfinite = DEDUPE_TOLERANCE, math.floor, math.isfinite
    for ch in chars:  # kept lean: no helper calls for the common case (no twin, upright)
        top = ch["top"]
        row = floor(top / tolerance) if isfinite(top) else 0
        text = ch["text"]
        rows = seen.get(text)
        if rows is None:
            seen[text] = {row: [ch]}
        else:
            if (row in rows or row - 1 in rows or row + 1 in rows) and _has_twin(ch, top, rows, row):
                continue
            same_row = rows.get(row)
            if same_row is None:
                rows[row] = [ch]
            else:
                same_row.append(ch)
        matrix = ch.get("matrix", _UPRIGHT)
        a, b = matrix[0], matrix[1]
        if b == 0 and a > 0:  # upright, the usual case: no trigonometry
            kept.append(ch)
            continue
        all_upright = False
        (slanted if _is_slanted(a, b) else kept).append(ch)
    if slanted:
        text = "".join(ch["text"] for ch in slanted)
        doc.warnings.append(
            f"page {page_no}: ignored {len(slanted)} slanted characters (watermark?): {text[:40]}"
        )
    return kept, all_upright


def _has_twin(ch: dict[str, Any], top: float, rows: dict[int, list[dict[str, Any]]], row: int) -> bool:
    """A kept character of the same text (``rows``) in this row or the next, within DEDUPE_TOLERANCE
    (``_within``), of the same font and size (to two decimals)."""
    x0 = ch["x0"]
    for near in (row - 1, row, row + 1):
        for twin in rows.get(near, ()):
            if (abs(x0 - twin["x0"]) <= DEDUPE_TOLERANCE and abs(top - twin["top"]) <= DEDUPE_TOLERANCE
                    and twin.get("fontname") == ch.get("fontname") and round(twin["size"], 2) == round(ch["size"], 2)):
                return True
    return False


def _is_unmapped(ch: dict[str, Any]) -> bool:
    return ch["text"].startswith("(cid:")  # how pdfminer writes a glyph it cannot map to Unicode


def _remap_with_pdfium(chars: list[dict[str, Any]], pdfium_page: Any) -> list[dict[str, Any]]:
    """Take the text of unmapped glyphs from PDFium, which reads more font encodings than pdfminer.

    Characters are matched by position (PDFium's box centre within a third of the font size of
    pdfminer's). Rotated pages are left alone: the two libraries place their boxes differently there.
    """
    if pdfium_page.get_rotation() != 0:
        return chars
    left, _, _, top = pdfium_page.get_mediabox()
    textpage = pdfium_page.get_textpage()
    found = []
    for i in range(textpage.count_chars()):
        text = textpage.get_text_range(i, 1)
        if text.strip():
            x0, y0, x1, y1 = textpage.get_charbox(i)
            found.append(((x0 + x1) / 2 - left, top - (y0 + y1) / 2, text))
    remapped = []
    for ch in chars:
        if _is_unmapped(ch):
            x, y = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
            near = [t for fx, fy, t in found if abs(fx - x) + abs(fy - y) < ch["size"] / 3]
            if len(near) == 1:
                ch = dict(ch, text=near[0])
        remapped.append(ch)
    return remapped


def _is_slanted(a: float, b: float) -> bool:
    """Text set at a slant (text matrix ``a``, ``b``): a watermark ("内部资料") across a table would land in
    its cells. Upright and 90-degree text (a cell written sideways) is not slanted."""
    angle = math.degrees(math.atan2(b, a)) % 90
    return min(angle, 90 - angle) > SLANT_DEGREES


def _strike_segments(visible: Any) -> list[tuple[float, float, float]]:
    """Short horizontal strokes (lines, or filled rectangles under 1.5 pt tall) as (x0, x1, y); ``visible``:
    the page with its visible shapes only (``_visible_shapes``)."""
    segments = []
    for obj in visible.lines + visible.rects:
        if obj["x1"] - obj["x0"] < 1.0:
            continue
        if obj.get("object_type") == "rect" and obj["bottom"] - obj["top"] > 1.5:
            continue
        if obj["bottom"] - obj["top"] > 1.5:  # a slanted or vertical line
            continue
        segments.append((obj["x0"], obj["x1"], (obj["top"] + obj["bottom"]) / 2))
    return segments


def _without_struck_text(chars: list[dict[str, Any]], visible: Any, page_no: int,
                         doc: Document) -> list[dict[str, Any]]:
    """Drop characters struck through, with a warning.

    Word prints a document whose tracked changes were not accepted with the markup showing: the deleted
    number struck through beside the inserted one ("~~660~~663" in one cell), which would read 660663. A
    stroke counts as a strike-through when it runs through the middle band of the characters under it
    and text lies under most of its length; table rules run between lines of text, underlines below them.
    """
    segments = _strike_segments(visible)
    if not segments:
        return chars
    # characters by 8-point horizontal band, to test each stroke quickly (only the bands strokes run in)
    by_band: dict[int, list[int]] = {int(y) // 8: [] for _, _, y in segments}
    for i, ch in enumerate(chars):
        for band in range(int(ch["top"]) // 8, int(ch["bottom"]) // 8 + 1):
            listed = by_band.get(band)
            if listed is not None:
                listed.append(i)
    struck: set[int] = set()
    for x0, x1, y in segments:
        hit = [
            i for i in by_band.get(int(y) // 8, ())
            if (ch := chars[i])["text"].strip() and x0 - 1 <= (ch["x0"] + ch["x1"]) / 2 <= x1 + 1
            and ch["top"] + 0.2 * (ch["bottom"] - ch["top"]) <= y <= ch["bottom"] - 0.15 * (ch["bottom"] - ch["top"])
        ]
        covered = sum(chars[i]["x1"] - chars[i]["x0"] for i in hit)
        if hit and covered >= 0.6 * (x1 - x0):
            struck.update(hit)
    if not struck:
        return chars
    text = "".join(chars[i]["text"] for i in sorted(struck))
    doc.warnings.append(f"page {page_no}: ignored {len(struck)} struck-through characters (deleted text "
                        f"shown as markup?): {text[:40]}")
    return [ch for i, ch in enumerate(chars) if i not in struck]


def _warn_about_turned_text(chars: list[dict[str, Any]], page_no: int, doc: Document) -> None:
    """Say so when most of a page's text reads sideways or upside down as the page is displayed.

    That is a page turned in a viewer and saved (``/Rotate`` without rotated content) or a landscape table
    printed sideways onto a portrait page: its lines and cells cannot be laid out, and the reason should
    be on record rather than only "table not found". A sideways label cell in an upright table is a
    handful of characters and does not count.
    """
    turned: dict[int, int] = {}
    for ch in chars:
        if not ch["text"].strip():
            continue
        a, b = ch.get("matrix", (1, 0))[:2]
        quarter = 0 if b == 0 and a > 0 else round(math.degrees(math.atan2(b, a)) / 90) % 4
        turned[quarter] = turned.get(quarter, 0) + 1
    total = sum(turned.values())
    quarter, count = max(turned.items(), key=operator.itemgetter(1), default=(0, 0))
    if quarter and count > total / 2:
        how = "upside down" if quarter == 2 else "sideways"
        doc.warnings.append(f"page {page_no}: the text is printed {how} (page rotated by {quarter * 90} degrees "
                            "against its content); tables on it cannot be read reliably")


def _within(a: dict[str, Any], b: dict[str, Any], tolerance: float) -> bool:
    return abs(a["x0"] - b["x0"]) <= tolerance and abs(a["top"] - b["top"]) <= tolerance


def _warn_about_unmapped_chars(chars: list[dict[str, Any]], page_no: int, doc: Document) -> None:
    """Glyphs neither library could map stay "(cid:N)"; say so instead of hiding it."""
    n_unmapped = sum(1 for ch in chars if _is_unmapped(ch))
    if n_unmapped:
        doc.warnings.append(
            f"page {page_no}: {n_unmapped} of {len(chars)} characters have no Unicode mapping"
            " (font without a usable ToUnicode table); their text reads as (cid:N)"
        )


def _visible_shapes(page: Any) -> Any:
    """The page with only the shapes that leave ink (``_is_visible``); characters and images all kept."""
    if isinstance(page, pdfium_page_objects.PdfiumPage):  # _is_visible keeps every character and image
        return page.filter(_is_visible, kinds=_SHAPE_KINDS)
    return page.filter(_is_visible)


def _find_ruled_tables(visible: Any, page_no: int, doc: Document) -> list[Any]:
    """pdfplumber's tables from the visible shapes (``_visible_shapes``)."""
    n_shapes = len(visible.lines) + len(visible.rects) + len(visible.curves)
    if n_shapes < MIN_RULING_OBJECTS:
        return []
    if n_shapes > MAX_RULING_OBJECTS:
        # A map or chart drawn in vectors: the table finder would spend seconds on it for nothing.
        doc.warnings.append(f"page {page_no}: {n_shapes} vector shapes; not searched for tables")
        return []
    straight = [e for e in visible.edges if e.get("orientation") in {"h", "v"}]  # curves give diagonals
    # pdfplumber's merge_edges, quicker; a PDFium page's table finder reuses it
    edges = pdfium_page_objects.merge_straight_edges(straight, SNAP_TOLERANCE)
    settings = dict(TABLE_SETTINGS, explicit_horizontal_lines=_closing_edges(edges))
    if not isinstance(visible, pdfium_page_objects.PdfiumPage):
        return visible.find_tables(settings)
    return visible.find_tables(settings, premerged=(edges, SNAP_TOLERANCE))


def _closing_edges(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Horizontal rules where a table is left open at a page break.

    WPS and Word do not draw the bottom border of a table that continues on the next page, nor the
    top border of the merged label cells continuing at the top of the next page. pdfplumber needs all
    four sides of a cell, so without these the last row and the tall 三、本年度办理结果 cell vanish.
    Wherever several vertical rules end (or start) at the same height with no horizontal rule there,
    draw one across them, provided some other rule of theirs spans the same width: that is what
    makes them one table, and it keeps two tables side by side from being joined.
    """
    verticals = [e for e in edges if e["orientation"] == "v"]
    horizontals = [e for e in edges if e["orientation"] == "h"]
    closing = []
    for end in ("top", "bottom"):
        for group in _cluster(verticals, operator.itemgetter(end)):
            y = sum(e[end] for e in group) / len(group)
            for run in _connected_runs(sorted(group, key=operator.itemgetter("x0")), horizontals):
                x0, x1 = run[0]["x0"], run[-1]["x0"]
                if len(run) >= 2 and not _is_ruled(horizontals, y, x0, x1):
                    closing.append(_horizontal_edge(y, x0, x1))
    return closing


def _connected_runs(verticals: list[dict[str, Any]], horizontals: list[dict[str, Any]]) -> list[list[dict]]:
    """Split rules (left to right) where no horizontal rule joins neighbours: separate tables."""
    runs: list[list[dict[str, Any]]] = []
    for v in verticals:
        if runs and _is_spanned(horizontals, runs[-1][-1], v):
            runs[-1].append(v)
        else:
            runs.append([v])
    return runs


def _is_spanned(horizontals: list[dict[str, Any]], left: dict[str, Any], right: dict[str, Any]) -> bool:
    tol = SNAP_TOLERANCE
    top, bottom = max(left["top"], right["top"]), min(left["bottom"], right["bottom"])
    return any(
        top - tol <= h["top"] <= bottom + tol and h["x0"] <= left["x0"] + tol and h["x1"] >= right["x0"] - tol
        for h in horizontals
    )


def _cluster(items: list[dict[str, Any]], key: Any) -> list[list[dict[str, Any]]]:
    groups: list[list[dict[str, Any]]] = []
    for item in sorted(items, key=key):
        if groups and key(item) - key(groups[-1][-1]) <= EDGE_TOLERANCE:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _is_ruled(horizontals: list[dict[str, Any]], y: float, x0: float, x1: float) -> bool:
    tol = SNAP_TOLERANCE
    return any(abs(h["top"] - y) <= tol and h["x0"] <= x0 + tol and h["x1"] >= x1 - tol for h in horizontals)


def _horizontal_edge(y: float, x0: float, x1: float) -> dict[str, Any]:
    return {
        "object_type": "closing_edge",  # pdfplumber takes any "*_edge" object as an edge as is
        "orientation": "h",
        "x0": x0,
        "x1": x1,
        "width": x1 - x0,
        "top": y,
        "bottom": y,
        "height": 0.0,
    }


_SHAPE_KINDS = ("rect", "line", "curve")


def _is_visible(obj: dict[str, Any]) -> bool:
    """Keep text and images; keep drawn shapes only if they leave ink on a white page."""
    if obj.get("object_type") not in _SHAPE_KINDS:
        return True
    stroked = obj.get("stroke") and not _is_white(obj.get("stroking_color"))
    filled = obj.get("fill") and not _is_white(obj.get("non_stroking_color"))
    return bool(stroked or filled)


def _is_white(color: Any) -> bool:
    if color is None or isinstance(color, str):
        return False  # default colour is black; patterns are ink
    values = list(color) if isinstance(color, (tuple, list)) else [color]
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return False
    if len(values) == 4:  # CMYK: white is no ink at all
        return all(v <= 1 - WHITE_LEVEL for v in values)
    return all(v >= WHITE_LEVEL for v in values)


# --- tables ---------------------------------------------------------------------------------------------


# Two tables stacked in one ruled box: each side has at least this many inner column borders, and at
# most this share of the fewer of them lies at the same position on both sides (rows of one table
# share all their value-column borders).
STACKED_MIN_EDGES, STACKED_SHARED_EDGES = 3, 0.3


def _stacked_tables(cells: list[tuple]) -> list[list[tuple]]:
    """Cut a ruled box into the tables stacked in it: two tables printed without a gap share a border.

    Where no cell crosses a horizontal rule and the column borders above it and below it have hardly a
    position in common (at most 30 %: widths can agree by chance), the rule joins two tables (a 汇总表 right
    under 表三, a header table with its own column widths on top of the data), not rows of one: merged into one
    grid, each
    table's columns would be cut by the other's borders and its values spread over several slots.
    """
    if len(cells) < 2:
        return [cells]
    xs = _distinct_edges(x for c in cells for x in (c[0], c[2]))
    ys = _distinct_edges(y for c in cells for y in (c[1], c[3]))
    spans = [(_nearest(ys, c[1]), _nearest(ys, c[3]), _nearest(xs, c[0]), _nearest(xs, c[2])) for c in cells]
    outer = {0, len(xs) - 1}

    def inner_edges(rows: range) -> set[int]:
        return {e for r0, r1, c0, c1 in spans if r0 in rows and r1 - 1 in rows for e in (c0, c1)} - outer

    parts: list[list[tuple]] = []
    start = 0
    for k in range(1, len(ys) - 1):
        if any(r0 < k < r1 for r0, r1, _, _ in spans):
            continue
        above, below = inner_edges(range(start, k)), inner_edges(range(k, len(ys) - 1))
        fewer = min(len(above), len(below))
        if fewer >= STACKED_MIN_EDGES and len(above & below) <= STACKED_SHARED_EDGES * fewer:
            parts.append([c for c, (r0, _, _, _) in zip(cells, spans) if start <= r0 < k])
            start = k
    parts.append([c for c, (r0, _, _, _) in zip(cells, spans) if r0 >= start])
    return parts


def _raw_table(
    cells: list[tuple], chars: list[dict[str, Any]], page_no: int, doc: Document
) -> tuple[RawTable, tuple[float, float, float, float]] | None:
    """Expand pdfplumber's cell rectangles into a grid, with the grid's bbox.

    None for a one-column box: a framed paragraph or note reads better as running text.
    """
    xs = _distinct_edges(x for c in cells for x in (c[0], c[2]))
    ys = _distinct_edges(y for c in cells for y in (c[1], c[3]))
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 2:
        return None
    grid: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
    ordered = sorted(cells, key=lambda c: (c[1], c[0]))
    for bbox in ordered:
        _place_cell(grid, bbox, xs, ys, page_no, doc)
    _fill_cell_texts(grid, xs, ys, chars, page_no, doc)
    return RawTable(grid=grid, page=page_no, last_page=page_no), (xs[0], ys[0], xs[-1], ys[-1])


def _distinct_edges(values: Iterable[float]) -> list[float]:
    """Sorted edge positions with near-duplicates (within EDGE_TOLERANCE) merged to their mean."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= EDGE_TOLERANCE:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _nearest(edges: list[float], value: float) -> int:
    i = bisect.bisect_left(edges, value)
    if i == 0:
        return 0
    if i == len(edges):
        return len(edges) - 1
    return i if edges[i] - value < value - edges[i - 1] else i - 1


def _place_cell(
    grid: list[list[Cell | None]], bbox: tuple, xs: list[float], ys: list[float], page_no: int, doc: Document
) -> None:
    c0, c1 = _nearest(xs, bbox[0]), _nearest(xs, bbox[2])
    r0, r1 = _nearest(ys, bbox[1]), _nearest(ys, bbox[3])
    if c1 <= c0 or r1 <= r0:
        return  # a sliver thinner than the edge tolerance: no slot of its own
    cell = Cell(
        text="",
        row=r0,
        col=c0,
        rowspan=r1 - r0,
        colspan=c1 - c0,
        page=page_no,
        bbox=tuple(round(v, 2) for v in bbox),  # type: ignore[arg-type]
    )
    for r in range(r0, r1):
        for c in range(c0, c1):
            if grid[r][c] is None:
                grid[r][c] = cell
            else:
                doc.warnings.append(f"page {page_no}: overlapping table cells at grid slot ({r}, {c})")


def _fill_cell_texts(
    grid: list[list[Cell | None]], xs: list[float], ys: list[float], chars: list[dict], page_no: int,
    doc: Document | None = None,
) -> None:
    """Give each cell the characters whose centre lies inside it, laid out in lines.

    Text printed in a slot that no drawn cell covers would otherwise vanish: it is inside the table,
    so it is not running text either. Such a slot gets a cell of its own (its box is the slot's).
    """
    inside, beside = [], []
    top, bottom, left, right = ys[0], ys[-1], xs[0], xs[-1]
    bisect_right = bisect.bisect_right
    for ch in chars:  # every character of the page, for each table
        y = (ch["top"] + ch["bottom"]) / 2
        if not top < y < bottom:
            continue
        x = (ch["x0"] + ch["x1"]) / 2
        if left < x < right:
            inside.append((ch, bisect_right(ys, y) - 1, bisect_right(xs, x) - 1))
        elif _is_number_char(ch["text"]) and left - ch["size"] < x < right + ch["size"]:
            beside.append(ch)
    inside += _digits_over_outer_border(beside, inside, xs, ys)
    inside = _numbers_across_borders(inside, grid, xs, page_no, doc)
    by_cell: dict[int, tuple[Cell, list[dict]]] = {}
    for ch, r, c in inside:
        cell = grid[r][c]
        if cell is None and not ch["text"].strip():
            continue
        if cell is None:
            bbox = (round(xs[c], 2), round(ys[r], 2), round(xs[c + 1], 2), round(ys[r + 1], 2))
            cell = grid[r][c] = Cell(text="", row=r, col=c, page=page_no, bbox=bbox)
        by_cell.setdefault(id(cell), (cell, []))[1].append(ch)
    for cell, cell_chars in by_cell.values():
        cell.text = _chars_to_text(cell_chars)


def _digits_over_outer_border(
    beside: list[dict], inside: list[tuple[dict, int, int]], xs: list[float], ys: list[float]
) -> list[tuple[dict, int, int]]:
    """Digits just outside the table's left or right border that touch a number inside it.

    A number too wide for the last column runs over the table's outer border: its last digit is part of
    the number (31, not 3 and a stray "1" in the running text). Claimed characters are marked, so the
    running text leaves them out.
    """
    claimed = []
    for ch in beside:
        y = (ch["top"] + ch["bottom"]) / 2
        gap = DIGIT_RUN_GAP * max(ch["size"], 1.0)
        touches = any(
            _is_number_char(other["text"]) and other["top"] < y < other["bottom"]
            and (other["x1"] >= ch["x0"] - gap if ch["x0"] >= xs[-1] - gap else other["x0"] <= ch["x1"] + gap)
            and abs((other["x0"] + other["x1"]) / 2 - (ch["x0"] + ch["x1"]) / 2) < 2 * ch["size"]
            for other, _, _ in inside
        )
        if touches:
            ch["in_table"] = True
            r = bisect.bisect_right(ys, y) - 1
            claimed.append((ch, r, 0 if ch["x1"] <= xs[0] + gap else len(xs) - 2))
    return claimed


def _numbers_across_borders(
    inside: list[tuple[dict, int, int]], grid: list[list[Cell | None]], xs: list[float], page_no: int,
    doc: Document | None,
) -> list[tuple[dict, int, int]]:
    """Keep a number that overflows its cell in the cell that holds most of it.

    A number too wide for a narrow column runs over the border; its outer digit then has its centre in
    the next cell and would be glued to that cell's own number (13989 | 884 read 1398 and 9884). Digits
    that touch are one number wherever a border runs through them, so they all go to the cell holding the
    middle of the run, with a warning. Only when the next cell has text of its own: a run cut by a
    spurious hairline rule into an otherwise empty sliver is joined later, and checked against the row
    total (``transform.tables.confirm_splits``).
    """
    digits = [i for i, (ch, _, _) in enumerate(inside) if _is_number_char(ch["text"])]
    if not digits:
        return inside

    def owner(r: int, c: int) -> Any:
        return id(grid[r][c]) if grid[r][c] is not None else (r, c)

    printed: dict[Any, int] = {}
    for ch, r, c in inside:
        if ch["text"].strip():
            key = owner(r, c)
            printed[key] = printed.get(key, 0) + 1
    slot_of = {id(inside[i][0]): inside[i][1:] for i in digits}
    moved: dict[int, tuple[int, int]] = {}
    for line in _group_lines([inside[i][0] for i in digits]):
        line.sort(key=operator.itemgetter("x0"))
        runs = [[line[0]]]
        for ch in line[1:]:
            if ch["x0"] - runs[-1][-1]["x1"] <= DIGIT_RUN_GAP * max(ch["size"], 1.0):
                runs[-1].append(ch)
            else:
                runs.append([ch])
        for run in runs:
            slots = [slot_of[id(ch)] for ch in run]
            if len({r for r, _ in slots}) != 1 or len({owner(r, c) for r, c in slots}) == 1:
                continue  # within one (possibly merged) cell
            r = slots[0][0]
            in_run: dict[Any, int] = {}
            cols: dict[Any, int] = {}
            for _, c in slots:
                in_run[owner(r, c)] = in_run.get(owner(r, c), 0) + 1
                cols.setdefault(owner(r, c), c)
            others = {key: printed[key] - n for key, n in in_run.items()}
            if not any(others.values()):
                continue  # cut by a hairline into an empty sliver: joined and checked by the transform
            text = "".join(ch["text"] for ch in run)
            free = [key for key, n in others.items() if n == 0]
            target = cols[free[0]] if len(free) == 1 else None
            cell = grid[r][target] if target is not None else None
            widest = max(ch["x1"] - ch["x0"] for ch in run)
            run_width = run[-1]["x1"] - run[0]["x0"]
            if cell is None or len(in_run) != 2 or (cell.bbox and run_width > cell.bbox[2] - cell.bbox[0] + widest):
                # Both cells hold numbers of their own, or the run is far wider than a cell: the numbers of
                # neighbouring cells touch and cannot be told apart.
                if doc is not None:
                    doc.warnings.append(f"page {page_no}: digits {text} run over cell borders into the next "
                                        "cell's number; the numbers of that row may be misread")
                continue
            for ch in run:
                moved[id(ch)] = (r, target)
            if doc is not None:
                doc.warnings.append(f"page {page_no}: the number {text} runs over its cell border; read in the "
                                    "cell that holds most of it")
    if not moved:
        return inside
    return [(ch, *moved.get(id(ch), (r, c))) for ch, r, c in inside]


def _is_number_char(text: str) -> bool:
    return len(text) == 1 and (text.isdigit() or text in ".,")


def _quarter(ch: dict) -> int:
    """How far a character is turned, in quarter turns counter-clockwise (0 upright, 1 reads upwards)."""
    a, b = ch.get("matrix", (1, 0))[:2]
    if b == 0 and a > 0:  # upright, the usual case: no trigonometry
        return 0
    return round(math.degrees(math.atan2(b, a)) / 90) % 4


def _chars_to_text(chars: list[dict]) -> str:
    """A cell's text: lines top to bottom, or columns for text printed vertically.

    Word and WPS print a cell's "text direction" two ways. Turned glyphs (btLr reads upwards, columns left to
    right; a clockwise turn reads downwards, columns right to left) are read along their own baseline; an
    upright downward column would otherwise come out upside down ("果结理办" for 办理结果). Upright CJK
    stacked in several columns (tbRl in LibreOffice, narrow header cells) reads top to bottom, columns right to
    left; each column on its own it already reads right as one character per line.
    """
    if len(chars) == 1 and (not chars[0]["text"].strip() or _quarter(chars[0]) not in (1, 3)):
        # one character, not turned (a digit of a count): its line's text, as below
        return " ".join(chars[0]["text"].translate(RADICAL_TO_IDEOGRAPH).split())
    printed = [ch for ch in chars if ch["text"].strip()]
    quarters = [_quarter(ch) for ch in printed]
    for quarter in (1, 3):
        if printed and quarters.count(quarter) > len(printed) / 2:
            return _vertical_text(chars, quarter)
    columns = _upright_columns(printed)
    if columns is not None:
        return "\n".join("".join(ch["text"] for ch in col) for col in columns).translate(RADICAL_TO_IDEOGRAPH)
    return "\n".join(text for text in (_line_text(line) for line in _group_lines(chars)) if text)


def _group_columns(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped by horizontal overlap into columns, left to right (vertical text)."""
    return _group_by_overlap(chars, "x0", "x1", "top")


def _vertical_text(chars: list[dict], quarter: int) -> str:
    columns = _group_columns([ch for ch in chars if ch["text"].strip()])
    upwards = quarter == 1
    if not upwards:
        columns.reverse()
    lines = []
    for col in columns:
        col.sort(key=lambda c: c["top"], reverse=upwards)
        parts, previous = [], None
        for ch in col:
            if previous is not None:
                gap = (previous["top"] - ch["bottom"]) if upwards else (ch["top"] - previous["bottom"])
                if gap > WORD_GAP * max(ch["size"], 1.0):
                    parts.append(" ")
            parts.append(ch["text"])
            previous = ch
        lines.append(" ".join("".join(parts).translate(RADICAL_TO_IDEOGRAPH).split()))
    return "\n".join(line for line in lines if line)


def _upright_columns(chars: list[dict]) -> list[list[dict]] | None:
    """The columns (right to left, each top to bottom) of upright CJK text set vertically, else None.

    Only when the reading is unambiguous: at least two columns of two or more characters, all of them
    non-Latin, touching one another down each column while the columns stand apart. Horizontal lines
    show the opposite (touching across, a line gap down).
    """
    if len(chars) < 4 or any(ch["text"].isascii() for ch in chars):
        return None
    columns = _group_columns(chars)
    if len(columns) < 2 or sum(len(col) >= 2 for col in columns) < 2:
        return None
    size = max(ch["size"] for ch in chars) or 1.0
    worst_down = 0.0
    for col in columns:
        col.sort(key=operator.itemgetter("top"))
        for above, below in zip(col, col[1:]):
            gap = below["top"] - above["bottom"]
            if abs(gap) > STACK_GAP * size:
                return None
            worst_down = max(worst_down, gap)
    for left, right in zip(columns, columns[1:]):
        gap = min(ch["x0"] for ch in right) - max(ch["x1"] for ch in left)
        if gap < COLUMN_GAP * size or gap <= worst_down + STACK_GAP * size:
            return None
    return columns[::-1]


# --- running text ---------------------------------------------------------------------------------------


def _text_lines_outside(
    chars: list[dict[str, Any]], boxes: list[tuple[float, float, float, float]]
) -> list[dict[str, Any]]:
    """Running-text lines (text, top) from the characters that lie in no table."""

    outside = []
    for ch in chars:  # every character of the page: the test written out, no call per character
        if ch.get("in_table"):
            continue
        if boxes:  # most pages have no table, nothing to test
            x = (ch["x0"] + ch["x1"]) / 2
            y = (ch["top"] + ch["bottom"]) / 2
            for b in boxes:
                if b[0] <= x <= b[2] and b[1] <= y <= b[3]:
                    break
            else:
                outside.append(ch)
        else:
            outside.append(ch)
    lines = []
    for line in _group_lines(outside):
        text = _line_text(line)
        if text:
            lines.append({"text": text, **_line_extent(line)})
    return lines


def _line_extent(line: list[dict[str, Any]]) -> dict[str, float]:
    """The line's top, bottom, x0, x1 (its box) and largest size, in one pass: min()/max() written out as
    they choose (the first value unless a later one is strictly beyond)."""
    first = line[0]
    top, bottom, x0, x1, size = first["top"], first["bottom"], first["x0"], first["x1"], first["size"]
    for ch in line:
        value = ch["top"]
        if value < top:
            top = value
        value = ch["bottom"]
        if value > bottom:
            bottom = value
        value = ch["x0"]
        if value < x0:
            x0 = value
        value = ch["x1"]
        if value > x1:
            x1 = value
        value = ch["size"]
        if value > size:
            size = value
    return {"top": top, "bottom": bottom, "x0": x0, "x1": x1, "size": size}


def _paragraphs(lines: list[dict[str, Any]], page_width: float) -> list[list[dict[str, Any]]]:
    """Group lines into paragraphs the way a reader sees them.

    A line continues the paragraph above only if the line above runs to the right margin (the
    sentence wrapped), it starts at the left margin (no first-line indent), it has the same type
    size right below, and it does not open like a heading or a list item. Headings, captions, page
    numbers and the last line of a paragraph never run to the margin, so they stay blocks of their
    own. The right margin is the longest line's end, but no further in than the left margin
    mirrored: on a page of short lines the longest line is not "full". (A page whose text starts
    further left than its body, say a running header, then merges nothing: its lines stay lines.)
    """
    if not lines:
        return []
    left = min(line["x0"] for line in lines)
    right = max(max(line["x1"] for line in lines), page_width - left)
    paragraphs = [[lines[0]]]
    for line in lines[1:]:
        above = paragraphs[-1][-1]
        size = above["size"]
        wraps = (
            above["x1"] >= right - PARAGRAPH_MARGIN * size
            and line["x0"] <= left + PARAGRAPH_MARGIN * size
            and abs(line["size"] - size) < 0.5
            and 0 <= line["top"] - above["bottom"] <= size
            and not HEADING_START.match(line["text"])
        )
        if wraps:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _is_latin_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _join_lines(lines: list[dict[str, Any]]) -> str:
    """Join wrapped lines: CJK text wraps without a space, Latin words need one."""
    text = lines[0]["text"]
    for line in lines[1:]:
        nxt = line["text"]
        latin_words_meet = _is_latin_letter(text[-1]) and _is_latin_letter(nxt[0])
        text += " " + nxt if latin_words_meet else nxt
    return text


def _group_lines(chars: list[dict]) -> list[list[dict]]:
    """Group characters into visual lines, top to bottom.

    Grouping is by vertical overlap, not by equal ``top``: Chromium sets digits in a Latin font whose
    box sits a few points lower than the CJK glyphs around it, and a fixed ``top`` tolerance would
    lift "2019" out of its sentence onto a line of its own.
    """
    return _group_by_overlap(chars, "top", "bottom", "x0")


def _group_by_overlap(chars: list[dict], low: str, high: str, within: str) -> list[list[dict]]:
    """Characters grouped by overlap of their ``low``–``high`` extent, taken in order of that extent's
    middle (then ``within``). A group keeps its first character's span, so groups cannot creep."""
    groups: list[list[dict]] = []
    spans: list[tuple[float, float]] = []
    for ch in sorted(chars, key=lambda c: ((c[low] + c[high]) / 2, c[within])):
        start, end = ch[low], ch[high]
        if spans:
            span_start, span_end = spans[-1]
            # min()/max() written out as they choose (the first unless the second is strictly beyond): this
            # runs for every character of every line and cell
            overlap = (span_end if span_end < end else end) - (span_start if span_start > start else start)
            height, span_height = end - start, span_end - span_start
            shorter = span_height if span_height < height else height
            if overlap >= LINE_OVERLAP * shorter:
                groups[-1].append(ch)
                continue
        groups.append([ch])
        spans.append((start, end))
    return groups


def _is_superscript_digit(ch: dict, base: dict | None) -> bool:
    """A smaller digit set above the baseline of the digit before it: a note mark (26¹), not a digit of 261."""
    return (base is not None and ch["text"].isdigit() and base["text"].isdigit()
            and ch["size"] <= SUPERSCRIPT_SIZE * base["size"]
            and ch["bottom"] <= base["bottom"] - SUPERSCRIPT_RAISE * base["size"])


def _line_text(line: list[dict]) -> str:
    """Characters left to right; a gap wider than half a character reads as a space.

    A superscript note mark after a number (smaller digits raised above its baseline) is written
    ``[注1]``, as the Word and HTML readers write theirs, so it never reads as more digits of the number.
    """
    parts: list[str] = []
    previous = base = None
    in_note = False
    for ch in sorted(line, key=_X0):
        text = ch["text"]
        note = base is not None and text.isdigit() and _is_superscript_digit(ch, base)
        if in_note and not note:
            parts.append("]")
            in_note = False
        if previous is not None:
            size = ch["size"]
            if ch["x0"] - previous["x1"] > WORD_GAP * (1.0 if 1.0 > size else size):  # max(size, 1.0)
                parts.append(" ")
        if note and not in_note:
            parts.append("[注")
            in_note = True
        parts.append(text)
        previous = ch
        if not note:
            base = ch
    if in_note:
        parts.append("]")
    return " ".join("".join(parts).translate(RADICAL_TO_IDEOGRAPH).split())
