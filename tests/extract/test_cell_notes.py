"""Notes printed inside a number cell (issue 10): the leading number is the value, the note is kept as printed.

Real wordings: 上海市人民政府办公厅 2025 prints `22（其中修订16件）` and `55（含自然失效29件）` in 表二, and tables with
`13(其中修订2件)`; a 繁體 page prints 修訂. Each case states the exact value read; anything that is not a number
followed by a bracketed note opened by a marker of ``schema.yaml`` (`normalization.number.note_markers`) stays
refused, as two numbers in one cell (`660 663`) always were.
"""

from __future__ import annotations

import pytest

from tests.extract.variant_html import assert_exact, html_of, issue_codes, make_report, set_value, traditional
from transform.runner import extract_bytes

T2, T3 = 0, 1


def extract(html: str) -> dict:
    return extract_bytes(html.encode("utf-8"), "notes.html")


def cell(out: dict, table: str, row: str, col: str):
    return out["tables"][table]["cells"][row][col]


def annotated(out: dict) -> list[str]:
    return [i["raw"] for i in out["issues"] if i["code"] == "annotated_value" and i["severity"] == "info"]


@pytest.mark.parametrize("note", ["（其中修订{k}件）", "(其中修订{k}件)", "（含自然失效{k}件）", "（其中修訂{k}件）", "（包括{k}件）"])
def test_note_after_a_t2_number(note):
    rep = make_report()
    value = rep["tables"]["t2_art20_1"]["cells"]["normative_docs"]["in_force"]
    printed = f"{value}{note.format(k=max(value // 2, 1))}"
    out = extract(set_value(html_of(rep), T2, "行政规范性文件", 2, printed))
    assert_exact(out, rep)
    assert cell(out, "t2_art20_1", "normative_docs", "in_force") == value
    assert annotated(out) == [printed]


def test_note_after_a_t3_number_the_row_total_still_holds():
    rep = make_report()
    value = rep["tables"]["t3_requests"]["cells"]["new_received"]["natural_person"]
    printed = f"{value}(其中修订2件)"
    out = extract(set_value(html_of(rep), T3, "一、本年新收政府信息公开申请数量", 0, printed))
    assert_exact(out, rep)
    assert annotated(out) == [printed]
    (source,) = [s for s in out["cells_source"]
                 if (s["table"], s["row"], s["col"]) == ("t3_requests", "new_received", "natural_person")]
    assert source["raw"] == printed


def test_note_on_a_traditional_page():
    rep = make_report()
    value = rep["tables"]["t3_requests"]["cells"]["new_received"]["total"]
    html = set_value(html_of(rep, ("traditional",)), T3, traditional("一、本年新收政府信息公开申请数量"), 6,
                     f"{value}（其中修訂1件）")
    out = extract(html)
    assert_exact(out, rep)
    assert annotated(out) == [f"{value}（其中修訂1件）"]


@pytest.mark.parametrize("printed", ["660 663", "12（16）", "12（注1）", "约12（其中修订2件）", "（其中修订2件）"])
def test_anything_else_in_a_number_cell_is_refused(printed):
    rep = make_report()
    out = extract(set_value(html_of(rep), T3, "一、本年新收政府信息公开申请数量", 0, printed))
    assert out["status"] == "failed"
    assert cell(out, "t3_requests", "new_received", "natural_person") is None
    assert "unreadable_cell" in issue_codes(out)
