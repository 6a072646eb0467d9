"""Offline OCR of pictured pages and tables: a picture → running-text blocks and ``RawTable`` grids.

Scanned reports, tables pasted as screenshots into Word or HTML: the numbers are only in pixels. This
module reads them with RapidOCR (PP-OCR detection + recognition models run by onnxruntime). The models
are the ones shipped inside the ``rapidocr`` wheel; every model path is given explicitly so the library
never reaches for its download code — nothing is fetched at run time, ever (a test forbids sockets).

The picture is turned into the same document model as a text PDF, so ``transform`` maps labels and runs
the 勾稽 checks unchanged:

* the page is straightened first (scans are turned by a degree or two; a turned ruling would cut rows);
* ruling lines (OpenCV morphology) give the table grid where they are drawn: row and column edges from
  the line positions, and a slot boundary without ink means a merged cell;
* tables drawn without rules are laid out from the word positions by ``wordgrid``;
* every OCR'd cell keeps its confidence and its box in the image (``Cell.ocr``), so the report can say
  which numbers rest on OCR and how sure it was. A cell that came out empty but holds ink is marked
  with confidence 0: a faint digit the recogniser missed must not pass as a printed blank.
"""

from __future__ import annotations

import contextvars
import io
import logging
import os
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from extract.documents import wordgrid
from extract.documents.model import Cell, Document, RawTable, TextBlock
from extract.documents.wordgrid import Word
from extract.sections import STATISTICS_HEADING_LOOSE, statistics_section_flags

logger = logging.getLogger(__name__)

# Recognition works best with CJK strokes ~30 px high: pages are read at 150-200 dpi.
RENDER_DPI = 150
MAX_SKEW_DEGREES = 2.5
SKEW_STEP = 0.1
# A ruling is a run of ink at least this share of the page width (horizontal) / height (vertical).
H_RULE_SHARE = 1 / 20
V_RULE_SHARE = 1 / 50  # longer than any digit stroke of table text at 150 dpi
RULE_TOLERANCE = 6  # px: ruling positions closer than this are one edge
BOUNDARY_INK = 0.6  # share of a slot boundary covered by a ruling for it to separate two cells
MIN_ROW_RULE = 0.2  # share of the table width a row rule must cover
MIN_TABLE_SIDE = 60  # px: smaller ruled boxes are stamps or underlines, not tables
EMPTY_CELL_INK = 0.004  # dark-pixel share inside a cell with no text above which a mark was missed
SURE = 0.97  # a cell read with less confidence is read a second time on its own
DEFAULT_TIME_LIMIT = 80.0  # seconds of OCR per document; the extraction limit (120 s) must leave room


@dataclass
class OcrStats:
    """What one document's OCR cost (for the report's issue and the benchmark)."""

    pages_full: list[int]
    pages_skipped: list[int]
    seconds: float
    timed_out: bool = False


# --- the engine ---------------------------------------------------------------------------------------

_engine_lock = threading.Lock()
_engine: Any = None


def models_dir() -> Path:
    """The directory of model files shipped inside the rapidocr wheel."""
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


