"""Publish a report dict as a district CMS would: HTML page, PDF or DOCX, with switchable quirks.

``render_report(report, fmt, quirks)`` takes the JSON contract of ``xxgk extract`` (for example from
``demo.values.generate_report``) and returns the file bytes. The tables are laid out from
``transform.schema`` in the official template's merged-cell layout; ``QUIRKS`` lists the real-world
deviations that can be switched on. Same input, same bytes, in every format.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from demo.render.docx_file import render_docx
from demo.render.document import build_document
from demo.render.html_page import render_html
from demo.render.pdf_file import render_pdf
from demo.render.quirks import QUIRKS, check_quirks

FORMATS = ("html", "pdf", "docx")

__all__ = ["FORMATS", "QUIRKS", "render_report"]


def render_report(
    report: dict, fmt: str, quirks: Iterable[str] = (), *, published: date | None = None
) -> bytes:
    """Render ``report`` as ``fmt`` (html, pdf or docx) with the given quirks.

    Args:
        report: ``{"report": {...}, "tables": {...}}`` as produced by ``xxgk extract``.
        fmt: output format.
        quirks: names from ``QUIRKS``; quirks that do not apply to ``fmt`` are ignored
            (``gbk`` outside HTML, ``landscape`` outside PDF, page breaks in HTML).
        published: publication date printed under the signature and in the page metadata;
            default 25 January of the year after the report year.
    """
    chosen = check_quirks(quirks)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    split_mode = _split_mode(fmt, chosen)
    doc = build_document(report, chosen, published, split_mode)
    if fmt == "html":
        return render_html(doc, gbk="gbk" in chosen)
    if fmt == "pdf":
        rules = "none" if "no_rules" in chosen else "frame" if "frame_header_rule" in chosen else "grid"
        return render_pdf(doc, is_landscape="landscape" in chosen, break_table=split_mode is not None, rules=rules)
    return render_docx(doc, break_table=bool(chosen & {"split_table", "repeat_group_label"}))


def _split_mode(fmt: str, quirks: frozenset[str]) -> str | None:
    """How the merged 三、本年度办理结果 cell is printed around 表三's break.

    A repeated label splits the merged cell in every format (平潭 published it that way on the web).
    A plain page break only exists on paper: in a PDF the vertical label text continues on the next
    page ("flow"), in Word it stays one merged cell.
    """
    if "repeat_group_label" in quirks:
        return "repeat"
    # 表三 is taller than a landscape page, so a landscape PDF always breaks it.
    if fmt == "pdf" and quirks & {"split_table", "landscape"}:
        return "flow"
    return None
