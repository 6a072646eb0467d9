"""Source pages of a PDF report rendered as images (pypdfium2), with the box of every printed cell."""

from __future__ import annotations

import logging
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
            page.render(scale=SCALE).to_pil().save(img_dir / name, optimize=True)
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