def model_files() -> dict[str, Path]:
    root = models_dir()
    return {
        "Det": root / "PP-OCRv6_det_small.onnx",
        "Rec": root / "PP-OCRv6_rec_small.onnx",
        "Cls": root / "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    }


def enabled() -> bool:
    """OCR runs unless turned off (``xxgk extract --no-ocr``, the flows' ``ocr`` setting): XXGK_OCR=0.
    An environment variable, so worker processes started for isolation inherit the choice."""
    return os.environ.get("XXGK_OCR", "1").strip().lower() not in ("0", "false", "no", "off") and available()


def time_limit() -> float:
    """Seconds of OCR allowed per document (XXGK_OCR_TIME_LIMIT_S), inside the document's own time limit."""
    try:
        return float(os.environ.get("XXGK_OCR_TIME_LIMIT_S", DEFAULT_TIME_LIMIT))
    except ValueError:
        return DEFAULT_TIME_LIMIT


def available() -> bool:
    """True when the OCR packages and their shipped models are installed."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return all(p.is_file() for p in model_files().values())


def engine() -> Any:
    """One RapidOCR instance per process, built from the packaged model files only."""
    global _engine
    with _engine_lock:
        if _engine is None:
            from rapidocr import RapidOCR

            threads = int(os.environ.get("XXGK_OCR_THREADS", "-1"))
            params: dict[str, Any] = {
                "Global.log_level": "error",
                "Global.use_cls": False,  # pages are upright after deskew; saves a model pass per line
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            }
            for task, path in model_files().items():
                if not path.is_file():
                    raise RuntimeError(f"OCR model missing from the rapidocr package: {path.name}")
                params[f"{task}.model_path"] = str(path)
            _engine = RapidOCR(params=params)
        return _engine


def recognise(gray: np.ndarray) -> list[Word]:
    """Text lines of a greyscale picture with their boxes (px) and confidences."""
    rgb = np.stack([gray] * 3, axis=-1)
    result = engine()(rgb)
    if result.boxes is None or result.txts is None:
        return []
    words = []
    for box, text, score in zip(result.boxes, result.txts, result.scores):
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        if text.strip():
            words.append(Word(text.strip(), min(xs), min(ys), max(xs), max(ys), float(score)))
    return words


# --- straightening ----------------------------------------------------------------------------------


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark marks (text, rules) as 255 on 0; Otsu copes with grey paper and faint scans."""
    import cv2

    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    _, mask = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask


def skew_angle(gray: np.ndarray) -> float:
    """The rotation (degrees) that makes text lines and rulings horizontal: the angle whose row
    profile of ink is sharpest, searched on a reduced copy within ±MAX_SKEW_DEGREES."""
    import cv2

    mask = ink_mask(gray)
    scale = 800 / max(mask.shape)
    small = cv2.resize(mask, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else mask
    h, w = small.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = turned.sum(axis=1, dtype=np.float64)
        return float(np.sum(np.diff(profile) ** 2))

    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 1e-9, 0.5)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, SKEW_STEP)
    return float(max(fine, key=sharpness))


def straighten(gray: np.ndarray) -> tuple[np.ndarray, float]:
    import cv2

    angle = skew_angle(gray)
    if abs(angle) < 0.05:
        return gray, 0.0
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    paper = int(np.median(gray))
    turned = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=paper)
    return turned, angle


# --- ruled grids --------------------------------------------------------------------------------------


