"""The renderer publishes files that the matching libraries open, with the exact values in the cells.

PDFs are read back with pdfplumber's table finder (the geometry the extractor relies on), DOCX with
python-docx (merged cells), HTML with lxml (rowspan/colspan, encoding). Expected cell texts come from
the generated values and the schema labels, never from a copy of the output.
"""

from __future__ import annotations

import io
from datetime import date

import docx
import pdfplumber
import pytest
from lxml import html as lxml_html

from demo.render import QUIRKS, render_report
from demo.render.quirks import value_text
from demo.values import generate_report
from transform import schema

AGENCY, REGION = "淮安市洪泽区人民政府", "江苏省淮安市洪泽区"


def _report(version="gov2021", t3_version=None, blanks=False, seed=5, scale=150):
    year = 2020 if version == "gov2019" else 2023
    return generate_report(AGENCY, REGION, year, version, seed, scale=scale, t3_version=t3_version, blanks=blanks)


def _pdf_rows(data: bytes) -> tuple[list[list[str | None]], list]:
    """All table rows of all pages (in order) and the pages' sizes."""
    rows, sizes = [], []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            sizes.append((page.width, page.height))
            for table in page.extract_tables():
                rows += table
    return rows, sizes


def _norm(text: str | None) -> str:
    return schema.normalize_label(text or "")


def _expected_rows(report: dict, quirks: frozenset[str]) -> list[tuple[str, str, list[str]]]:
    """(table, normalized label, printed values) for every data row of 表二 and 表三."""
    expected = []
    for table_id, table in report["tables"].items():
        if table_id == schema.T4:
            continue
        lay = schema.layout(table_id, table["version"])
        for row in lay.rows:
            values = [value_text(table["cells"][row.code][c], c, quirks) for c in lay.col_codes]
            expected.append((table_id, _norm(row.label), values))
    return expected


def _find_row(rows: list, label: str) -> list[str]:
    """Value cells after the cell printing ``label``; spanned slots (None) are skipped."""
    for row in rows:
        hits = [i for i, c in enumerate(row) if c is not None and _norm(c) == label]
        if hits:
            return [c for c in row[hits[-1] + 1:] if c is not None]
    raise AssertionError(f"no row labelled {label}")


def _t4_values(report: dict, quirks: frozenset[str]) -> list[str]:
    cells = report["tables"][schema.T4]["cells"]
    return [value_text(cells[r][c], c, quirks) for r, c in schema.t4_physical_order()]


PDF_CASES = [
    ("gov2021", None, False, ()),
    ("gov2019", None, False, ("units", "thousands")),
    ("gov2021", "gov2019", True, ("slash_blanks", "split_table")),
    ("gov2021", None, True, ("dash_blanks", "repeat_group_label", "halfwidth_labels")),
    ("gov2019", None, True, ("landscape",)),
]


@pytest.mark.parametrize("version,t3_version,blanks,quirks", PDF_CASES)
def test_pdf_tables_hold_the_exact_values(version, t3_version, blanks, quirks):
    report = _report(version, t3_version, blanks, scale=3000 if "thousands" in quirks else 150)
    rows, _ = _pdf_rows(render_report(report, "pdf", quirks))
    chosen = frozenset(quirks)
    for table_id, label, values in _expected_rows(report, chosen):
        found = _find_row(rows, label)
        assert [_norm(v) for v in found] == [_norm(v) for v in values], (table_id, label)
    t4_row = next(r for r in rows if len(r) == 15 and all(c is not None for c in r) and "总计" not in r)
    assert t4_row == _t4_values(report, chosen)


def test_pdf_prints_blanks_and_units_as_asked():
    report = _report("gov2019", blanks=True)
    rows, _ = _pdf_rows(render_report(report, "pdf", ["slash_blanks"]))
    cells = [c for r in rows for c in r if c is not None]
    assert "/" in cells and "" not in cells
    rows, _ = _pdf_rows(render_report(_report("gov2019", scale=3000), "pdf", ["units", "thousands"]))
    cells = [c.replace("\n", "") for r in rows for c in r if c]
    assert any(c.endswith("元") and "," in c for c in cells)  # 采购总金额 like 75,394,432.52元
    assert any(c.endswith("件") for c in cells)


