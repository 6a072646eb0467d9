"""PDF reader on the real reports (truth.json) and on hostile or synthetic files."""

from __future__ import annotations

import io
import random
from functools import cache

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extract.documents import pdf as pdf_reader
from extract.documents.model import Document, RawTable, TextBlock
from extract.documents.pdf import read_pdf

from .truth_tables import (
    fails_fast,
    application_rows,
    assert_cell_covers_its_slots,
    find_cell,
    proactive_values,
    real_reports_dir,
    review_row,
    squash,
    truth,
)

WPS = ["js-huaian-hongze-2023", "js-huaian-hongze-2024", "js-huaian-city-2024"]
CHROMIUM = ["sh-city-office-2019", "fj-pingtan-2019", "fj-pingtan-2022"]
OFFICE_EXPORTS = CHROMIUM  # the three HTML-based reports also come as report_lo.pdf
AGENCY_PRINTS = ["fj-pingtan-2019", "fj-pingtan-2022"]  # report_original.pdf
ALL_FOLDERS = WPS + CHROMIUM

TEXT_PDFS = (
    [pytest.param(f, "report.pdf", id=f"{f}/report.pdf") for f in WPS]
    + [pytest.param(f, "report.pdf", id=f"{f}/report.pdf", marks=pytest.mark.slow) for f in CHROMIUM]
    + [
        pytest.param(f, "report_lo.pdf", id=f"{f}/report_lo.pdf", marks=pytest.mark.slow)
        for f in OFFICE_EXPORTS
    ]
    + [
        pytest.param(f, "report_original.pdf", id=f"{f}/report_original.pdf", marks=pytest.mark.slow)
        for f in AGENCY_PRINTS
    ]
)


@cache
def read(folder: str, name: str) -> Document:
    return read_pdf((real_reports_dir() / folder / name).read_bytes())


# --- the printed numbers, cell by cell ----------------------------------------------------------------


@pytest.mark.parametrize(("folder", "name"), TEXT_PDFS)
def test_every_row_of_table_three_carries_the_printed_numbers(folder: str, name: str) -> None:
    """All 7 values of every 表三 row, in table order, across the page fragments."""
    got = [values for _, _, values in application_rows(read(folder, name))]
    assert got == list(truth(folder)["applications"].values())


@pytest.mark.parametrize(("folder", "name"), TEXT_PDFS)
def test_table_four_row_carries_the_fifteen_printed_numbers(folder: str, name: str) -> None:
    assert review_row(read(folder, name)) == truth(folder)["review_litigation"]


@pytest.mark.parametrize(("folder", "name"), TEXT_PDFS)
def test_table_two_rows_carry_the_printed_values(folder: str, name: str) -> None:
    doc = read(folder, name)
    for label, by_column in truth(folder)["proactive"].items():
        assert proactive_values(doc, label) == list(by_column.values()), label


# --- merged cells and page breaks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "name"),
    [pytest.param(f, "report.pdf", id=f) for f in WPS]
    + [pytest.param(f, "report_lo.pdf", id=f"{f}/lo", marks=pytest.mark.slow) for f in OFFICE_EXPORTS],
)
def test_note_cell_spans_three_by_three(folder: str, name: str) -> None:
    table, cell = find_cell(read(folder, name), "（本列数据的勾稽关系为")
    assert (cell.row, cell.col, cell.rowspan, cell.colspan) == (0, 0, 3, 3)
    assert_cell_covers_its_slots(table, cell)
    # The note wraps inside its cell; the line break is kept, and the whole sentence is there.
    assert "\n" in cell.text and squash(cell.text).endswith("等于第三项加第四项之和）")


def test_vertical_section_label_spans_its_rows_down_to_the_page_break() -> None:
    """洪泽 2023 prints 三、本年度办理结果 one character per line in a cell running off page 3."""
    doc = read("js-huaian-hongze-2023", "report.pdf")
    table, cell = find_cell(doc, "三、本年度办理结果")
    assert cell.text.split("\n") == list("三、本年度办理结果")
    assert (table.page, cell.row, cell.col, cell.rowspan) == (3, 5, 0, 12)
    assert cell.row + cell.rowspan == table.n_rows  # open at the bottom: the table goes on overleaf
    assert_cell_covers_its_slots(table, cell)


