"""Round trip through OCR: demo reports scanned (turned, noisy, JPEG, a seal over a table) and published as
pictures of their tables in a web page and a Word file. Each comes out exact, or flagged — never a wrong
number under `ok`. A handful of pages only: OCR costs seconds per page.
"""

from __future__ import annotations

import pytest

from demo.render import render_report, scan
from demo.values import generate_report
from extract.documents import ocr
from transform.runner import extract_bytes, extract_file
from tests.extract.variant_html import cell_diffs

pytestmark = pytest.mark.skipif(not ocr.available(), reason="rapidocr / onnxruntime not installed")

AGENCY, REGION = "淮安市洪泽区人民政府", "江苏省淮安市洪泽区"


@pytest.fixture(autouse=True)
def generous_ocr_limit(monkeypatch):
    monkeypatch.setenv("XXGK_OCR", "1")
    monkeypatch.setenv("XXGK_OCR_TIME_LIMIT_S", "900")  # a shared CI machine is slow; accuracy is tested here


def _diffs(rep: dict, out: dict) -> list[str]:
    return cell_diffs(rep["tables"], out["tables"])


def _assert_exact_or_flagged(rep: dict, out: dict) -> None:
    diffs = _diffs(rep, out)
    assert out["status"] != "ok" or not diffs, diffs
    assert out["tables"], out["issues"]  # OCR read the tables (not `scanned` / `tables_as_images`)
    numbers = [s for s in out["cells_source"] if s.get("raw")]
    assert numbers and all(s["ocr"] is True for s in numbers)
    if diffs:  # a wrong reading must be named
        assert {"ocr_low_confidence", "ocr_check_failed", "missing_row", "missing_table"} & {
            i["code"] for i in out["issues"]}, diffs


def test_scanned_demo_report_with_a_seal_over_a_table():
    rep = generate_report(AGENCY, REGION, 2023, "gov2021", 3)
    scanned = scan.scan_pdf(render_report(rep, "pdf", []), seed=3, turn=1.2, stamp=True)
    out = extract_bytes(scanned, "scan.pdf")
    _assert_exact_or_flagged(rep, out)
    assert out["report"]["year"] == 2023 and out["report"]["agency"] == AGENCY


def test_web_page_with_pictured_tables_saved_beside_it(tmp_path):
    rep = generate_report(AGENCY, REGION, 2020, "gov2019", 5)
    pictures = scan.table_pictures(render_report(rep, "pdf", []))
    html, files = scan.pictured_html(render_report(rep, "html", []), pictures)
    page = tmp_path / "page.html"
    page.write_bytes(html)
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    out = extract_file(page)
    _assert_exact_or_flagged(rep, out)
    # Without the pictures beside it (or with OCR off) the page says what it holds.
    alone = tmp_path / "alone" / "page.html"
    alone.parent.mkdir()
    alone.write_bytes(html)
    assert extract_file(alone)["status"] == "unsupported"


def test_word_file_with_pictured_tables():
    rep = generate_report(AGENCY, REGION, 2023, "gov2021", 6)
    pictures = scan.table_pictures(render_report(rep, "pdf", []))
    word = scan.pictured_docx(render_report(rep, "docx", []), pictures)
    out = extract_bytes(word, "pictures.docx")
    _assert_exact_or_flagged(rep, out)


def _pdf_with_pictured_tables(rep: dict) -> bytes:
    """A WPS-like text PDF whose statistics sections hold pictures of the tables instead of tables."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    from PIL import Image

    pictures = scan.table_pictures(render_report(rep, "pdf", []))
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    width, height = A4
    c.setFont("STSong-Light", 16)
    c.drawCentredString(width / 2, height - 72, f"{AGENCY}{rep['report']['year']}年政府信息公开工作年度报告")
    c.setFont("STSong-Light", 12)
    c.drawString(72, height - 110, "一、总体情况")
    c.drawString(72, height - 130, f"本报告统计期限自{rep['report']['year']}年1月1日起至12月31日止。")
    y = height - 160
    for section, images in pictures.items():
        c.drawString(72, y, section)
        y -= 14
        for data in images:
            image = Image.open(io.BytesIO(data))
            w = width - 144
            h = w * image.height / image.width
            if y - h < 60:
                c.showPage()
                c.setFont("STSong-Light", 12)
                y = height - 72
            c.drawImage(ImageReader(image), 72, y - h, width=w, height=h)
            y -= h + 16
    c.drawString(72, max(y, 80), "五、存在的主要问题及改进情况")
    c.save()
    return out.getvalue()


def test_text_pdf_whose_tables_are_pictures():
    rep = generate_report(AGENCY, REGION, 2023, "gov2021", 8)
    out = extract_bytes(_pdf_with_pictured_tables(rep), "pictures.pdf")
    _assert_exact_or_flagged(rep, out)
    assert any(i["code"] == "ocr" and "picture" in i["message"] for i in out["issues"])


def test_scan_of_tables_printed_without_rules_is_exact_or_not_ok():
    # Laid out from OCR's text-line boxes (wordgrid): read where the layout is clear, refused elsewhere.
    rep = generate_report(AGENCY, REGION, 2023, "gov2021", 7)
    out = extract_bytes(scan.scan_pdf(render_report(rep, "pdf", ["no_rules"]), seed=7, turn=-0.8), "scan.pdf")
    diffs = _diffs(rep, out)
    assert out["status"] != "ok" or not diffs, diffs
    assert out["tables"].get("t2_art20_1", {}).get("cells") == rep["tables"]["t2_art20_1"]["cells"]