def test_pdf_split_table_breaks_table_three_across_pages():
    report = _report()
    label = schema.load_schema()["tables"][schema.T3]["groups"]["results"]["label"]
    with pdfplumber.open(io.BytesIO(render_report(report, "pdf", ["split_table"]))) as pdf:
        pages = [[t for t in p.extract_tables()] for p in pdf.pages]
    t3_pages = [i for i, tables in enumerate(pages)
                for t in tables if any(_norm(r[0]).startswith(("一、本年新收", "四、结转")) for r in t if r[0])]
    assert len(set(t3_pages)) == 2
    # the merged label's text flows over the break: its two pieces together form the label
    pieces = [_norm(r[0]) for tables in pages for t in tables for r in t
              if r[0] and _norm(r[0]) and _norm(r[0]) in _norm(label) and len(r) == 10]
    assert len(pieces) == 2 and "".join(pieces) == _norm(label)


def test_pdf_repeat_group_label_prints_the_label_twice():
    rows, _ = _pdf_rows(render_report(_report(), "pdf", ["repeat_group_label"]))
    assert sum(1 for r in rows if r[0] and _norm(r[0]) == "三、本年度办理结果") == 2


def test_pdf_without_quirks_keeps_table_three_whole():
    with pdfplumber.open(io.BytesIO(render_report(_report(), "pdf"))) as pdf:
        sizes = [len(t) for p in pdf.pages for t in p.extract_tables()]
        assert pdf.pages[0].width < pdf.pages[0].height
    t3 = schema.layout(schema.T3, "gov2021")
    assert 3 + len(t3.rows) in sizes  # header rows + data rows in one table


def test_pdf_landscape_pages_are_wider_than_tall():
    _, sizes = _pdf_rows(render_report(_report(), "pdf", ["landscape"]))
    assert all(w > h for w, h in sizes)


def test_pdf_label_typos_are_printed():
    rows, _ = _pdf_rows(render_report(_report(), "pdf", ["label_typos"]))
    labels = {_norm(c) for r in rows for c in r if c}
    assert {"2.其他法律行政止公开", "3、其他"} <= labels
    assert "2.其他法律行政法规禁止公开" not in labels


@pytest.mark.parametrize("version,t3_version", [("gov2019", None), ("gov2021", None), ("gov2021", "gov2019")])
def test_docx_has_real_merged_cells_and_values(version, t3_version):
    report = _report(version, t3_version, blanks=True)
    word = docx.Document(io.BytesIO(render_report(report, "docx", ["split_table"])))
    t2, t3, t4 = word.tables
    # the 3x3 note cell and the 三、本年度办理结果 column are single merged cells
    assert t3.cell(0, 0)._tc is t3.cell(2, 2)._tc
    t3_lay = schema.layout(schema.T3, report["tables"][schema.T3]["version"])
    results_rows = [i + 3 for i, r in enumerate(t3_lay.rows) if r.group]
    assert t3.cell(results_rows[0], 0)._tc is t3.cell(results_rows[-1], 0)._tc
    assert t3.cell(results_rows[0], 0).text == "三、本年度办理结果"
    assert t4.cell(0, 0)._tc is t4.cell(0, 4)._tc and t4.cell(0, 5)._tc is t4.cell(0, 14)._tc
    assert [c.text for c in t4.rows[3].cells] == _t4_values(report, frozenset())
    rows = [_distinct_texts(r) for t in (t2, t3) for r in t.rows]
    for table_id, label, values in _expected_rows(report, frozenset()):
        assert _find_row(rows, label) == values, (table_id, label)


def _distinct_texts(row) -> list[str]:
    """Texts of a docx row with each merged cell once (python-docx repeats it in every grid slot)."""
    cells = []
    for cell in row.cells:
        if not cells or cells[-1]._tc is not cell._tc:
            cells.append(cell)
    return [c.text for c in cells]