def test_fragment_on_the_next_page_starts_with_the_continued_rows() -> None:
    doc = read("js-huaian-hongze-2023", "report.pdf")
    rows = application_rows(doc)
    by_page = {}
    for table, r, values in rows:
        by_page.setdefault(table.page, []).append((table, r, values))
    assert sorted(by_page) == [3, 4]
    labels = list(truth("js-huaian-hongze-2023")["applications"])
    n_first = len(by_page[3])
    assert (
        labels[n_first - 1] == "三/(四)无法提供/2.没有现成信息需要另行制作"
    )  # the last row before the break
    first_table, first_row, first_values = by_page[4][0]
    assert first_row == 0 and squash(first_table.grid[0][2].text) == "3.补正后申请内容仍不明确"
    assert first_values == truth("js-huaian-hongze-2023")["applications"][labels[n_first]]
    # The continuation of the section label is an empty cell running down to (七)总计.
    continued = first_table.grid[0][0]
    assert continued is not None and continued.text == "" and continued.rowspan == 8
    assert_cell_covers_its_slots(first_table, continued)


def test_label_split_by_the_page_break_stays_with_each_fragment() -> None:
    """淮安市 2024 breaks the page inside （四）无法提供: each page keeps the part it prints."""
    doc = read("js-huaian-city-2024", "report.pdf")
    _, top_part = find_cell(doc, "（四）无")
    bottom_table, bottom_part = find_cell(doc, "法提供")
    assert (top_part.page, bottom_part.page) == (4, 5)
    assert (bottom_part.row, bottom_part.rowspan) == (0, 2)
    assert_cell_covers_its_slots(bottom_table, bottom_part)


def test_each_fragment_is_its_own_table_with_its_page() -> None:
    doc = read("js-huaian-hongze-2023", "report.pdf")
    pages = [2, 3, 3, 4, 4]
    assert [(t.index, t.page, t.last_page) for t in doc.tables] == [(i, p, p) for i, p in enumerate(pages)]


# --- running text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", WPS)
def test_section_headings_are_blocks_of_their_own_right_before_their_table(folder: str) -> None:
    blocks = read(folder, "report.pdf").blocks
    for heading in ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]:
        i = next(i for i, b in enumerate(blocks) if isinstance(b, TextBlock) and b.text == heading)
        assert isinstance(blocks[i + 1], RawTable)


@pytest.mark.parametrize("folder", WPS)
def test_running_text_leaves_table_text_out(folder: str) -> None:
    text = read(folder, "report.pdf").text
    for printed_in_tables_only in [
        "本年新收政府信息公开申请数量",
        "结转下年度继续办理",
        "信息内容",
        "第二十条第",
    ]:
        assert printed_in_tables_only not in squash(text)


def test_wrapped_lines_join_into_paragraphs_with_their_numbers() -> None:
    text = read("js-huaian-hongze-2023", "report.pdf").text
    # The sentence wraps after 国令第 in print; the paragraph must keep it whole, number included.
    assert "（国令第711号）（以下简称《条例》）要求编制此报告。" in text
    assert "\n一、总体情况\n" in text


@pytest.mark.slow
def test_chromium_latin_digits_stay_in_their_sentence() -> None:
    """Chromium sets digits in a Latin font a few points lower than the CJK text around them."""
    text = read("fj-pingtan-2019", "report_original.pdf").text
    assert "本报告所列数据的统计期限自2019年1月1日起至2019年12月31日止。" in text


@pytest.mark.slow
def test_chromium_radical_code_points_read_as_ideographs() -> None:
    doc = read("fj-pingtan-2019", "report.pdf")
    cell_texts = [c.text for t in doc.tables for row in t.grid for c in row if c is not None]
    assert not [ch for ch in doc.text + "".join(cell_texts) if 0x2E80 <= ord(ch) <= 0x2FDF]
    assert "第二十条第（一）项" in [squash(text) for text in cell_texts]


# --- document facts and lineage -----------------------------------------------------------------------


