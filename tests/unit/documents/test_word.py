"""DOCX reader on the real reports (truth.json) and on hostile or synthetic files."""

from __future__ import annotations

import io
import random
import zipfile
from functools import cache

import docx as python_docx
import pytest
from docx.oxml.ns import qn

from extract.documents.docx import read_docx
from extract.documents.model import Document, RawTable, TextBlock

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

FOLDERS = ["sh-city-office-2019", "fj-pingtan-2019", "fj-pingtan-2022"]


@cache
def read(folder: str) -> Document:
    return read_docx((real_reports_dir() / folder / "report.docx").read_bytes())


def test_our_module_does_not_shadow_python_docx() -> None:
    assert hasattr(python_docx, "Document") and "site-packages" in python_docx.__file__


# --- the printed numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_row_of_table_three_carries_the_printed_numbers(folder: str) -> None:
    got = [values for _, _, values in application_rows(read(folder))]
    assert got == list(truth(folder)["applications"].values())


@pytest.mark.parametrize("folder", FOLDERS)
def test_table_four_row_carries_the_fifteen_printed_numbers(folder: str) -> None:
    assert review_row(read(folder)) == truth(folder)["review_litigation"]


@pytest.mark.parametrize("folder", FOLDERS)
def test_table_two_rows_carry_the_printed_values(folder: str) -> None:
    doc = read(folder)
    for label, by_column in truth(folder)["proactive"].items():
        assert proactive_values(doc, label) == list(by_column.values()), label


# --- merges and lineage ---------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", FOLDERS)
def test_note_cell_spans_three_by_three(folder: str) -> None:
    table, cell = find_cell(read(folder), "（本列数据的勾稽关系为")
    assert (cell.row, cell.col, cell.rowspan, cell.colspan) == (0, 0, 3, 3)
    assert_cell_covers_its_slots(table, cell)


@pytest.mark.parametrize(("folder", "rowspan"), [("sh-city-office-2019", 20), ("fj-pingtan-2022", 22)])
def test_vertically_merged_section_label_spans_its_rows(folder: str, rowspan: int) -> None:
    table, cell = find_cell(read(folder), "三、本年度办理结果")
    assert (cell.row, cell.col, cell.rowspan, cell.colspan) == (5, 0, rowspan, 1)
    assert_cell_covers_its_slots(table, cell)
    assert squash(table.grid[cell.row + rowspan - 1][1].text) == "（七）总计"


def test_two_vertical_merges_in_one_column_stay_two_cells() -> None:
    """平潭 2019's markup restarts 三、本年度办理结果 at （四）: two cells, ten rows each."""
    table = read("fj-pingtan-2019").tables[1]
    top, bottom = table.grid[5][0], table.grid[15][0]
    assert top is not bottom
    assert [(c.row, c.rowspan, c.text) for c in (top, bottom)] == [
        (5, 10, "三、本年度办理结果"),
        (15, 10, "三、本年度办理结果"),
    ]


def test_cells_point_at_their_xml_element() -> None:
    doc = read("sh-city-office-2019")
    table, cell = find_cell(doc, "一、本年新收政府信息公开申请数量")
    assert cell.path == "table[2]/tr[4]/tc[1]" and cell.page is None and cell.bbox is None
    value = table.grid[cell.row][cell.col + cell.colspan]
    assert (value.text, value.path) == ("821", "table[2]/tr[4]/tc[2]")


def test_body_order_interleaves_paragraphs_and_tables() -> None:
    doc = read("sh-city-office-2019")
    assert doc.title == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert doc.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    kinds = [(type(b).__name__, b.text if isinstance(b, TextBlock) else b.index) for b in doc.blocks]
    for heading, table_index in [
        ("二、主动公开政府信息情况", 0),
        ("三、收到和处理政府信息公开申请情况", 1),
        ("四、政府信息公开行政复议、行政诉讼情况", 2),
    ]:
        i = kinds.index(("TextBlock", heading))
        assert kinds[i + 1] == ("RawTable", table_index)
    assert "本年新收政府信息公开申请数量" not in doc.text


# --- synthetic documents ----------------------------------------------------------------------------------


