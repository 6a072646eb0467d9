"""``spec/annual-report-format.md`` §8, the deviations seen in real reports, that no other variant test states.

Each case prints known values with the deviation (on the demo renderer's page) and requires every cell exact —
or, where the printed document does not say, the precise refusal. The other §8 forms live in the subject files
(test_layout_variants, test_edge_cases, test_cell_notes, test_word_grid, test_traditional_script).
"""

from __future__ import annotations

from decimal import Decimal

from tests.extract.variant_html import assert_exact, html_of, make_report, rows_of, replace_table, table_html
from transform.runner import extract_bytes


def extract(html: str) -> dict:
    return extract_bytes(html.encode("utf-8"), "deviation.html")


def test_hubei_guidance_appended_to_every_label():
    # 武汉市生态环境局 2020 (Hubei provincial template), §8.3.
    rep = make_report("gov2019", 2020)
    html = html_of(rep)
    for label, hint in (("上一年项目数量", "(指2019年事项数)"), ("本年增/减", "(指2020年增加或减少的事项数,减用负值表示,如-8)"),
                        ("处理决定数量", "(指2020年办件量)")):
        assert f">{label}<" in html
        html = html.replace(f">{label}<", f">{label}{hint}<")
    html = html.replace(">规章<", ">规章(设区的市、自治州人民政府应提供相关数据)<", 1)
    assert_exact(extract(html), rep)


def test_extra_non_official_row_in_the_first_block_is_left_out():
    # 武汉 2020: 其他主动公开文件(…) under 第二十条第（一）项.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, 0)
    k = next(i for i, r in enumerate(rows) if ">行政规范性文件<" in r)
    rows.insert(k + 1, "<tr><td>其他主动公开文件(含通知公告)</td><td>37</td><td>0</td><td>37</td></tr>")
    out = extract(replace_table(html, 0, table_html(rows)))
    assert_exact(out, rep)
    assert any(i["code"] == "extra_row" and i["severity"] == "info" for i in out["issues"])


def test_line_breaks_inside_labels():
    # 上海 2019: 本年新<br />制作数量; 雄县某乡 2019: （三）<br>不予公开.
    rep = make_report("gov2019", 2020)
    html = html_of(rep).replace(">本年新制作数量<", ">本年新<br />制作数量<").replace(">本年新公开数量<", ">本年新<br />公开数量<")
    html = html.replace(">（三）不予公开<", ">（三）<br>不予公开<")
    assert_exact(extract(html), rep)


def test_text_between_heading_and_table_and_a_heading_typo():
    # 新疆某镇 2023: 该部分以表格形式报告。表格如下: ; 平潭 2022: 四、政府信息公开行政法复议、行政诉讼情况.
    rep = make_report()
    html = html_of(rep)
    html = html.replace("<p><strong>三、收到和处理政府信息公开申请情况</strong></p>",
                        "<p><strong>三、收到和处理政府信息公开申请情况</strong></p><p>该部分以表格形式报告。表格如下:</p>")
    html = html.replace("四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政法复议、行政诉讼情况")
    assert "行政法复议" in html and "表格如下" in html
    assert_exact(extract(html), rep)


def test_many_decimals_in_the_fee_column():
    # 平潭 2021: 24252.311082 万元 in 第二十条第（八）项.
    rep = make_report()
    rep["tables"]["t2_art20_8"]["cells"]["admin_fees"]["fee_amount"] = Decimal("24252.311082")
    out = extract(html_of(rep))
    assert_exact(out, rep)
    assert out["tables"]["t2_art20_8"]["cells"]["admin_fees"]["fee_amount"] == 24252.311082