def test_docx_split_table_puts_a_page_break_in_table_three():
    word = docx.Document(io.BytesIO(render_report(_report(), "docx", ["split_table"])))
    rows = word.tables[1].rows
    breaks = [i for i, r in enumerate(rows) if r.cells[2].paragraphs[0].paragraph_format.page_break_before]
    label_row = next(i for i, r in enumerate(rows) if r.cells[2].text == "1.本机关不掌握相关政府信息")
    assert breaks == [label_row]
    # the merged 三、本年度办理结果 cell starts above the break and must not carry it
    assert not rows[label_row].cells[0].paragraphs[0].paragraph_format.page_break_before


def test_html_page_structure_and_spans():
    report = _report("gov2019")
    tree = lxml_html.fromstring(render_report(report, "html").decode("utf-8"))
    assert tree.findtext(".//title").startswith(report["report"]["title"])
    metas = {m.get("name"): m.get("content") for m in tree.iter("meta") if m.get("name")}
    assert metas["ArticleTitle"] == report["report"]["title"]
    assert metas["PubDate"].startswith("2021-01-25")
    assert metas["ContentSource"] == AGENCY + "办公室"
    tables = tree.xpath("//table")
    assert "索引号：" in tables[0].text_content()  # layout table above the article
    results = tables[2].xpath(".//td[normalize-space()='三、本年度办理结果']")
    assert [int(td.get("rowspan")) for td in results] == [20]  # gov2019 schema rowspan
    note = tables[2].xpath(".//td[contains(., '勾稽关系')]")[0]
    assert (note.get("rowspan"), note.get("colspan")) == ("3", "3")
    caption = tables[1].xpath(".//td[normalize-space()='第二十条第（九）项']")[0]
    assert caption.get("colspan") == "4"
    t4_values = [td.text_content() for td in tables[3].xpath(".//tr[last()]/td")]
    assert t4_values == _t4_values(report, frozenset())


def test_html_gbk_page_decodes_as_gb18030():
    report = _report()
    data = render_report(report, "html", ["gbk", "year_only_in_body"])
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gb18030")
    assert '<meta charset="gb2312">' in text
    tree = lxml_html.fromstring(text)
    title = tree.findtext(".//h1")
    assert "2023" not in title and title.startswith(AGENCY)
    first_paragraph = tree.xpath("//div[@class='TRS_Editor']/p")[0].text_content()
    assert first_paragraph.startswith("本报告统计期限自2023年1月1日")


def test_html_repeat_group_label_splits_the_merged_cell():
    tree = lxml_html.fromstring(render_report(_report(), "html", ["repeat_group_label"]).decode())
    cells = tree.xpath("//td[normalize-space()='三、本年度办理结果']")
    assert sorted(int(c.get("rowspan")) for c in cells) == [10, 12]


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_same_input_gives_same_bytes(fmt):
    report = _report(blanks=True)
    first = render_report(report, fmt, ["split_table", "units"])
    assert first == render_report(_report(blanks=True), fmt, ["split_table", "units"])
    assert first != render_report(report, fmt, ["split_table", "units"], published=date(2024, 2, 1))


def test_unknown_quirk_or_format_is_refused():
    with pytest.raises(ValueError, match="unknown quirks"):
        render_report(_report(), "pdf", ["landscap"])
    with pytest.raises(ValueError, match="unknown format"):
        render_report(_report(), "xlsx")
    assert {"split_table", "repeat_group_label", "slash_blanks", "dash_blanks", "halfwidth_labels",
            "label_typos", "landscape", "units", "thousands", "gbk", "year_only_in_body"} <= set(QUIRKS)


def test_cell_text_formatting():
    from decimal import Decimal

    from demo.render.quirks import label_text

    assert value_text(3119, "total", frozenset({"thousands"})) == "3,119"
    assert value_text(Decimal("24252.311082"), "fee_amount", frozenset()) == "24252.311082"
    assert value_text(Decimal("75394432.52"), "procurement_amount", frozenset({"units"})) == "75394432.52元"
    assert value_text(-15, "change", frozenset({"units"})) == "-15项"
    assert value_text(None, "total", frozenset()) == ""
    assert value_text(None, "total", frozenset({"dash_blanks"})) == "-"
    assert label_text("granted", "（一）予以公开", frozenset({"halfwidth_labels"})) == "(一)予以公开"
    assert label_text("other_other", "3.其他", frozenset({"label_typos"})) == "3、其他"