def _docx_bytes(build) -> bytes:
    word = python_docx.Document()
    build(word)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_merges_made_by_word_expand_into_the_grid() -> None:
    def build(word):
        word.core_properties.title = "测试报告"
        word.add_paragraph("三、收到和处理政府信息公开申请情况")
        table = word.add_table(rows=3, cols=3)
        table.cell(0, 0).merge(table.cell(1, 1))  # a 2x2 block: gridSpan + vMerge
        table.cell(0, 0).text = "说明"
        table.cell(0, 2).text = "总计"
        table.cell(1, 2).text = "21"
        for c, text in enumerate(["甲", "乙", "0"]):
            table.cell(2, c).text = text
        word.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")

    doc = read_docx(_docx_bytes(build))
    assert doc.title == "测试报告"
    assert [type(b) for b in doc.blocks] == [TextBlock, RawTable, TextBlock]
    (table,) = doc.tables
    block = table.grid[0][0]
    assert (block.text, block.rowspan, block.colspan) == ("说明", 2, 2)
    assert_cell_covers_its_slots(table, block)
    assert [table.row_texts(r) for r in range(3)] == [
        ["说明", "说明", "总计"],
        ["说明", "说明", "21"],
        ["甲", "乙", "0"],
    ]


def test_nested_table_is_read_and_a_wrapper_table_unwrapped() -> None:
    def build(word):
        wrapper = word.add_table(rows=1, cols=1)  # a frame around the real table, as some CMS exports do
        inner = wrapper.cell(0, 0).add_table(rows=2, cols=2)
        for r, row in enumerate([["信息内容", "本年处理决定数量"], ["行政许可", "550"]]):
            for c, text in enumerate(row):
                inner.cell(r, c).text = text

    (table,) = read_docx(_docx_bytes(build)).tables
    assert [table.row_texts(r) for r in range(2)] == [["信息内容", "本年处理决定数量"], ["行政许可", "550"]]
    assert table.grid[1][1].path == "table[1]/tr[1]/tc[1]/table[2]/tr[2]/tc[2]"


def test_cell_paragraphs_join_with_newlines() -> None:
    def build(word):
        cell = word.add_table(rows=1, cols=2).cell(0, 0)
        cell.text = "结果"
        cell.add_paragraph("维持")
        cell.add_paragraph("")

    (table,) = read_docx(_docx_bytes(build)).tables
    assert table.grid[0][0].text == "结果\n维持"


def _set_merge(cell, tag: str, val: str | None) -> None:
    merge = cell._tc.get_or_add_tcPr().makeelement(qn(f"w:{tag}"), {qn("w:val"): val} if val else {})
    cell._tc.get_or_add_tcPr().append(merge)


def test_legacy_horizontal_merge_and_vertical_merge() -> None:
    def build(word):
        table = word.add_table(rows=3, cols=3)
        _set_merge(table.cell(0, 0), "hMerge", "restart")  # Word 97 style: a row of plain cells
        _set_merge(table.cell(0, 1), "hMerge", None)
        table.cell(0, 0).text = "申请人情况"
        table.cell(0, 2).text = "总计"
        _set_merge(table.cell(1, 0), "vMerge", "restart")
        table.cell(1, 0).text = "不予公开"
        _set_merge(table.cell(2, 0), "vMerge", None)
        table.cell(1, 1).text = "1"
        table.cell(2, 1).text = "2"

    (table,) = read_docx(_docx_bytes(build)).tables
    header, label = table.grid[0][0], table.grid[1][0]
    assert (header.text, header.colspan, label.text, label.rowspan) == ("申请人情况", 2, "不予公开", 2)
    assert_cell_covers_its_slots(table, header)
    assert_cell_covers_its_slots(table, label)
    assert [table.row_texts(r)[:2] for r in range(3)] == [
        ["申请人情况", "申请人情况"],
        ["不予公开", "1"],
        ["不予公开", "2"],
    ]


# --- hostile files ----------------------------------------------------------------------------------------


def _fails_fast(data: bytes, code: str):
    return fails_fast(read_docx, data, code)


def test_empty_random_and_truncated_files_are_broken() -> None:
    assert "empty" in _fails_fast(b"", "broken_docx").message
    _fails_fast(random.Random(3).randbytes(5000), "broken_docx")
    data = (real_reports_dir() / "sh-city-office-2019" / "report.docx").read_bytes()
    _fails_fast(data[: len(data) * 3 // 10], "broken_docx")


def test_zip_without_a_word_document_is_broken() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not a report")
    _fails_fast(out.getvalue(), "broken_docx")


def test_password_protected_docx_is_encrypted() -> None:
    """Word encrypts a .docx into an OLE container with an EncryptionInfo stream."""
    ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    ole[600:600] = "EncryptionInfo".encode("utf-16-le")
    assert "password" in _fails_fast(bytes(ole), "encrypted").message
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(1024)
    assert ".doc" in _fails_fast(legacy, "broken_docx").message
