"""The PDFium reader gives the same extraction as the pdfminer reader it replaced, on every PDF the tests use.

``read_pdf(data)`` reads page objects with PDFium; ``read_pdf(data, engine="pdfminer")`` is the reader as
it was, every page through pdfminer. Speed must never trade accuracy, so for each real report rendering
and each demo rendering the tests use, the extraction JSON must be the same (status, report metadata,
every table value, checks, issues) with provenance boxes within 0.5 pt, and the raw tables the same grids
with the same cell texts.
"""

from __future__ import annotations

import logging
from functools import cache

import pytest

from demo.render import render_report
from demo.values import generate_report
from extract.documents.model import Document
from extract.documents.pdf import read_pdf
from transform.report import build_report

from .truth_tables import real_reports_dir

BOX_TOLERANCE = 0.5  # points

REAL_PDFS = ["report.pdf", "report_lo.pdf", "report_original.pdf"]
# The PDF quirks the demo renderer knows, each in both format versions (the layouts the extractor tests use).
DEMO_QUIRKS = [(), ("split_table",), ("repeat_group_label",), ("landscape",), ("units", "thousands"),
               ("slash_blanks", "halfwidth_labels", "label_typos"), ("dash_blanks", "annotated_values"),
               ("frame_header_rule",), ("no_rules",), ("year_only_in_body", "traditional")]


def real_pdfs() -> list:
    root = real_reports_dir()
    return [pytest.param(path.read_bytes, id=f"{path.parent.name}/{path.name}")
            for path in sorted(root.glob("*/*.pdf")) if path.name in REAL_PDFS]


def demo_pdf(version: str, quirks: tuple[str, ...]) -> bytes:
    year = 2019 if version == "gov2019" else 2023
    return render_report(generate_report("某某市某某区人民政府", "", year, version, seed=7, scale=60), "pdf", quirks)


def demo_pdfs() -> list:
    return [pytest.param(lambda v=version, q=quirks: demo_pdf(v, q), id=f"demo-{version}-{'+'.join(quirks) or 'plain'}")
            for version in ("gov2019", "gov2021") for quirks in DEMO_QUIRKS]


@cache
def both_ways(data: bytes) -> tuple[Document, Document]:
    logging.disable(logging.WARNING)  # pdfminer's font warnings
    try:
        return read_pdf(data, engine="pdfminer"), read_pdf(data)
    finally:
        logging.disable(logging.NOTSET)


def differences(old: object, new: object, where: str = "") -> list[str]:
    """Where two JSON values differ; floats (bbox coordinates) within ``BOX_TOLERANCE`` are equal."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = sorted(set(old) | set(new))
        return [d for k in keys for d in (differences(old.get(k), new.get(k), f"{where}.{k}")
                                           if k in old and k in new else [f"{where}.{k}: only on one side"])]
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        if len(old) != len(new):
            return [f"{where}: {len(old)} items against {len(new)}"]
        return [d for i, (a, b) in enumerate(zip(old, new)) for d in differences(a, b, f"{where}[{i}]")]
    if isinstance(old, float) and isinstance(new, (int, float)):
        return [] if abs(old - new) <= BOX_TOLERANCE else [f"{where}: {old} against {new}"]
    return [] if old == new else [f"{where}: {old!r} against {new!r}"]


def grids(doc: Document) -> list:
    return [(t.page, [[(c.text, c.row, c.col, c.rowspan, c.colspan, c.bbox) if c else None for c in row]
                      for row in t.grid]) for t in doc.tables]


def assert_same_extraction(data: bytes) -> None:
    old, new = both_ways(data)
    assert differences(grids(old), grids(new)) == []
    assert new.warnings == old.warnings
    assert new.pages_without_text == old.pages_without_text and new.images == old.images
    assert differences(build_report(old), build_report(new)) == []


@pytest.mark.slow
@pytest.mark.parametrize("pdf_bytes", real_pdfs())
def test_the_pdfium_reader_extracts_each_real_report_as_pdfminer_did(pdf_bytes) -> None:
    assert_same_extraction(pdf_bytes())


@pytest.mark.parametrize("pdf_bytes", demo_pdfs())
def test_the_pdfium_reader_extracts_each_demo_rendering_as_pdfminer_did(pdf_bytes) -> None:
    assert_same_extraction(pdf_bytes())


@pytest.mark.parametrize("folder", sorted(p.parent.name for p in real_reports_dir().glob("*/report_scanned.pdf")))
def test_the_pdfium_reader_sees_the_scans_as_pdfminer_did(folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages without a text layer and their pictures, found the same way (OCR off: it reads them the same in both)."""
    monkeypatch.setenv("XXGK_OCR", "0")
    data = (real_reports_dir() / folder / "report_scanned.pdf").read_bytes()
    old, new = read_pdf(data, engine="pdfminer"), read_pdf(data)
    assert new.pages_without_text == old.pages_without_text == list(range(1, (new.n_pages or 0) + 1))
    assert new.images == old.images and new.warnings == old.warnings and new.blocks == old.blocks == []


def turned_text_pdf() -> bytes:
    """A ruled table with a label turned 90° (btLr) and 270°, an upside-down line and a 35° watermark across it."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont("STSong-Light", 10)
    for y in (700, 600, 500):
        c.line(100, y, 400, y)
    for x in (100, 140, 250, 400):
        c.line(x, 700, x, 500)
    c.drawString(72, 760, "三、收到和处理政府信息公开申请情况")
    for (x, y, angle, text) in ((125, 610, 90, "办理结果"), (125, 590, 270, "结转下年"), (390, 560, 180, "12"),
                                (200, 520, 35, "内部资料")):
        c.saveState()
        c.translate(x, y)
        c.rotate(angle)
        c.drawString(0, 0, text)
        c.restoreState()
    for (x, y, text) in ((150, 650, "（一）予以公开"), (260, 650, "21"), (150, 550, "（二）部分公开"), (260, 550, "3")):
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    return out.getvalue()


def test_turned_and_slanted_glyphs_are_read_by_pdfium_as_pdfminer_boxed_them() -> None:
    data = turned_text_pdf()
    assert_same_extraction(data)
    old, new = both_ways(data)
    assert new.notes == [] and "watermark" in " ".join(new.warnings)


def test_most_pages_of_the_real_reports_are_read_by_pdfium() -> None:
    """The fallback stays the exception: it is taken on pages PDFium cannot stand in for, and said in the notes."""
    read, fallen_back = 0, []
    for param in real_pdfs():
        doc = read_pdf(param.values[0]())
        read += doc.n_pages or 0
        fallen_back += [f"{param.id}: {note}" for note in doc.notes]
    assert len(fallen_back) <= read // 20, fallen_back
    assert all("read by pdfminer: " in note for note in fallen_back)


def test_the_comparison_sees_a_moved_box_and_a_changed_value() -> None:
    """The equivalence test itself can fail: a box moved by more than half a point, a value changed."""
    report = {"cells_source": [{"bbox": [10.0, 20.0, 30.0, 40.0], "raw": "5"}]}
    assert differences(report, {"cells_source": [{"bbox": [10.4, 20.0, 30.0, 40.0], "raw": "5"}]}) == []
    assert differences(report, {"cells_source": [{"bbox": [10.6, 20.0, 30.0, 40.0], "raw": "5"}]})
    assert differences(report, {"cells_source": [{"bbox": [10.0, 20.0, 30.0, 40.0], "raw": "6"}]})