@dataclass
class Grid:
    """A ruled table found in the picture: its edges and which slot boundaries are drawn."""

    ys: list[int]
    xs: list[int]
    h_mask: np.ndarray
    v_mask: np.ndarray

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def rule_masks(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rulings: ink runs far longer than any character stroke."""
    import cv2

    h, w = mask.shape
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, int(w * H_RULE_SHARE)), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, int(h * V_RULE_SHARE))))
    # Close one-pixel gaps first: noise and JPEG break thin rules into dashes (wider would glue the
    # strokes of a text line into a fake rule).
    closed_h = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    closed_v = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    horizontal = cv2.morphologyEx(closed_h, cv2.MORPH_OPEN, hk)
    vertical = cv2.morphologyEx(closed_v, cv2.MORPH_OPEN, vk)
    return horizontal, vertical


def find_grids(gray: np.ndarray) -> list[Grid]:
    """Every ruled table of the picture, top to bottom."""
    import cv2

    horizontal, vertical = rule_masks(ink_mask(gray))
    joined = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    grids = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < MIN_TABLE_SIDE or h < MIN_TABLE_SIDE:
            continue
        region = (slice(max(0, y - 3), y + h + 3), slice(max(0, x - 3), x + w + 3))
        # A row rule runs under several cells; a stray run of text strokes covers a fraction of one.
        ys = _edges(horizontal[region], axis=1, offset=region[0].start, min_run=w * MIN_ROW_RULE)
        xs = _edges(vertical[region], axis=0, offset=region[1].start, min_run=h * 0.05)
        _close_open_ends(ys, top=y + 2, bottom=y + h - 3)
        if len(ys) >= 2 and len(xs) >= 2:
            grids.append(Grid(ys, xs, horizontal, vertical))
    grids.sort(key=lambda g: g.ys[0])
    return grids


def _close_open_ends(ys: list[int], top: int, bottom: int) -> None:
    """A table cut by a page break is printed open: the column rules run on past the last row rule
    (or start above the first). The rules' ends close the cut row, as a text PDF's reader does."""
    if ys and bottom - ys[-1] > 2 * RULE_TOLERANCE:
        ys.append(bottom)
    if ys and ys[0] - top > 2 * RULE_TOLERANCE:
        ys.insert(0, top)


def _edges(mask: np.ndarray, axis: int, offset: int, min_run: float) -> list[int]:
    """Positions of rulings: rows (axis=1) or columns (axis=0) with a long enough run of rule pixels."""
    counts = (mask > 0).sum(axis=axis)
    hits = [i for i, c in enumerate(counts) if c >= min_run]
    edges: list[list[int]] = []
    for i in hits:
        if edges and i - edges[-1][-1] <= RULE_TOLERANCE:
            edges[-1].append(i)
        else:
            edges.append([i])
    return [offset + int(round(sum(e) / len(e))) for e in edges]


def _drawn(mask: np.ndarray, fixed: int, lo: int, hi: int, vertical: bool) -> bool:
    """Is the boundary at ``fixed`` between ``lo`` and ``hi`` ruled along most of its length?"""
    if hi - lo <= 2:
        return True
    band = slice(max(0, fixed - RULE_TOLERANCE), fixed + RULE_TOLERANCE + 1)
    strip = mask[lo:hi, band] if vertical else mask[band, lo:hi]
    covered = (strip > 0).any(axis=1 if vertical else 0)
    return covered.mean() >= BOUNDARY_INK


def grid_cells(grid: Grid) -> list[tuple[int, int, int, int]]:
    """Cells as (row, col, rowspan, colspan): slots joined wherever their boundary is not drawn."""
    n_rows, n_cols = len(grid.ys) - 1, len(grid.xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not _drawn(grid.v_mask, grid.xs[c + 1], grid.ys[r], grid.ys[r + 1], True):
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not _drawn(grid.h_mask, grid.ys[r + 1], grid.xs[c], grid.xs[c + 1], False):
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    cells = []
    for slots in groups.values():
        r0, r1 = min(r for r, _ in slots), max(r for r, _ in slots)
        c0, c1 = min(c for _, c in slots), max(c for _, c in slots)
        cells.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    cells.sort()
    return cells


# --- a picture → blocks --------------------------------------------------------------------------------


@dataclass
class Placement:
    """Where the picture sits: its page and how pixels map to the page's points (PDF) or stay pixels."""

    page: int | None
    scale: float = 1.0  # points per pixel; 1.0 keeps pixel units (HTML / DOCX pictures)
    source: str | None = None  # e.g. "page 3" or the image file name, for cells_source


def read_picture(gray: np.ndarray, where: Placement, words: list[Word] | None = None,
                 straightened: bool = False, continued: bool = False) -> list[TextBlock | RawTable]:
    """Blocks of one picture in reading order: ruled tables, word-laid tables, running text.
    ``continued``: the page follows a page read by OCR, so a table may run on without its heading."""
    if not straightened:
        gray, _ = straighten(gray)
    grids = find_grids(gray)
    if words is None:
        words = recognise(gray)
    mask = ink_mask(gray)
    placed: list[tuple[float, TextBlock | RawTable]] = []
    free = list(words)
    for grid in grids:
        inside, free = _split_words(free, grid.box)
        placed.append((grid.ys[0], _grid_table(grid, inside, gray, mask, where)))
    lines = wordgrid.group_lines(free)
    for table, used in wordgrid.tables_in_picture(lines, where.page, continued):
        for cell in {id(c): c for row in table.grid for c in row if c is not None}.values():
            _mark_ocr_cell(cell, where, cell.bbox)
        top = min(w.y0 for line in used for w in line)
        placed.append((top, table))
        lines = [line for line in lines if line not in used]
    for paragraph in _paragraphs(lines):
        text = "\n".join("".join(w.text for w in line) for line in paragraph)
        placed.append((paragraph[0][0].y0, TextBlock(text=text, page=where.page)))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def _split_words(words: list[Word], box: tuple[int, int, int, int]) -> tuple[list[Word], list[Word]]:
    x0, y0, x1, y1 = box
    inside, outside = [], []
    for w in words:
        cx, cy = (w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2
        (inside if x0 <= cx <= x1 and y0 <= cy <= y1 else outside).append(w)
    return inside, outside


def _grid_table(grid: Grid, words: list[Word], gray: np.ndarray, mask: np.ndarray, where: Placement) -> RawTable:
    """A ruled grid with the recognised words placed in the cell under their centre."""
    n_rows, n_cols = len(grid.ys) - 1, len(grid.xs) - 1
    slots: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
    owned: dict[tuple[int, int], list[Word]] = {}
    cells = grid_cells(grid)
    for r, c, _rs, _cs in cells:
        owned[(r, c)] = []
    owner = {}
    for r, c, rs, cs in cells:
        for rr in range(r, r + rs):
            for cc in range(c, c + cs):
                owner[(rr, cc)] = (r, c)
    for w in words:
        for piece in _split_at_rules(w, grid):
            cx, cy = (piece.x0 + piece.x1) / 2, (piece.y0 + piece.y1) / 2
            r = _band(grid.ys, cy)
            c = _band(grid.xs, cx)
            if r is not None and c is not None:
                owned[owner[(r, c)]].append(piece)
    for r, c, rs, cs in cells:
        box = (grid.xs[c], grid.ys[r], grid.xs[c + cs], grid.ys[r + rs])
        inside = owned[(r, c)]
        text = "\n".join("".join(w.text for w in line) for line in wordgrid.group_lines(inside))
        cell = Cell(text=text, row=r, col=c, rowspan=rs, colspan=cs, page=where.page,
                    bbox=tuple(v * where.scale for v in box))
        confidence = min((w.score for w in inside), default=1.0)
        if not inside and _has_ink(mask, box):
            confidence = 0.0  # something is printed there that the recogniser did not read
        if confidence < SURE and _looks_numeric(text):
            text, confidence = _second_look(gray, box, text, confidence)
        cell.ocr = {"confidence": round(confidence, 4), "box": [int(v) for v in box], "image": where.source}
        for rr in range(r, r + rs):
            for cc in range(c, c + cs):
                slots[rr][cc] = cell
    return RawTable(grid=slots, page=where.page, last_page=where.page)


def _looks_numeric(text: str) -> bool:
    return not text or bool(re.fullmatch(r"[\d\s,.．]+", text))


def _second_look(gray: np.ndarray, box: tuple[int, int, int, int], text: str, confidence: float) -> tuple[str, float]:
    """Read an unsure number cell again on its own, enlarged: a lone "1" in a wide cell is a weak case
    for a whole-page pass. Agreement raises the confidence; disagreement keeps the lower one (and an
    empty first reading takes the second), so the report lists the cell instead of trusting either."""
    import cv2

    x0, y0, x1, y1 = box
    inner = gray[y0 + RULE_TOLERANCE:y1 - RULE_TOLERANCE + 1, x0 + RULE_TOLERANCE:x1 - RULE_TOLERANCE + 1]
    if inner.size == 0:
        return text, confidence
    paper = int(np.median(gray))
    crop = cv2.copyMakeBorder(cv2.resize(inner, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC),
                              24, 24, 24, 24, cv2.BORDER_CONSTANT, value=paper)
    again = recognise(crop)
    second = "".join(w.text for w in again).replace(" ", "")
    score = min((w.score for w in again), default=0.0)
    if second and second == text.replace("\n", "").replace(" ", ""):
        return text, max(confidence, score)
    if not text and second and _looks_numeric(second):
        return second, min(score, confidence) if confidence > 0 else min(score, SURE - 0.01)
    return text, min(confidence, score) if second else confidence


def _split_at_rules(w: Word, grid: Grid) -> list[Word]:
    """A detected text line that runs over a column rule (two cells read as one line) cut at the rule,
    characters shared out by width — only when the cut falls between spaces or digits cleanly."""
    crossing = [x for x in grid.xs[1:-1] if w.x0 + 4 < x < w.x1 - 4]
    if not crossing or " " not in w.text:
        return [w]
    parts = w.text.split()
    if len(parts) != len(crossing) + 1:
        return [w]
    edges = [w.x0, *crossing, w.x1]
    return [Word(p, edges[i], w.y0, edges[i + 1], w.y1, w.score) for i, p in enumerate(parts)]


def _band(edges: list[int], v: float) -> int | None:
    for i in range(len(edges) - 1):
        if edges[i] <= v < edges[i + 1]:
            return i
    return None


def _has_ink(mask: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = box
    pad = max(RULE_TOLERANCE + 2, int(min(x1 - x0, y1 - y0) * 0.15))
    inner = mask[y0 + pad:y1 - pad, x0 + pad:x1 - pad]
    if inner.size == 0:
        return False
    # Isolated specks are scan noise; a digit is a blob of several connected pixels.
    import cv2

    opened = cv2.morphologyEx(inner, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return float((opened > 0).mean()) > EMPTY_CELL_INK


def _mark_ocr_cell(cell: Cell, where: Placement, box: Any) -> None:
    """Cells laid out by wordgrid carry the word confidence already; scale their box to the page."""
    pixel_box = [int(v) for v in box] if box else None
    if box is not None:
        cell.bbox = tuple(v * where.scale for v in box)
    confidence = getattr(cell, "ocr", None) or {}
    cell.ocr = {"confidence": confidence.get("confidence", 1.0), "box": pixel_box, "image": where.source}


def _paragraphs(lines: list[list[Word]]) -> list[list[list[Word]]]:
    """Running-text lines grouped into paragraphs: a line that fills the measure continues into the
    next one; a short line, an indented line or a wide gap starts a new paragraph."""
    if not lines:
        return []
    right = max(w.x1 for line in lines for w in line)
    left = min(w.x0 for line in lines for w in line)
    height = float(np.median([line[0].y1 - line[0].y0 for line in lines]))
    paragraphs: list[list[list[Word]]] = []
    for line in lines:
        if paragraphs:
            prev = paragraphs[-1][-1]
            full = prev[-1].x1 >= right - 2.5 * height
            indented = line[0].x0 > left + 1.5 * height
            close = line[0].y0 - prev[-1].y1 < 1.2 * height
            if full and close and not indented:
                paragraphs[-1].append(line)
                continue
        paragraphs.append([line])
    return paragraphs


# --- time -------------------------------------------------------------------------------------------


class Deadline:
    def __init__(self, seconds: float):
        self.start = time.monotonic()
        self.seconds = seconds

    @property
    def passed(self) -> bool:
        return time.monotonic() - self.start > self.seconds

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start


# --- scanned PDF pages ----------------------------------------------------------------------------------

STATISTICS_HEADING = STATISTICS_HEADING_LOOSE  # the headings of the three statistics sections, as OCR reads them


def read_scanned_pages(pdfium_doc: Any, doc: Document, seconds: float | None = None) -> OcrStats | None:
    """OCR the PDF pages that have no text layer and put their blocks in page order into ``doc``.

    Triage keeps a long scan cheap: every page is straightened and searched for ruled tables (a few
    tens of ms); only the first page (title, agency, year) and the pages holding a table are recognised
    in full. When no page has a ruled table (a scan of a table without rules), each page is first
    recognised at half resolution and only pages showing a statistics heading are read in full.

    Pictures on text pages that stand under a statistics heading (a table pasted as an image into a
    WPS file) are read too, and their blocks put right after the block they follow.
    """
    if not enabled():
        return None
    deadline = Deadline(seconds if seconds is not None else time_limit())
    _read_pictures_on_text_pages(pdfium_doc, doc, deadline)
    pages = list(doc.pages_without_text)
    if not pages:
        return None
    pictures: dict[int, tuple[np.ndarray, float]] = {}
    candidates = []
    for page_no in pages:
        gray, scale = page_picture(pdfium_doc[page_no - 1])
        gray, _ = straighten(gray)
        pictures[page_no] = (gray, scale)
        if page_no == 1 or find_grids(gray):
            candidates.append(page_no)
    if not any(p != 1 for p in candidates):
        headed = _pages_with_headings(pictures, deadline)
        # A table runs on under its heading: the page after a heading page is read too.
        candidates = sorted(set(candidates) | set(headed) | {p + 1 for p in headed if p + 1 in pictures})
    stats = OcrStats(pages_full=[], pages_skipped=[p for p in pages if p not in candidates], seconds=0.0)
    read: dict[int, list[TextBlock | RawTable]] = {}
    for page_no in candidates:
        if deadline.passed:
            stats.timed_out = True
            doc.warnings.append(f"OCR stopped after {deadline.seconds:.0f} s; pages from {page_no} on not read")
            break
        gray, scale = pictures[page_no]
        read[page_no] = read_picture(gray, Placement(page_no, scale, f"page {page_no}"), straightened=True,
                                     continued=page_no - 1 in read)
        stats.pages_full.append(page_no)
    read = {p: blocks for p, blocks in read.items() if _has_text(blocks)}  # nothing recognised: still no text
    # Pages the triage passed over count as looked at only when OCR found text elsewhere in the document.
    done = set(read) | set(stats.pages_skipped if read and not stats.timed_out else [])
    _insert_pages(doc, read, done)
    stats.seconds = round(deadline.elapsed, 2)
    doc.ocr_pages = sorted(read)
    return stats


def _has_text(blocks: list[TextBlock | RawTable]) -> bool:
    """Did OCR recognise anything? A ruled grid with every cell empty is not a reading."""
    for block in blocks:
        if isinstance(block, TextBlock) and block.text.strip():
            return True
        if isinstance(block, RawTable) and any(c is not None and c.text.strip() for row in block.grid for c in row):
            return True
    return False


def page_picture(page: Any) -> tuple[np.ndarray, float]:
    """A page rendered grey at RENDER_DPI, and the points per pixel of the rendering."""
    scale = RENDER_DPI / 72
    bitmap = page.render(scale=scale, grayscale=True)
    image = bitmap.to_numpy()
    if image.ndim == 3:
        image = image[..., 0]
    return np.ascontiguousarray(image), 1 / scale


def _pages_with_headings(pictures: dict[int, tuple[np.ndarray, float]], deadline: Deadline) -> list[int]:
    import cv2

    found = []
    for page_no, (gray, _) in pictures.items():
        if deadline.passed:
            break
        small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        lines = wordgrid.group_lines(recognise(small))
        texts = ["".join(w.text for w in line).replace(" ", "") for line in lines]
        if any(STATISTICS_HEADING.match(t) for t in texts):
            found.append(page_no)
    return found


def _insert_pages(doc: Document, read: dict[int, list[TextBlock | RawTable]], done: set[int]) -> None:
    """Put the OCR'd blocks among the text-layer blocks in page order; pictures of read pages are no
    longer pictures without text, and every other picture keeps pointing at the block it followed."""
    if not read and not done:
        return
    old = doc.blocks
    anchors: dict[int, list[str]] = {}
    for before, src in doc.images:
        if before:
            anchors.setdefault(id(old[before - 1]), []).append(src)
    leading = [src for before, src in doc.images if not before]
    pending = dict(sorted(read.items()))
    blocks: list[TextBlock | RawTable] = []
    for block in old:
        page = getattr(block, "page", None)
        while pending and page is not None and next(iter(pending)) < page:
            blocks.extend(pending.pop(next(iter(pending))))
        blocks.append(block)
    for page_blocks in pending.values():
        blocks.extend(page_blocks)
    picture_of_read_page = re.compile(r"^page (\d+) \(a picture, no text\)$")

    def kept(src: str) -> bool:
        m = picture_of_read_page.match(src)
        return not (m and int(m.group(1)) in done)

    images = [(0, src) for src in leading if kept(src)]
    images += [(i + 1, src) for i, b in enumerate(blocks) for src in anchors.get(id(b), []) if kept(src)]
    doc.blocks = blocks
    doc.images = images
    doc.pages_without_text = [p for p in doc.pages_without_text if p not in done]


# --- pictures in Word files and web pages ------------------------------------------------------------------

MAX_PICTURE_BYTES = 20 * 1024 * 1024
MAX_PICTURE_PIXELS = 40_000_000  # a decompression bomb is refused, not decoded
MIN_PICTURE_SIDE = 120  # px: icons, logos and spacer GIFs are not tables
_picture_dir: contextvars.ContextVar[Path | None] = contextvars.ContextVar("picture_dir", default=None)
_page_url: contextvars.ContextVar[str | None] = contextvars.ContextVar("page_url", default=None)
# Pictures the crawler archived for the document being extracted: absolute URL → archived file.
_archived: contextvars.ContextVar[dict[str, Path] | None] = contextvars.ContextVar("archived_pictures", default=None)


def pictures_beside(source: str | Path | None) -> None:
    """Where a saved web page's pictures are looked for: the folder of ``source`` when it is a file
    (``xxgk extract page.html`` reads ``page_files/t3.png`` beside it); nowhere otherwise."""
    is_url = bool(source) and str(source).startswith(("http://", "https://"))
    _page_url.set(str(source) if is_url else None)
    path = Path(source) if source and not is_url else None
    _picture_dir.set(path.resolve().parent if path is not None and path.is_file() else None)


def archived_pictures(pictures: dict[str, Path]) -> contextvars.Token:
    """The pictures the crawler archived beside the report about to be extracted (``kind="image"``
    manifest rows whose referrer is the report), by absolute URL. Set before the isolated child is
    forked, so the child reads them from the archive; never from the network."""
    return _archived.set(dict(pictures))


def picture_gray(data: bytes) -> np.ndarray | None:
    """A picture file (PNG, JPEG, GIF, BMP, TIFF, WebP) decoded to grey, or None if it is not one."""
    from PIL import Image, UnidentifiedImageError

    if not data or len(data) > MAX_PICTURE_BYTES:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PICTURE_PIXELS:
                return None
            if min(image.width, image.height) < MIN_PICTURE_SIDE:
                return None
            return np.asarray(image.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def add_picture_blocks(doc: Document, data: bytes, source: str) -> bool:
    """OCR one picture of a Word file or web page and append what it holds to ``doc.blocks``.

    True when a table was read from it (the caller then does not list it among the pictures standing
    in for tables); False when OCR is off, the picture is no picture, time is up or no table is in it.
    """
    if not enabled():
        return False
    deadline = doc.__dict__.setdefault("_ocr_deadline", Deadline(time_limit()))  # one limit per document
    if deadline.passed:
        if not any("OCR stopped" in w for w in doc.warnings):
            doc.warnings.append(f"OCR stopped after {deadline.seconds:.0f} s; later pictures not read")
        return False
    gray = picture_gray(data)
    if gray is None:
        return False
    blocks = read_picture(gray, Placement(None, 1.0, source))
    if not any(isinstance(b, RawTable) for b in blocks):
        return False
    doc.blocks.extend(blocks)
    doc.ocr_pictures.append(source)
    return True


def add_word_pictures(doc: Document, paragraph: Any, part: Any) -> bool:
    """The pictures of one Word paragraph (DrawingML blips, VML image data), read by OCR."""
    if part is None or not enabled():
        return False
    ids = paragraph.xpath('.//*[local-name()="blip"]/@*[local-name()="embed"]'
                          ' | .//*[local-name()="imagedata"]/@*[local-name()="id"]')
    found = False
    for rid in ids:
        related = part.related_parts.get(rid)
        if related is not None:
            found |= add_picture_blocks(doc, related.blob, f"Word picture {getattr(related, 'partname', rid)}")
    return found


def add_html_picture(doc: Document, src: str | None) -> bool:
    """An ``<img>`` of a web page, read by OCR when the crawler archived it or the file is beside the page."""
    if not src or not enabled() or src.startswith(("data:", "javascript:")):
        return False
    archived = _archived.get() or {}
    if archived and _page_url.get():
        path = archived.get(urllib.parse.urljoin(_page_url.get(), src))
        if path is not None and path.is_file() and path.stat().st_size <= MAX_PICTURE_BYTES:
            return add_picture_blocks(doc, path.read_bytes(), src)
    folder = _picture_dir.get()
    if folder is None:
        return False
    relative = urllib.parse.unquote(urllib.parse.urlsplit(src).path).lstrip("/")
    for candidate in (folder / relative, folder / Path(relative).name):
        try:
            path = candidate.resolve()
        except OSError:
            continue
        if path.is_relative_to(folder) and path.is_file() and path.stat().st_size <= MAX_PICTURE_BYTES:
            return add_picture_blocks(doc, path.read_bytes(), src)
    return False


_PICTURE_ON_PAGE = re.compile(r"^page (\d+) picture at y=(\d+)$")


def _read_pictures_on_text_pages(pdfium_doc: Any, doc: Document, deadline: Deadline) -> None:
    """OCR the pictures under a statistics heading on pages that have text; a picture holding a table
    leaves ``doc.images`` and its blocks follow the block it followed."""
    sections = statistics_section_flags((getattr(block, "text", "") for block in doc.blocks), STATISTICS_HEADING)
    inserts: dict[int, list[TextBlock | RawTable]] = {}
    kept = []
    for before, src in doc.images:
        match = _PICTURE_ON_PAGE.match(src)
        if not match or not before or not sections[before - 1] or deadline.passed:
            kept.append((before, src))
            continue
        blocks = _picture_on_page(pdfium_doc, int(match.group(1)), float(match.group(2)))
        if any(isinstance(b, RawTable) for b in blocks):
            inserts.setdefault(before, []).extend(blocks)
            doc.ocr_pictures.append(src)
        else:
            kept.append((before, src))
    if not inserts:
        return
    blocks, shift = [], {}
    for i, block in enumerate(doc.blocks):
        blocks.append(block)
        blocks.extend(inserts.get(i + 1, []))
        shift[i + 1] = len(blocks)
    doc.blocks = blocks
    doc.images = [(shift.get(before, before), src) for before, src in kept]


def _picture_on_page(pdfium_doc: Any, page_no: int, top: float) -> list[TextBlock | RawTable]:
    """The picture whose top is at ``top`` (points from the page top) read by OCR: the page is rendered
    and everything outside the picture blanked, so boxes stay in page coordinates."""
    page = pdfium_doc[page_no - 1]
    height = page.get_height()
    found = None
    for obj in page.get_objects(filter=[3]):  # FPDF_PAGEOBJ_IMAGE
        x0, y0, x1, y1 = obj.get_bounds()
        if abs((height - y1) - top) < 2:
            found = (x0, height - y1, x1, height - y0)
            break
    if found is None:
        return []
    gray, scale = page_picture(page)
    x0, t, x1, b = (int(v / scale) for v in found)
    paper = np.full_like(gray, 255)
    paper[max(0, t):b, max(0, x0):x1] = gray[max(0, t):b, max(0, x0):x1]
    return read_picture(paper, Placement(page_no, scale, f"page {page_no} picture"))