def test_metadata_title_and_page_count() -> None:
    doc = read("js-huaian-hongze-2023", "report.pdf")
    assert doc.media_type == "application/pdf"
    assert doc.title == "洪泽区人民政府2023年政府信息公开工作年度报告"  # UTF-16LE in the file
    assert doc.n_pages == 5 and doc.pages_without_text == [] and doc.warnings == []


@pytest.mark.parametrize("folder", WPS)
def test_every_cell_has_page_and_box_inside_its_page(folder: str) -> None:
    doc = read(folder, "report.pdf")
    for table in doc.tables:
        for row in table.grid:
            for cell in row:
                assert cell is not None and cell.page == table.page
                x0, top, x1, bottom = cell.bbox
                assert 0 <= x0 < x1 <= 600 and 0 <= top < bottom <= 850


@pytest.mark.parametrize(
    "folder", [pytest.param(f, marks=pytest.mark.slow) if f in CHROMIUM else f for f in ALL_FOLDERS]
)
def test_scanned_report_has_no_text_and_no_tables(folder: str, monkeypatch) -> None:
    monkeypatch.setenv("XXGK_OCR", "0")  # the text layer alone; OCR of these pages is tested in test_ocr_real_reports
    doc = read(folder, "report_scanned.pdf")
    assert doc.n_pages == read(folder, "report.pdf").n_pages
    assert doc.pages_without_text == list(range(1, doc.n_pages + 1))
    assert doc.blocks == []


# --- hostile files -------------------------------------------------------------------------------------


def _fails_fast(data: bytes, code: str):
    return fails_fast(read_pdf, data, code)


