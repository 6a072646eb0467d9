"""The report as a PDF: A4, STSong-Light, ruled tables with merged cells, page numbers.

Tables are platypus ``Table``s with ``SPAN`` styles and a full ``GRID``: reportlab leaves out the inner
lines of a span, so pdfplumber's lines strategy recovers the same merged-cell geometry as a Word
export. Labels are ``Paragraph``s so long labels wrap inside their cells, as in 淮安's WPS PDFs.
Output is byte-identical for the same input (``invariant=1`` fixes the creation date and file id).
"""

from __future__ import annotations

import io
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from demo.render.document import Block, ReportDocument
from demo.render.tables import Grid

FONT = "STSong-Light"
MARGIN = 20 * mm


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=20, firstLineIndent=24,
                          alignment=TA_JUSTIFY, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=28, firstLineIndent=0,
                                alignment=TA_CENTER, spaceAfter=12),
        "heading": ParagraphStyle("heading", parent=base, fontSize=14, leading=24, firstLineIndent=24,
                                  spaceBefore=6),
        "para": base,
        "signature": ParagraphStyle("signature", parent=base, firstLineIndent=0, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11, alignment=TA_CENTER,
                               wordWrap="CJK"),
        "label": ParagraphStyle("label", fontName=FONT, fontSize=9, leading=11, wordWrap="CJK"),
    }


def render_pdf(doc: ReportDocument, *, is_landscape: bool = False, break_table: bool = False,
               rules: str = "grid") -> bytes:
    """Return the PDF bytes.

    Args:
        doc: the laid-out report.
        is_landscape: A4 landscape pages instead of portrait.
        break_table: start a new page at each grid's ``break_before`` row (表三's forced break).
        rules: ``grid`` every cell ruled; ``frame`` only the outer frame and a rule under the header rows;
            ``none`` no rules at all (WPS/Word exports that lose the inner borders).
    """
    styles = _styles()
    pagesize = landscape(A4) if is_landscape else A4
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title=doc.title, author=doc.office, creator="WPS 文字", producer="xxgk demo renderer", invariant=1,
    )
    story = []
    for block in doc.blocks:
        if isinstance(block, Grid):
            story += _table_flowables(block, template.width, styles, break_table, rules)
        else:
            story += _text_flowables(block, styles, doc.agency)
    template.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()


def _text_flowables(block: Block, styles: dict, agency: str) -> list:
    if block.kind == "title":
        # WPS title pages put the agency on its own line above "<year>年政府信息公开工作年度报告".
        head, tail = block.text[: len(agency)], block.text[len(agency):]
        lines = [head, tail] if head == agency and tail else [block.text]
        return [Paragraph("<br/>".join(escape(line) for line in lines), styles["title"])]
    return [Paragraph(escape(block.text), styles[block.kind])]


def _page_number(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 10)
    canvas.drawCentredString(doc.pagesize[0] / 2, 10 * mm, f"- {doc.page} -")
    canvas.restoreState()


def _table_flowables(grid: Grid, width: float, styles: dict, break_table: bool, rules: str = "grid") -> list:
    """One Table, or two Tables around a PageBreak when the grid has a forced break.

    Each part is kept whole (moved to the next page if needed): reportlab's own row splitting cuts
    through rowspans and redraws the lines inside them, which no office suite does.
    """
    col_widths = [width * w / sum(grid.widths) for w in grid.widths]
    if grid.break_before is None or not break_table:
        return [KeepTogether([_ruled(_table(grid, 0, len(grid.rows), col_widths, styles), grid, 0, len(grid.rows),
                                     rules)]), Spacer(1, 6)]
    return [
        KeepTogether([_ruled(_table(grid, 0, grid.break_before, col_widths, styles), grid, 0, grid.break_before,
                             rules)]),
        PageBreak(),
        KeepTogether([_ruled(_table(grid, grid.break_before, len(grid.rows), col_widths, styles), grid,
                             grid.break_before, len(grid.rows), rules)]),
        Spacer(1, 6),
    ]


def _ruled(table: Table, grid: Grid, start: int, stop: int, rules: str) -> Table:
    """The table part with its rules: the full grid as drawn, or the frame plus the header rule, or nothing."""
    if rules == "grid":
        return table
    table._linecmds = [c for c in table._linecmds if c[0] != "GRID"]
    if rules == "frame":
        frame = [("BOX", (0, 0), (-1, -1), 0.75, colors.black)]
        if start < grid.header_rows <= stop:
            frame.append(("LINEBELOW", (0, grid.header_rows - 1 - start), (-1, grid.header_rows - 1 - start), 0.75,
                          colors.black))
        table.setStyle(TableStyle(frame))
    return table


def _table(grid: Grid, start: int, stop: int, col_widths: list[float], styles: dict) -> Table:
    """Rows ``start:stop`` of the grid; spans must not cross ``stop`` (the grid builder ensures that)."""
    matrix = [["" for _ in range(grid.n_cols)] for _ in range(stop - start)]
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for r, c, cell in grid.placements():
        if not start <= r < stop:
            continue
        style = styles["label"] if cell.kind == "label" else styles["cell"]
        text = "<br/>".join(escape(line) for line in cell.text.split("\n"))
        matrix[r - start][c] = Paragraph(text, style) if text else ""
        if cell.rowspan > 1 or cell.colspan > 1:
            last_row = min(r + cell.rowspan, stop) - 1 - start
            commands.append(("SPAN", (c, r - start), (c + cell.colspan - 1, last_row)))
    return Table(matrix, colWidths=col_widths, style=TableStyle(commands), splitByRow=1)
