"""OCR picture geometry without the recogniser: straightening, ruled grids, merged cells, missed ink."""

from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from extract.documents import ocr  # noqa: E402


def _ruled_page(turn: float = 0.0) -> np.ndarray:
    """A grey 150-dpi-like page with a 4x3 ruled table whose first column merges rows 1-2 and whose
    top row is one cell across the table; ink blobs stand for text lines above the table."""
    page = np.full((1200, 900), 235, np.uint8)
    for y in range(80, 300, 30):
        cv2.rectangle(page, (100, y), (800, y + 10), 40, -1)
    xs, ys = [100, 400, 600, 800], [400, 460, 520, 580, 640]
    for i, y in enumerate(ys):
        x_from = xs[1] if i == 2 else xs[0]  # no rule between rows 1 and 2 in the first column
        cv2.line(page, (x_from, y), (xs[-1], y), 20, 2)
    for j, x in enumerate(xs):
        y_from = ys[1] if j in (1, 2) else ys[0]  # the top row is one cell across the table
        cv2.line(page, (x, y_from), (x, ys[-1]), 20, 2)
    cv2.putText(page, "12", (450, 500), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 20, 2)  # ~9 pt at 150 dpi
    if turn:
        m = cv2.getRotationMatrix2D((450, 600), turn, 1.0)
        page = cv2.warpAffine(page, m, (900, 1200), flags=cv2.INTER_CUBIC, borderValue=235)
    return page


@pytest.mark.parametrize("turn", [1.5, -1.2, 0.0])
def test_a_turned_scan_is_straightened(turn):
    angle = ocr.skew_angle(_ruled_page(turn))
    assert abs(angle + turn) <= 0.15


def test_ruled_grid_with_merged_cells():
    (grid,) = ocr.find_grids(_ruled_page())
    assert len(grid.ys) == 5 and len(grid.xs) == 4
    cells = ocr.grid_cells(grid)
    assert (0, 0, 1, 3) in cells  # the title row across the table
    assert (1, 0, 2, 1) in cells  # the label merged over two rows
    assert (1, 1, 1, 1) in cells and (2, 2, 1, 1) in cells
    assert len(cells) == 1 + 1 + 2 + 2 + 3


def test_a_straightened_turned_page_keeps_its_grid():
    gray, _ = ocr.straighten(_ruled_page(1.5))
    (grid,) = ocr.find_grids(gray)
    assert len(grid.ys) == 5 and len(grid.xs) == 4


def test_an_empty_cell_with_ink_is_told_from_a_blank_one():
    page = _ruled_page()
    mask = ocr.ink_mask(page)
    assert ocr._has_ink(mask, (400, 460, 600, 520))  # the "12"
    assert not ocr._has_ink(mask, (600, 520, 800, 580))


def test_ocr_blocks_go_in_page_order_and_pictures_keep_their_place():
    from extract.documents.model import Document, TextBlock

    text1, text3 = TextBlock("page one", page=1), TextBlock("page three", page=3)
    doc = Document("application/pdf", blocks=[text1, text3], n_pages=3, pages_without_text=[2])
    doc.images = [(1, "page 2 (a picture, no text)"), (1, "page 1 picture at y=300"), (2, "page 3 picture at y=80")]
    read = TextBlock("read by OCR", page=2)
    ocr._insert_pages(doc, {2: [read]}, {2})
    assert doc.blocks == [text1, read, text3]
    assert doc.images == [(1, "page 1 picture at y=300"), (3, "page 3 picture at y=80")]
    assert doc.pages_without_text == []


def test_triage_recognises_only_the_first_page_and_the_table_pages(monkeypatch):
    """A 14-page scan with one ruled table page: 2 full recognitions, not 14 (the recogniser is counted,
    not run: its accuracy is tested on the real scans)."""
    import io

    import pypdfium2 as pdfium
    from PIL import Image

    from extract.documents.model import Document

    prose = Image.new("L", (1240, 1754), 235)
    for y in range(200, 1500, 60):
        prose.paste(40, (150, y, 1090, y + 14))
    table = Image.fromarray(_ruled_page()).resize((1240, 1754))
    pages = [prose.copy() for _ in range(14)]
    pages[8] = table
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    calls = []
    monkeypatch.setattr(ocr, "recognise", lambda gray: calls.append(gray.shape) or [])
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setenv("XXGK_OCR", "1")
    doc = Document("application/pdf", n_pages=14, pages_without_text=list(range(1, 15)))
    stats = ocr.read_scanned_pages(pdfium.PdfDocument(buf.getvalue()), doc)
    assert stats.pages_full == [1, 9]
    assert [shape for shape in calls if shape[0] > 1000] == [(1754, 1241)] * 2  # (plus a second look at a cell)
    assert doc.pages_without_text == list(range(1, 15))  # nothing recognised: still pages without text
