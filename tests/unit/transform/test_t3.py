"""``transform.t3.read_t3`` on small 表三 tables: columns by header, rows by label, cells by grid or order."""

from __future__ import annotations

from tests.unit.transform.t3_html import codes, read, row

NEW = "一、本年新收政府信息公开申请数量"
CARRIED = "二、上年结转政府信息公开申请数量"
COLS = ("natural_person", "commercial_enterprise", "research_institution", "public_interest_org",
        "legal_service_org", "other_org", "total")


def values(table, code: str) -> list:
    return [table.cells[code][c].value for c in COLS]


def test_columns_by_header_and_rows_by_label():
    table, issues = read([row(CARRIED, *"1000001"), row(NEW, *"5210109")])
    assert values(table, "new_received") == [5, 2, 1, 0, 1, 0, 9]
    assert values(table, "carried_over") == [1, 0, 0, 0, 0, 0, 1]
    assert "merged_value_cell" not in codes(issues)


def test_word_grid_row_with_one_cell_per_column_is_read_in_order_and_confirmed_by_the_total():
    # 平潭 2021 (Word's HTML export): 自然人 spans two grid columns, the 商业企业 cell two others.
    table, issues = read([row(NEW, "64", ("3", 2), "0", "1", "0", "2", "70")], natural_colspan=2)
    assert values(table, "new_received") == [64, 3, 0, 1, 0, 2, 70]
    realigned = [i for i in issues if i.code == "realigned_row"]
    assert realigned and realigned[0].severity == "warning" and realigned[0].raw == "64 | 3 | 0 | 1 | 0 | 2 | 70"
    assert "merged_value_cell" not in codes(issues)


def test_word_grid_row_whose_total_does_not_confirm_the_order_stays_refused():
    table, issues = read([row(NEW, "64", ("3", 2), "0", "1", "0", "2", "71")], natural_colspan=2)
    assert "merged_value_cell" in codes(issues) and "realigned_row" not in codes(issues)
    assert table.cells["new_received"]["commercial_enterprise"].value is None


def test_a_merged_zero_is_zero_in_each_column_it_covers():
    table, issues = read([row(NEW, "64", ("0", 6), "64")], natural_colspan=2)
    assert values(table, "new_received") == [64, 0, 0, 0, 0, 0, 64]
    assert [i.severity for i in issues if i.code == "merged_zero"] == ["info"]


def test_any_other_merged_value_is_refused():
    table, issues = read([row(NEW, "5", ("3", 2), "0", "0", "0", "8")])
    assert "merged_value_cell" in codes(issues)
    assert table.cells["new_received"]["commercial_enterprise"].value is None
    assert table.cells["new_received"]["research_institution"].value is None


def test_a_note_inside_a_cell_keeps_the_leading_number():
    table, issues = read([row(NEW, "22（其中修订16件）", *"000000", "22")])
    assert table.cells["new_received"]["natural_person"].value == 22
    assert table.cells["new_received"]["natural_person"].raw == "22（其中修订16件）"
    assert [i.raw for i in issues if i.code == "annotated_value"] == ["22（其中修订16件）"]


def test_two_numbers_in_one_cell_stay_refused():
    table, issues = read([row(NEW, "660 663", *"000000", "660")])
    assert table.cells["new_received"]["natural_person"].value is None
    assert "unreadable_cell" in codes(issues)


def test_traditional_row_labels_are_found():
    table, issues = read([row("一、本年新收政府資訊公開申請數量", *"1000001")])
    assert values(table, "new_received") == [1, 0, 0, 0, 0, 0, 1]


def test_a_blank_across_several_columns_is_blank_in_each():
    table, issues = read([row(NEW, "64", ("", 6), "64")], natural_colspan=2)
    assert values(table, "new_received") == [64, None, None, None, None, None, 64]
    assert codes(issues).count("blank_cell") == 5 and "missing_cell" not in codes(issues)


def test_word_grid_row_with_blanks_is_confirmed_with_blanks_as_zero():
    table, issues = read([row(NEW, "64", ("", 2), "0", "1", "", "2", "67")], natural_colspan=2)
    assert values(table, "new_received") == [64, None, 0, 1, None, 2, 67]
    assert "realigned_row" in codes(issues)
