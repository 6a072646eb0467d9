"""The structure of whole reports, each exact or flagged.

Every test here failed before the fix it guards (parser 1.7). Agencies print comparison figures beside
this year's (an 上年 / 2022年 / 同比增减 column, a 上年 row, 本年 | 上年 sub-columns), add tables of their
own next to the statistics tables (栏目 | 条数, a 汇总表 by department or agency), print a 合计 of the
organisations that is not the 总计, and publish reports that cover two years. None of those figures may be
read as this year's official ones, and a wrong number with status ``ok`` is what these tests exist to catch.
"""

from __future__ import annotations

import re

import pytest

from transform.runner import extract_bytes
from tests.extract.variant_html import (
    assert_exact,
    cells_of,
    data_tables,
    html_of,
    issue_codes,
    make_report,
    replace_table,
    rows_of,
    table_html,
)

T2, T3, T4 = 0, 1, 2
REP = make_report()
HTML = html_of(REP)
SIGNATURE = '<p style="text-align:right">某某市某某区人民政府</p>'


def extract(html: str) -> dict:
    return extract_bytes(html.encode("utf-8"), "variant.html")


def _info(out: dict, code: str) -> bool:
    return any(i["code"] == code and i["severity"] == "info" for i in out["issues"])


# ====================================================================== comparison columns and rows


def _t2_extra_column(block: str, head: str, value: str) -> str:
    out, inside = [], False
    for row in rows_of(HTML, T2):
        if "第二十条" in row:
            inside = block in row
            out.append(row.replace('colspan="4"', 'colspan="5"'))
        elif "信息内容" in row:
            out.append(row.replace("</tr>", f"<td>{head if inside else ''}</td></tr>"))
        else:
            out.append(row.replace("</tr>", f"<td>{value if inside else ''}</td></tr>"))
    return replace_table(HTML, T2, table_html(out))


@pytest.mark.parametrize("block,head,value", [
    ("（五）", "上年处理决定数量", "500"),
    ("（五）", "2022年", "500"),
    ("（五）", "同比增减", "+20"),
    ("（一）", "上年现行有效件数", "21"),
    ("（八）", "上年收费金额", "4"),
])
def test_t2_comparison_column_is_left_out(block, head, value):
    # Before: the block's header fitted no version → missing_table, status failed.
    out = extract(_t2_extra_column(block, head, value))
    assert_exact(out, REP)
    assert _info(out, "extra_column")


def test_t2_previous_year_column_printed_first():
    out_rows, inside = [], False
    for row in rows_of(HTML, T2):
        if "第二十条" in row:
            inside = "（五）" in row
            out_rows.append(row)
        elif inside and "信息内容" in row:
            out_rows.append('<tr><td>信息内容</td><td>上年处理决定数量</td><td colspan="2">本年处理决定数量</td></tr>')
        elif inside and "行政许可" in row:
            out_rows.append('<tr><td>行政许可</td><td>600</td><td colspan="2">663</td></tr>')
        else:
            out_rows.append(row)
    assert_exact(extract(replace_table(HTML, T2, table_html(out_rows))), REP)


def test_t2_row_labelled_previous_year_is_left_out():
    # Before: "行政规范性文件（2022年）" matched the row and the official row became a duplicate (failed).
    html = HTML.replace("<tr><td>行政规范性文件</td>",
                        "<tr><td>行政规范性文件（2022年）</td><td>5</td><td>1</td><td>21</td></tr><tr><td>行政规范性文件</td>", 1)
    out = extract(html)
    assert_exact(out, REP)
    assert _info(out, "extra_row")


def _t4_with_year_rows(this_label: str, prev_label: str, prev_first: bool, this_blank: bool = False) -> str:
    rows = rows_of(HTML, T4)
    rows[0] = rows[0].replace("<tr>", '<tr><td rowspan="3">年度</td>', 1)
    this = ("<tr>" + "<td></td>" * 15 + "</tr>") if this_blank else rows[3]
    this = this.replace("<tr>", f"<tr><td>{this_label}</td>", 1)
    prev = f"<tr><td>{prev_label}</td>" + "<td>1</td>" * 4 + "<td>4</td>" + "<td>0</td>" * 10 + "</tr>"
    return replace_table(HTML, T4, table_html(rows[:3] + ([prev, this] if prev_first else [this, prev])))


@pytest.mark.parametrize("this_label,prev_label", [("本年", "上年"), ("2023年", "2022年")])
def test_t4_previous_year_row_printed_first(this_label, prev_label):
    # Before: the first row of numbers (last year's) was read, status warning with 15 wrong cells.
    out = extract(_t4_with_year_rows(this_label, prev_label, prev_first=True))
    assert_exact(out, REP)


def test_t4_blank_this_year_row_never_takes_last_years_numbers():
    # Before: WRONG-OK — the blank 本年 row was taken for a header and 上年's numbers came out with status ok.
    out = extract(_t4_with_year_rows("本年", "上年", prev_first=False, this_blank=True))
    cells = out["tables"]["t4_review_litigation"]["cells"]
    assert all(v is None for row in cells.values() for v in row.values()), cells
    assert out["status"] != "ok" and "blank_cell" in issue_codes(out)


