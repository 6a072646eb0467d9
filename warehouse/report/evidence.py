"""Source pages of a PDF report rendered as images (pypdfium2), with the box of every printed cell."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

SCALE = 1.5  # pixels per PDF point: sharp enough to read a table, small enough for many pages


def render_pages(objects_dir: Path | None, sha256: str, facts: pd.DataFrame, img_dir: Path,
                 bad_boxes: set[str]) -> list[dict]:
    """One entry per PDF page that holds a cell: image file (relative), page size in points and the boxes.

    Returns [] when the bytes are not in the archive or are not a PDF (HTML/DOCX cells carry a path,
    shown beside the numbers instead)."""
    path = Path(objects_dir) / sha256[:2] / sha256 if objects_dir else None
    located = facts[facts.page.notna() & facts.bbox.notna()]
    if path is None or not path.exists() or located.empty or not path.read_bytes()[:5] == b"%PDF-":
        return []
    import pypdfium2 as pdfium

    img_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    document = pdfium.PdfDocument(str(path))
    try:
        for number in sorted({int(p) for p in located.page}):
            if number < 1 or number > len(document):
                continue
            page = document[number - 1]
            width, height = page.get_size()
            name = f"{sha256[:16]}_p{number}.png"
            if not (img_dir / name).exists():  # named by content: rendered once, kept across builds
                page.render(scale=SCALE, grayscale=True).to_pil().save(img_dir / name, optimize=True)
            boxes = []
            for fact in located[located.page == number].itertuples():
                x0, top, x1, bottom = (float(v) for v in fact.bbox)
                box_id = f"box-{fact.table_id}-{fact.row_code}-{fact.col_code}"
                boxes.append({"id": box_id, "x": x0, "y": top, "w": max(x1 - x0, 1), "h": max(bottom - top, 1),
                              "bad": box_id in bad_boxes,
                              "title": f"{fact.row_code}.{fact.col_code} = {fact.raw_text}"})
            pages.append({"number": number, "image": f"img/{name}", "width": width, "height": height,
                          "boxes": boxes})
    finally:
        document.close()
    return pages


def source_tables(objects_dir: Path | None, sha256: str, facts: pd.DataFrame, bad_boxes: set[str],
                  continuations: Sequence[str] = ()) -> list[dict]:
    """The tables of an HTML or Word source as its reader saw them, each cell the extractor used marked.

    The document (and the further pages of a multi-page article, ``continuations``: their sha256 in page
    order) is read again with the same reader (``extract.documents``), so a cell's ``path``
    (``table[2]/tr[3]/td[1]``, ``page[2]/table[0]/…`` on page 2) finds exactly the cell the number came
    from. Only tables holding such a cell are returned: the statistics tables, not the page around them.
    [] for PDFs and missing bytes."""
    from extract.documents.model import RawTable, place_on_article_page

    located = facts[facts.cell_path.notna()]
    if not objects_dir or located.empty:
        return []
    box_of = {p: f"box-{t}-{r}-{c}" for p, t, r, c in zip(located.cell_path, located.table_id, located.row_code,
                                                           located.col_code)}
    tables = []
    for page_no, sha in enumerate((sha256, *continuations), start=1):
        path = Path(objects_dir) / sha[:2] / sha
        document = _read_source(path.read_bytes()) if path.exists() else None
        if document is None:
            if page_no == 1:
                return []
            continue
        for block in place_on_article_page(document, page_no).blocks:
            if isinstance(block, RawTable) and any(c is not None and c.path in box_of for row in block.grid
                                                   for c in row):
                tables.append(_table_rows(block, box_of, bad_boxes))
    return tables


def _read_source(data: bytes):
    """The parsed HTML or DOCX document (None for anything else, or when it cannot be read again)."""
    from extract.documents.model import DocumentError

    try:
        if data[:2] == b"PK":
            from extract.documents.docx import read_docx

            return read_docx(data)
        if data[:5] == b"%PDF-":
            return None
        from extract.documents.webpage import read_html

        return read_html(data)
    except DocumentError as exc:
        logger.info("source not shown: %s", exc)
        return None


def _table_rows(table, box_of: dict[str, str], bad_boxes: set[str]) -> list[list[dict]]:
    """Rows of cells, each merged cell once at its top-left slot with its spans."""
    rows, seen = [], set()
    for grid_row in table.grid:
        out = []
        for cell in grid_row:
            if cell is None or id(cell) in seen:
                continue
            seen.add(id(cell))
            box = box_of.get(cell.path)
            out.append({"text": cell.text, "rowspan": cell.rowspan, "colspan": cell.colspan, "id": box,
                        "bad": box in bad_boxes})
        rows.append(out)
    return rows
