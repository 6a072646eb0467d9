"""The report site over the 示例区 warehouse: charts as inline SVG, sortable tables, agency pages, and the
evidence page of a report: its tables with labels, failed checks marked, the 更正版's changed cells, and the
source PDF page rendered with each cell's box where the extractor said it was printed."""

import re
from datetime import date
from io import BytesIO

import pytest

from warehouse.codes import rule_in_words, rules
from warehouse.db import connect_readonly
from warehouse.load import load_results
from warehouse.report import build_report
from tests.synthetic import district_dataset


def _pdf_with_boxes(boxes: list[tuple[float, float, float, float, str]], page_no: int) -> bytes:
    """An A4 PDF whose page ``page_no`` prints each text at its pdfplumber box (x0, top, x1, bottom)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(page_no - 1):
        page.drawString(72, 800, "正文")
        page.showPage()
    for x0, _top, _x1, bottom, text in boxes:
        page.drawString(x0 + 2, A4[1] - bottom + 2, text)
    page.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    results, manifest = district_dataset()
    db = root / "w.duckdb"
    load_results(db, results.values(), manifest)
    # the archived bytes of the finance bureau's 2021 report: a real PDF page with its 表三 cells
    fin = results["B2021"]
    cells = [c for c in fin["cells_source"] if c["table"] == "t3_requests" and c["page"] == 4]
    objects = root / "objects"
    path = objects / fin["sha256"][:2] / fin["sha256"]
    path.parent.mkdir(parents=True)
    path.write_bytes(_pdf_with_boxes([(*c["bbox"], c["raw"]) for c in cells], page_no=4))
    index = build_report(db, root / "report", objects, as_of=date(2023, 6, 1))
    return root, index, results


def test_index_has_charts_and_sortable_tables_per_year(site):
    _root, index, _results = site
    html = index.read_text(encoding="utf-8")
    for year in (2020, 2021, 2022):
        assert f'id="y{year}"' in html and f'id="compare-{year}"' in html
    assert html.count("<svg") >= 3 * 2  # at least counts + one rate chart per year
    assert 'class="sortable"' in html and "function sortBy" in html  # the script is inlined
    assert "<link" not in html and "src=\"http" not in html  # nothing to fetch


def test_agency_page_shows_the_trend(site):
    root, _index, _results = site
    pages = list((root / "report" / "agency").glob("*.html"))
    gov = next(p for p in pages if "北京市示例区人民政府" in p.read_text(encoding="utf-8"))
    text = gov.read_text(encoding="utf-8")
    assert "<svg" in text and text.count("<tr>") >= 3


def _evidence(root, con, agency: str, year: int, current: bool = True) -> str:
    report_id = con.execute("""SELECT r.report_id FROM core_reports r JOIN core_agencies a USING (agency_id)
                               WHERE a.agency_name LIKE ? AND r.report_year = ? AND r.is_current = ?""",
                            [f"%{agency}", year, current]).fetchall()[0][0]
    return (root / "report" / "evidence" / f"{report_id}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def con(site):
    root = site[0]
    connection = connect_readonly(root / "w.duckdb")
    yield connection
    connection.close()


def test_evidence_page_draws_every_cell_box_on_the_rendered_source_page(site, con):
    root, _index, results = site
    html = _evidence(root, con, "示例区财政局", 2021)
    assert '<img src="img/' in html and list((root / "report" / "evidence" / "img").glob("*_p4.png"))
    cell = next(c for c in results["B2021"]["cells_source"]
                if (c["table"], c["row"], c["col"]) == ("t3_requests", "new_received", "total"))
    x0, top, x1, bottom = cell["bbox"]
    rect = re.search(r'<rect id="box-t3_requests-new_received-total" x="([\d.]+)" y="([\d.]+)" '
                     r'width="([\d.]+)" height="([\d.]+)"', html)
    assert rect and [float(v) for v in rect.groups()] == [x0, top, x1 - x0, bottom - top]
    # the number in the table is the clickable cell that lights that box up
    assert 'data-box="box-t3_requests-new_received-total"' in html
    assert "一、本年新收政府信息公开申请数量" in html and "自然人" in html  # Chinese labels, printed order


def test_failed_check_is_highlighted(site, con):
    root = site[0]
    html = _evidence(root, con, "示例区财政局", 2021)
    assert "t3_balance" in html  # listed with its detail
    failed = re.findall(r'class="num cell failed[^"]*" data-box="box-t3_requests-([a-z_]+)-([a-z_]+)"', html)
    assert failed and {col for _row, col in failed} == {"natural_person", "total"}  # the two failing columns


def test_corrected_version_shows_the_changed_cells(site, con):
    root = site[0]
    html = _evidence(root, con, "岔河镇人民政府", 2022)
    assert "个单元格的数字不同" in html
    changed = re.findall(r'changed" data-box="box-([^"]+)"[^>]*>(\d+) <span class="muted">\(原 (\d+)\)', html)
    assert changed and all(new != old for _box, new, old in changed)
    older = _evidence(root, con, "岔河镇人民政府", 2022, current=False)
    assert "已被更正版取代" in older


def test_rules_in_words_use_the_printed_labels():
    words = {r["rule_id"]: r["rule_in_words"] for r in rules()}
    assert words["t3_balance"] == ("一、本年新收政府信息公开申请数量（每一列） + 二、上年结转政府信息公开申请数量（每一列）"
                                   " = （七）总计（每一列） + 四、结转下年度继续办理（每一列）")
    assert rule_in_words("t4_review_litigation.review.total == t4_review_litigation.review.maintained") == (
        "行政复议（总计） = 行政复议（结果维持）")


def test_a_rebuild_keeps_unchanged_pages_and_removes_stale_ones(site):
    import json

    root = site[0]
    out = root / "report"
    page = next((out / "agency").glob("*.html"))
    before = page.stat().st_mtime_ns
    stale = out / "agency" / "gone.html"  # an agency of the last build that is no longer in the warehouse
    stale.write_text("old", encoding="utf-8")
    state = json.loads((out / "build-state.json").read_text(encoding="utf-8"))
    (out / "build-state.json").write_text(json.dumps(state | {"agency/gone.html": "x"}), encoding="utf-8")
    build_report(root / "w.duckdb", out, root / "objects", as_of=date(2023, 6, 1))
    assert page.stat().st_mtime_ns == before  # same inputs: not rendered again
    assert not stale.exists()