def test_t3_sub_columns_this_year_and_last_year():
    # Before: "23" | "0" under 自然人 were joined to 230 and "confirmed" by the row total (30 | 0 → 300).
    out_rows = []
    for k, row in enumerate(rows_of(HTML, T3)):
        if k == 0:
            out_rows.append(row.replace('rowspan="3" colspan="3"', 'rowspan="4" colspan="3"')
                            .replace('colspan="7"', 'colspan="14"'))
        elif k == 1:
            out_rows.append(row.replace('<td rowspan="2">自然人</td>', '<td rowspan="2" colspan="2">自然人</td>')
                            .replace('colspan="5"', 'colspan="10"')
                            .replace('<td rowspan="2">总计</td>', '<td rowspan="2" colspan="2">总计</td>'))
        elif k == 2:
            out_rows.append(re.sub(r"<td>([^<]+)</td>", r'<td colspan="2">\1</td>', row))
            out_rows.append("<tr>" + "<td>本年</td><td>上年</td>" * 7 + "</tr>")
        else:
            out_rows.append(re.sub(r"<td>(\d+)</td>", r"<td>\1</td><td>0</td>", row))
    out = extract(replace_table(HTML, T3, table_html(out_rows)))
    assert_exact(out, REP)
    assert _info(out, "extra_column")


def test_t3_organisations_heji_column_is_not_the_total():
    # Before: the 合计 under 法人或其他组织 and the 总计 were joined as one broken number → failed.
    out_rows = []
    for k, row in enumerate(rows_of(HTML, T3)):
        if k == 0:
            out_rows.append(row.replace('colspan="7"', 'colspan="8"'))
        elif k == 1:
            out_rows.append(row.replace('colspan="5">法人', 'colspan="6">法人'))
        elif k == 2:
            out_rows.append(row.replace("</tr>", "<td>合计</td></tr>"))
        else:
            cells = cells_of(row)
            orgs = sum(int(re.sub(r"<[^>]+>", "", c)) for c in cells[-6:-1])
            out_rows.append(row[: row.rfind(cells[-1])] + f"<td>{orgs}</td>" + cells[-1] + "</tr>")
    out = extract(replace_table(HTML, T3, table_html(out_rows)))
    assert_exact(out, REP)


# ====================================================================== tables of their own


LANMU = table_html(["<tr><td>栏目</td><td>条数</td></tr>", "<tr><td>政策文件</td><td>30</td></tr>",
                    "<tr><td>行政许可</td><td>120</td></tr>", "<tr><td>行政处罚</td><td>40</td></tr>",
                    "<tr><td>行政事业性收费</td><td>2</td></tr>", "<tr><td>合计</td><td>192</td></tr>"])


@pytest.mark.parametrize("where", ["before", "after"])
def test_t2_table_by_website_column(where):
    # Before: 行政许可 120 of the 栏目 table was read as 表二 (duplicate_row, failed; before 表二 the value won).
    t2 = data_tables(HTML)[T2].group(0)
    html = HTML.replace(t2, LANMU + t2 if where == "before" else t2 + "<p>各栏目发布信息情况：</p>" + LANMU)
    assert_exact(extract(html), REP)


DEPT = table_html([
    "<tr><td>单位名称</td><td>本年新收申请数量</td><td>上年结转</td><td>予以公开</td><td>部分公开</td><td>不予公开</td>"
    "<td>无法提供</td><td>不予处理</td><td>其他处理</td><td>总计</td><td>结转下年</td></tr>",
    "<tr><td>区教育局</td><td>12</td><td>0</td><td>10</td><td>1</td><td>0</td><td>1</td><td>0</td><td>0</td><td>12</td><td>0</td></tr>",
    "<tr><td>区民政局</td><td>5</td><td>0</td><td>4</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>5</td><td>0</td></tr>"])
BY_AGENCY = table_html(["<tr><td>单位</td><td>自然人</td><td>法人或其他组织</td><td>总计</td></tr>",
                        "<tr><td>区教育局</td><td>8</td><td>2</td><td>10</td></tr>",
                        "<tr><td>区民政局</td><td>3</td><td>1</td><td>4</td></tr>"])


@pytest.mark.parametrize("table,where", [(DEPT, "after_t3"), (DEPT, "end"), (BY_AGENCY, "after_t3"),
                                         (BY_AGENCY, "before_t3")])
def test_summary_table_by_department_is_not_t3(table, where):
    # Before: warning (columns_by_position, unknown_row) or failed (unreadable_table) on an exact 表三.
    t3 = data_tables(HTML)[T3].group(0)
    if where == "end":
        html = HTML.replace(SIGNATURE, "<p>附件：各部门政府信息公开申请办理情况汇总表</p>" + table + SIGNATURE)
    else:
        html = HTML.replace(t3, t3 + table if where == "after_t3" else table + t3)
    out = extract(html)
    assert_exact(out, REP)
    assert _info(out, "extra_table")


# ====================================================================== reports on two years


@pytest.mark.parametrize("years", ["2022、2023年度", "2022—2023年", "2022年至2023年"])
def test_title_naming_two_years_is_flagged(years):
    # Before: "2022、2023年度" came out ok, filed under 2023.
    title = "某某市某某区人民政府2023年政府信息公开工作年度报告"
    html = HTML.replace(title, title.replace("2023年", years)).replace(
        "本报告统计期限自2023年1月1日起至2023年12月31日止。", "")
    out = extract(html)
    assert out["status"] != "ok" and "multi_year" in issue_codes(out)
