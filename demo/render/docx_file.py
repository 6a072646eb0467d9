"""The report as a Word file: python-docx, real merged cells, headings as plain paragraphs.

Agencies write these in Word/WPS from the official template, where the section headings are ordinary
bold paragraphs, not Heading styles, so we do the same. python-docx stamps the zip entries with the
current time; the archive is rewritten with a fixed timestamp so equal input gives equal bytes (the
crawler dedups documents by sha256).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from demo.render.document import Block, ReportDocument
from demo.render.tables import Grid

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FONT = "仿宋_GB2312"


def render_docx(doc: ReportDocument, *, break_table: bool = False) -> bytes:
    """Return the .docx bytes; ``break_table`` puts a page break before 表三's forced break row."""
    word = Document()
    _set_core_properties(word, doc)
    for block in doc.blocks:
        if isinstance(block, Grid):
            _add_table(word, block, break_table)
        else:
            _add_text(word, block)
    raw = io.BytesIO()
    word.save(raw)
    return _normalize_zip(raw.getvalue())


def _set_core_properties(word, doc: ReportDocument) -> None:
    stamp = datetime(doc.published.year, doc.published.month, doc.published.day, 9, 0, 0)
    props = word.core_properties
    props.title = doc.title
    props.author = doc.office
    props.last_modified_by = doc.office
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1


def _add_text(word, block: Block) -> None:
    para = word.add_paragraph()
    run = para.add_run(block.text)
    run.font.size = Pt({"title": 18, "heading": 14}.get(block.kind, 12))
    run.font.bold = block.kind in ("title", "heading")
    run.font.name = _FONT
    run.element.rPr.rFonts.set(qn("w:eastAsia"), _FONT)
    if block.kind == "title":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.kind == "signature":
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        para.paragraph_format.first_line_indent = Pt(24)


def _add_table(word, grid: Grid, break_table: bool) -> None:
    table = word.add_table(rows=len(grid.rows), cols=grid.n_cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, c, cell in grid.placements():
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        _write_cell(target, cell.text)
    if break_table and grid.break_before is not None:
        # Word honours "page break before" on the first paragraph of a row: the table continues on the next page.
        # Only cells that start in that row: the merged label cell above must not jump to the new page.
        above = [c._tc for c in table.rows[grid.break_before - 1].cells]
        for cell in table.rows[grid.break_before].cells:
            if not any(cell._tc is tc for tc in above):
                cell.paragraphs[0].paragraph_format.page_break_before = True
    word.add_paragraph()


def _write_cell(target, text: str) -> None:
    para = target.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = text.split("\n")
    run = para.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run = para.add_run(line)


def _normalize_zip(data: bytes) -> bytes:
    """Rewrite the archive with fixed entry timestamps and order, keeping content unchanged."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