def test_truncated_pdf_is_broken() -> None:
    data = (real_reports_dir() / "js-huaian-hongze-2023" / "report.pdf").read_bytes()
    assert "truncated" in _fails_fast(data[: len(data) * 3 // 10], "broken_pdf").message


def test_random_bytes_behind_a_pdf_header_are_broken() -> None:
    noise = random.Random(7).randbytes(20_000)
    _fails_fast(b"%PDF-1.7\n" + noise, "broken_pdf")
    _fails_fast(b"%PDF-1.7\n" + noise + b"\n%%EOF\n", "broken_pdf")  # gets past the cheap checks


def test_empty_and_non_pdf_files_are_broken() -> None:
    assert "empty" in _fails_fast(b"", "broken_pdf").message
    assert "not a PDF" in _fails_fast(b"<!DOCTYPE html><html>404</html>", "broken_pdf").message


def _tiny_pdf(pages: list[list[str]], **canvas_options) -> bytes:
    """A text PDF in the non-embedded STSong font that Chinese generators also use."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, **canvas_options)
    for lines in pages:
        c.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            c.drawString(72, 760 - 20 * i, line)
        c.showPage()
    c.save()
    return out.getvalue()


def test_password_protected_pdf_is_encrypted() -> None:
    data = _tiny_pdf(
        [["政府信息公开工作年度报告"]], encrypt=StandardEncryption("user-secret", "owner-secret")
    )
    assert "password" in _fails_fast(data, "encrypted").message


def test_pdf_with_only_an_owner_password_is_read() -> None:
    """Permissions-only encryption (empty user password) opens in every viewer, so it is read."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, encrypt=StandardEncryption("", "owner-secret"))
    c.drawString(72, 760, "Annual report 2023")
    c.showPage()
    c.save()
    assert read_pdf(out.getvalue()).text == "Annual report 2023"


def test_glyphs_pdfminer_cannot_map_are_read_through_pdfium() -> None:
    """pdfminer fails to decrypt the CID font dictionary of this permissions-encrypted file and
    returns "(cid:N)" for every glyph; PDFium reads the same glyphs at the same places."""
    data = _tiny_pdf([["政府信息公开工作年度报告"]], encrypt=StandardEncryption("", "owner-secret"))
    doc = read_pdf(data)
    assert doc.text == "政府信息公开工作年度报告" and doc.warnings == []


def test_glyphs_no_library_can_map_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a page pdfminer reads (PDFium maps these glyphs, so the page is forced onto pdfminer here)."""
    monkeypatch.setattr(pdf_reader, "_remap_with_pdfium", lambda chars, page: chars)
    data = _tiny_pdf([["政府信息公开工作年度报告"]], encrypt=StandardEncryption("", "owner-secret"))
    doc = read_pdf(data, engine="pdfminer")
    assert "(cid:" in doc.text
    assert doc.warnings == [
        (
            "page 1: 12 of 12 characters have no Unicode mapping (font without a usable ToUnicode table);"
            " their text reads as (cid:N)"
        )
    ]


def test_page_guard_reads_only_the_first_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 2)
    doc = read_pdf(_tiny_pdf([["第一页"], ["第二页"], ["第三页"]]))
    assert doc.n_pages == 3
    assert [b.text for b in doc.blocks] == ["第一页", "第二页"]
    assert doc.warnings == ["document has 3 pages; only the first 2 were read"]


# --- drawing quirks, on synthetic pages -------------------------------------------------------------------


def _ruled_pdf(draw) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont("STSong-Light", 12)
    draw(c)
    c.showPage()
    c.save()
    return out.getvalue()


def _grid_lines(c, xs: list[float], ys: list[float]) -> None:
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)


def test_fake_bold_double_drawn_characters_are_read_once() -> None:
    def draw(c):
        _grid_lines(c, [100, 250, 400], [700, 670, 640])
        for dx in (0, 0.3):  # WPS fake bold: the same glyphs again, a hair to the right
            c.drawString(110 + dx, 680, "总计")
            c.drawString(260 + dx, 680, "21")
        c.drawString(110, 650, "其他")
        c.drawString(260, 650, "0")

    (table,) = read_pdf(_ruled_pdf(draw)).tables
    assert [table.row_texts(r) for r in range(table.n_rows)] == [["总计", "21"], ["其他", "0"]]


def test_white_boxes_behind_text_are_not_tables() -> None:
    def draw(c):
        c.setFillColorRGB(1, 1, 1)
        for i in range(3):  # invisible on paper; WPS puts one behind every line
            c.rect(70, 750 - 20 * i, 450, 18, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        for i, line in enumerate(["一、总体情况", "本年度共收到申请21件。", "二、主动公开政府信息情况"]):
            c.drawString(72, 755 - 20 * i, line)

    doc = read_pdf(_ruled_pdf(draw))
    assert doc.tables == []
    assert doc.text.split("\n") == ["一、总体情况", "本年度共收到申请21件。", "二、主动公开政府信息情况"]


def test_merged_cells_expand_into_every_slot() -> None:
    """A label cell two rows tall and a header two columns wide, drawn as Word draws them."""

    def draw(c):
        xs, ys = [100, 200, 300, 400], [700, 680, 660, 640]
        c.line(xs[0], ys[0], xs[-1], ys[0])
        c.line(xs[0], ys[-1], xs[-1], ys[-1])
        c.line(xs[1], ys[1], xs[-1], ys[1])  # under the wide header only
        c.line(xs[1], ys[2], xs[-1], ys[2])  # the tall label has no line across it
        c.line(xs[0], ys[0], xs[0], ys[-1])
        c.line(xs[1], ys[0], xs[1], ys[-1])
        c.line(xs[2], ys[1], xs[2], ys[-1])  # the header spans columns 1-2
        c.line(xs[3], ys[0], xs[3], ys[-1])
        c.drawString(110, 665, "不予公开")
        c.drawString(210, 685, "申请人情况")
        for y, (a, b) in zip([665, 645], [("1", "2"), ("3", "4")], strict=True):
            c.drawString(210, y, a)
            c.drawString(310, y, b)

    (table,) = read_pdf(_ruled_pdf(draw)).tables
    label = table.grid[0][0]
    header = table.grid[0][1]
    assert (label.text, label.rowspan, label.colspan) == ("不予公开", 3, 1)
    assert (header.text, header.rowspan, header.colspan) == ("申请人情况", 1, 2)
    assert_cell_covers_its_slots(table, label)
    assert_cell_covers_its_slots(table, header)
    assert [table.row_texts(r)[1:] for r in (1, 2)] == [["1", "2"], ["3", "4"]]
    assert label.page == 1 and label.bbox == pytest.approx((100, A4[1] - 700, 200, A4[1] - 640), abs=0.01)


def test_text_in_a_slot_no_drawn_cell_covers_is_kept() -> None:
    """The right border stops after the first row: the last slot is not a closed cell, but its
    number is printed inside the table and must not vanish."""

    def draw(c):
        for y in (700, 680, 660):
            c.line(100, y, 300, y)
        c.line(100, 700, 100, 660)
        c.line(200, 700, 200, 660)
        c.line(300, 700, 300, 680)
        for x, y, text in [(110, 685, "甲"), (210, 685, "1"), (110, 665, "乙"), (210, 665, "2")]:
            c.drawString(x, y, text)

    doc = read_pdf(_ruled_pdf(draw))
    (table,) = doc.tables
    assert [table.row_texts(r) for r in range(2)] == [["甲", "1"], ["乙", "2"]]
    assert table.grid[1][1].bbox == pytest.approx((200, A4[1] - 680, 300, A4[1] - 660), abs=0.01)
    assert doc.text == ""


def test_slanted_watermark_stays_out_of_cells_and_text() -> None:
    def draw(c):
        _grid_lines(c, [100, 250, 400], [700, 670])
        c.drawString(110, 680, "总计")
        c.drawString(260, 680, "21")
        c.drawString(72, 760, "三、收到和处理政府信息公开申请情况")
        c.saveState()
        c.translate(240, 660)
        c.rotate(35)
        c.setFillColorRGB(0.8, 0.8, 0.8)
        c.drawString(0, 0, "内部资料")  # drawn across the value cell
        c.restoreState()
        c.saveState()
        c.translate(500, 500)
        c.rotate(90)
        c.drawString(0, 0, "竖排")  # sideways, but content
        c.restoreState()

    doc = read_pdf(_ruled_pdf(draw))
    (table,) = doc.tables
    assert table.row_texts(0) == ["总计", "21"]
    assert "内部资料" not in doc.text and "竖" in doc.text
    assert doc.warnings == ["page 1: ignored 4 slanted characters (watermark?): 内部资料"]


def test_page_with_text_drawn_as_outlines_has_no_text_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_OCR", "0")  # the text layer alone (OCR would look at the page for seconds)

    def draw(c):
        for i in range(250):  # glyph outlines, as some print drivers emit them
            path = c.beginPath()
            path.moveTo(72 + (i % 25) * 18, 700 - (i // 25) * 20)
            path.curveTo(
                75 + (i % 25) * 18,
                710 - (i // 25) * 20,
                80 + (i % 25) * 18,
                705 - (i // 25) * 20,
                84 + (i % 25) * 18,
                700 - (i // 25) * 20,
            )
            c.drawPath(path, stroke=0, fill=1)

    doc = read_pdf(_ruled_pdf(draw))
    assert doc.pages_without_text == [1] and doc.blocks == []


def test_page_with_too_many_shapes_is_not_searched_for_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "MAX_RULING_OBJECTS", 5)

    def draw(c):
        _grid_lines(c, [100, 250, 400], [700, 670, 640])
        c.drawString(110, 680, "总计")

    doc = read_pdf(_ruled_pdf(draw))
    assert doc.tables == [] and doc.text == "总计"
    assert doc.warnings == ["page 1: 6 vector shapes; not searched for tables"]


def test_two_tables_side_by_side_open_at_the_bottom_stay_apart() -> None:
    """Closing the open bottoms must not draw a rule across the gap between two tables."""

    def draw(c):
        for left in (100, 330):
            xs = [left, left + 100, left + 200]
            for y in (700, 680):
                c.line(xs[0], y, xs[-1], y)
            for x in xs:
                c.line(x, 700, x, 660)  # no bottom border: both continue overleaf
            c.drawString(left + 10, 665, "甲")
            c.drawString(left + 110, 665, "1")

    doc = read_pdf(_ruled_pdf(draw))
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(2, 2), (2, 2)]
    assert [t.row_texts(1) for t in doc.tables] == [["甲", "1"], ["甲", "1"]]
