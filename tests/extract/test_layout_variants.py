"""Real-world layout variants of the three statistics tables: each comes out cell-exact, or flagged.

Every test takes known values (``demo.values.generate_report``), prints them with the demo renderer,
rewrites the markup into a layout seen (or plausible) on real agency pages — ``spec/annual-report-format.md``
§8 — and checks ``extract_bytes`` against the values. A wrong number with status ``ok`` is the failure
these tests exist to catch; a variant the extractor cannot read must come back ``warning``/``failed`` with
the reason in ``issues``.
"""

from __future__ import annotations

import io
import re
from copy import deepcopy

import docx
import pytest

from demo.render import render_report
from transform.runner import extract_bytes
from tests.extract.variant_html import (
    AGENCY,
    assert_exact,
    cell_diffs,
    cells_of,
    data_tables,
    explain,
    html_of,
    issue_codes,
    make_report,
    replace_table,
    row_index,
    rows_of,
    serious_issues,
    set_value,
    table_html,
    traditional,
    word_markup,
)

T2, T3, T4 = 0, 1, 2  # order of the statistics tables on the rendered page


def extract(html: str, name: str = "variant.html", encoding: str = "utf-8") -> dict:
    return extract_bytes(html.encode(encoding), name)


def _t2_blocks(html: str) -> list[list[str]]:
    """The rows of 表二 cut at each caption row (第二十条第（X）项)."""
    blocks: list[list[str]] = []
    for row in rows_of(html, T2):
        if "第二十条" in row:
            blocks.append([])
        blocks[-1].append(row)
    return blocks


# ====================================================================== 1. 表二 as separate tables


@pytest.mark.parametrize("version,year", [("gov2021", 2023), ("gov2019", 2020)])
def test_t2_one_table_per_block_with_caption_rows(version, year):
    rep = make_report(version, year)
    html = html_of(rep)
    tables = "\n".join(table_html(b) for b in _t2_blocks(html))
    assert_exact(extract(replace_table(html, T2, tables)), rep)


@pytest.mark.parametrize("version,year", [("gov2021", 2023), ("gov2019", 2020)])
def test_t2_one_table_per_block_without_header_rows(version, year):
    rep = make_report(version, year)
    html = html_of(rep)
    blocks = [[r for r in b if "信息内容" not in r] for b in _t2_blocks(html)]
    out = extract(replace_table(html, T2, "\n".join(table_html(b) for b in blocks)))
    assert_exact(out, rep)


def test_t2_extra_title_row_inside_the_table():
    # 东湖街道 2023: the table starts with a row 主动公开政府信息情况 spanning the grid.
    rep = make_report()
    html = html_of(rep)
    rows = ['<tr><td colspan="4">主动公开政府信息情况</td></tr>', *rows_of(html, T2)]
    assert_exact(extract(replace_table(html, T2, table_html(rows))), rep)


# ====================================================================== 2. 表三 header and label variants


def _t3(html: str, rows: list[str]) -> str:
    return replace_table(html, T3, table_html(rows))


def test_t3_two_label_columns_without_results_column():
    # The merged 三、本年度办理结果 column is dropped: groups in column A, sub-items in column B.
    rep = make_report()
    html = html_of(rep)
    rows = []
    for row in rows_of(html, T3):
        row = re.sub(r'<td rowspan="\d+">三、本年度办理结果</td>', "", row)
        row = row.replace('rowspan="3" colspan="3">（本列', 'rowspan="3" colspan="2">（本列')
        row = row.replace('<td colspan="3">', '<td colspan="2">')
        rows.append(row)
    assert_exact(extract(_t3(html, rows)), rep)


def test_t3_two_label_columns_with_results_as_its_own_row():
    # As above, but 三、本年度办理结果 printed as a row of its own with empty value cells.
    rep = make_report()
    html = html_of(rep)
    rows = []
    for row in rows_of(html, T3):
        if "三、本年度办理结果" in row:
            rows.append('<tr><td colspan="2">三、本年度办理结果</td>' + "<td></td>" * 7 + "</tr>")
            row = re.sub(r'<td rowspan="\d+">三、本年度办理结果</td>', "", row)
        row = row.replace('rowspan="3" colspan="3">（本列', 'rowspan="3" colspan="2">（本列')
        row = row.replace('<td colspan="3">', '<td colspan="2">')
        rows.append(row)
    assert_exact(extract(_t3(html, rows)), rep)


def test_t3_note_cell_empty():
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    rows[0] = re.sub(r"（本列数据的勾稽关系.*?）</td>", "&nbsp;</td>", rows[0])
    assert_exact(extract(_t3(html, rows)), rep)


def test_t3_without_applicant_row():
    # No 申请人情况 row: the note cell spans two header rows.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    note = re.search(r"<td[^>]*>（本列.*?</td>", rows[0]).group(0).replace('rowspan="3"', 'rowspan="2"')
    rows = [rows[1].replace("<tr>", "<tr>" + note, 1), *rows[2:]]
    assert_exact(extract(_t3(html, rows)), rep)


def test_t3_th_header_cells():
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    rows[:3] = [r.replace("<td", "<th").replace("</td>", "</th>") for r in rows[:3]]
    rows[0] = rows[0].replace("<tr>", "<thead><tr>", 1)
    rows[2] = rows[2] + "</thead>"
    assert_exact(extract(_t3(html, rows)), rep)


def test_t3_organisation_columns_on_the_same_row_as_natural_person():
    # Two header rows: 申请人情况 over a flat row 自然人 · 商业企业 … 其他 · 总计 (no 法人或其他组织 cell).
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    flat = "".join(f"<td>{w}</td>" for w in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"))
    rows = [rows[0].replace('rowspan="3"', 'rowspan="2"'), f"<tr>{flat}</tr>", *rows[3:]]
    assert_exact(extract(_t3(html, rows)), rep)


def test_t3_organisation_label_prefixed_to_each_column():
    # One header row, the parent written into every child: 法人或其他组织-商业企业 …
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    heads = ["自然人", *(f"法人或其他组织<br/>{w}" for w in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")),
             "总计"]
    head = '<tr><td colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>' + "".join(
        f"<td>{h}</td>" for h in heads) + "</tr>"
    out = extract(_t3(html, [head, *rows[3:]]))
    # Read exactly; a warning that the columns were taken by position is acceptable, silence is not needed.
    assert_exact(out, rep, allowed=("columns_by_position",))


def test_t3_halfwidth_parentheses_and_spaces_inside_labels():
    # 雄县某乡 2019 / 太平镇 2022: "（三） 不予公开", "(三)" and "不予公开" on two lines.
    rep = make_report()
    html = html_of(rep)
    html = html.replace(">（三）不予公开<", ">（三） 不予公开<").replace(">（四）无法提供<", ">(四)<br/>无法提供<")
    html = html.replace(">（五）不予处理<", ">(五) 不予处理<").replace(">（一）予以公开<", ">( 一 ) 予以公开<")
    html = html.replace(">（六）其他处理<", ">(六)\n其他处理<").replace(">（七）总计<", ">(七)总 计<")
    html = html.replace(">2.没有现成信息需要另行制作<", ">2. 没有现成信息需要另行制作<")
    html = html.replace(">1.信访举报投诉类申请<", ">1．信访举报投诉类申请<")
    assert_exact(extract(html), rep)


# ====================================================================== 3. 表四 header variants


def test_t4_row_of_five_empty_cells_under_review_headers():
    # KIROGOVCOMPARE's fixture (§8.5): no rowspan; an extra row of 5 empty cells under the review headers.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T4)
    rows[1] = rows[1].replace(' rowspan="2"', "")
    rows[2] = rows[2].replace("<tr>", "<tr>" + "<td></td>" * 5, 1)
    assert_exact(extract(replace_table(html, T4, table_html(rows))), rep)


def test_t4_review_group_spans_two_rows():
    # 行政复议 rowspan=2 over its 5 sub-headers on the third row, 行政诉讼 split into its two groups.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T4)
    subs = "".join(f"<td>{w}</td>" for w in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
    head = [
        '<tr><td colspan="5" rowspan="2">行政复议</td><td colspan="10">行政诉讼</td></tr>',
        '<tr><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>',
        f"<tr>{subs * 3}</tr>",
    ]
    assert_exact(extract(replace_table(html, T4, table_html([*head, rows[-1]]))), rep)


def test_t4_leading_label_column_makes_sixteen_columns():
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T4)
    rows[0] = rows[0].replace("<tr>", '<tr><td rowspan="3">项目</td>', 1)
    rows[-1] = rows[-1].replace("<tr>", "<tr><td>数量</td>", 1)
    assert_exact(extract(replace_table(html, T4, table_html(rows))), rep)


def test_t4_data_row_followed_by_an_empty_row():
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T4) + ["<tr>" + "<td>&nbsp;</td>" * 15 + "</tr>"]
    assert_exact(extract(replace_table(html, T4, table_html(rows))), rep)


def test_t4_header_in_th_cells_and_thead():
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T4)
    head = [r.replace("<td", "<th").replace("</td>", "</th>") for r in rows[:3]]
    table = f'<table border="1"><thead>{"".join(head)}</thead><tbody>{rows[3]}</tbody></table>'
    assert_exact(extract(replace_table(html, T4, table)), rep)


# ====================================================================== 4. one big table, layout tables


def test_all_tables_stacked_in_one_table():
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T2) + rows_of(html, T3) + rows_of(html, T4)
    tables = data_tables(html)
    html = html[: tables[T2].start()] + table_html(rows) + html[tables[T4].end():]
    assert_exact(extract(html), rep)


def test_all_tables_stacked_with_section_headings_as_rows():
    rep = make_report()
    html = html_of(rep)
    heading = '<tr><td colspan="15">{}</td></tr>'
    rows = ([heading.format("二、主动公开政府信息情况")] + rows_of(html, T2)
            + [heading.format("三、收到和处理政府信息公开申请情况")] + rows_of(html, T3)
            + [heading.format("四、政府信息公开行政复议、行政诉讼情况")] + rows_of(html, T4))
    tables = data_tables(html)
    html = html[: tables[T2].start()] + table_html(rows) + html[tables[T4].end():]
    assert_exact(extract(html), rep)


def test_article_inside_layout_tables_with_index_table_above():
    rep = make_report()
    html = html_of(rep)
    start, end = html.index('<div class="xxgk_meta">'), html.index('<div class="footer">')
    inner = html[start:end]
    html = (html[:start] + '<table width="1000" align="center"><tr><td><table width="100%"><tr><td>'
            + inner + "</td></tr></table></td></tr><tr><td>相关链接</td></tr></table>" + html[end:])
    assert_exact(extract(html), rep)


# ====================================================================== 5. MS-Word HTML, blanks, encodings


@pytest.mark.parametrize("version,year,blanks", [("gov2021", 2023, False), ("gov2019", 2020, True)])
def test_word_export_markup(version, year, blanks):
    rep = make_report(version, year, blanks=blanks)
    html = word_markup(html_of(rep))
    html = html.replace("<html", '<html xmlns:o="urn:schemas-microsoft-com:office:office"', 1)
    assert "<o:p>" in html and "MsoNormal" in html
    assert_exact(extract(html), rep, allowed=("blank_cell",) if blanks else ())


def test_numbers_with_br_before_or_after():
    rep = make_report()
    html = html_of(rep)
    t3 = rep["tables"]["t3_requests"]["cells"]
    html = set_value(html, T3, "（一）予以公开", 0, f"{t3['granted']['natural_person']}<br/>")
    html = set_value(html, T3, "（一）予以公开", 6, f"<br>{t3['granted']['total']}")
    html = set_value(html, T3, "四、结转下年度继续办理", 6, f"<p>{t3['carried_forward']['total']}</p><p></p>")
    assert_exact(extract(html), rep)


def test_gb2312_declared_page_with_gbk_only_characters():
    # 镕/堃 are GBK but not GB2312: a strict gb2312 decoder fails on the page.
    rep = make_report(agency="某某市镕堃区人民政府")
    html = html_of(rep).replace('charset="utf-8"', 'charset="gb2312"').replace("charset=utf-8", "charset=gb2312")
    data = html.encode("gbk")
    try:
        data.decode("gb2312")
        raise AssertionError("fixture must contain GBK-only characters")
    except UnicodeDecodeError:
        pass
    assert_exact(extract_bytes(data, "gbk.html"), rep)


def test_utf8_bom_and_no_charset_declaration():
    rep = make_report()
    html = re.sub(r'<meta[^>]*charset[^>]*>', "", html_of(rep))
    assert_exact(extract_bytes(b"\xef\xbb\xbf" + html.encode("utf-8"), "bom.html"), rep)


def test_utf8_page_declared_gb2312():
    # A CMS migrated to UTF-8 but kept its old template's <meta charset="gb2312">.
    rep = make_report()
    html = html_of(rep).replace('charset="utf-8"', 'charset="gb2312"').replace("charset=utf-8", "charset=gb2312")
    assert_exact(extract_bytes(html.encode("utf-8"), "misdeclared.html"), rep)


# ====================================================================== 6. cell values


def _t3_cell(rep: dict, row: str, col: str):
    return rep["tables"]["t3_requests"]["cells"][row][col]


_COLS = ("natural_person", "commercial_enterprise", "research_institution", "public_interest_org",
         "legal_service_org", "other_org", "total")


def test_fullwidth_digits_are_read():
    rep = make_report()
    html = html_of(rep)
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    for n, col in enumerate(_COLS):
        html = set_value(html, T3, "（一）予以公开", n, str(_t3_cell(rep, "granted", col)).translate(full))
    assert_exact(extract(html), rep)


def test_trailing_nbsp_and_spaces_around_numbers():
    rep = make_report()
    html = html_of(rep)
    html = set_value(html, T3, "（一）予以公开", 0, f"{_t3_cell(rep, 'granted', 'natural_person')}&nbsp;")
    html = set_value(html, T3, "（一）予以公开", 6, f"&nbsp; {_t3_cell(rep, 'granted', 'total')} &nbsp;")
    html = set_value(html, T3, "四、结转下年度继续办理", 6, f"\u3000{_t3_cell(rep, 'carried_forward', 'total')}")
    assert_exact(extract(html), rep)


def test_thousands_separator_is_read():
    rep = make_report(scale=3000, agency="某某市人民政府")
    html = html_of(rep, ("thousands",))
    assert re.search(r">\d{1,3},\d{3}<", html)
    assert_exact(extract(html), rep)


@pytest.mark.parametrize("token", ["—", "——", "无", "－"])
def test_placeholder_tokens_are_null_with_an_issue(token):
    rep = make_report()
    html = set_value(html_of(rep), T3, "1.属于国家秘密", 0, token)
    out = extract(html)
    assert out["tables"]["t3_requests"]["cells"]["denied_state_secret"]["natural_person"] is None
    blank = [i for i in out["issues"] if i["code"] == "blank_cell" and i.get("row") == "denied_state_secret"]
    assert blank and blank[0]["raw"] == token
    assert out["status"] == "warning"


@pytest.mark.parametrize("raw", ["{v}*", "{v}（注）", "约{v}", "{v}[1]"])
def test_footnote_marker_on_a_number_is_flagged(raw):
    rep = make_report()
    value = _t3_cell(rep, "granted", "total")
    out = extract(set_value(html_of(rep), T3, "（一）予以公开", 6, raw.format(v=value)))
    got = out["tables"]["t3_requests"]["cells"]["granted"]["total"]
    assert out["status"] != "ok", explain(out, [f"granted.total read as {got!r}"])
    assert got is None or any(i.get("row") == "granted" and i.get("col") == "total" for i in out["issues"]
                              if i["severity"] in ("warning", "error")), explain(out, [f"read {got!r} silently"])


def test_negative_count_is_flagged():
    rep = make_report()
    out = extract(set_value(html_of(rep), T3, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 0, "-3"))
    assert out["status"] != "ok"
    got = out["tables"]["t3_requests"]["cells"]["partially_granted"]["natural_person"]
    flagged = [i for i in out["issues"] if i.get("row") == "partially_granted" and i["severity"] == "error"]
    assert got is None and flagged, explain(out, [f"partially_granted.natural_person={got!r}"])


def test_negative_review_count_is_flagged():
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T4)
    cells = cells_of(rows[-1])
    rows[-1] = "<tr>" + "".join(cells[:2]) + "<td>-1</td>" + "".join(cells[3:]) + "</tr>"
    out = extract(replace_table(html, T4, table_html(rows)))
    assert out["status"] != "ok" and out["tables"]["t4_review_litigation"]["cells"]["review"]["other"] is None


def test_decimal_in_a_count_column_is_flagged():
    rep = make_report()
    out = extract(set_value(html_of(rep), T3, "（一）予以公开", 0, "12.5"))
    assert out["status"] != "ok"
    assert out["tables"]["t3_requests"]["cells"]["granted"]["natural_person"] is None


# ====================================================================== 7. metadata


def _strip_titles(html: str) -> str:
    """Remove every place the renderer prints the title: meta ArticleTitle, <title>, <h1>, 名称 row."""
    html = re.sub(r'<meta name="ArticleTitle"[^>]*>\n?', "", html)
    html = re.sub(r"<title>.*?</title>", "<title></title>", html)
    html = re.sub(r'<h1 class="title">.*?</h1>', "", html)
    return re.sub(r"<tr><td>名称：</td>.*?</tr>", "", html)


def test_title_only_in_title_tag_with_site_suffix():
    rep = make_report()
    html = _strip_titles(html_of(rep)).replace(
        "<title></title>", f"<title>{AGENCY}2023年政府信息公开工作年度报告_某某区人民政府网</title>")
    out = extract(html)
    assert_exact(out, rep)
    assert out["report"]["title"] == f"{AGENCY}2023年政府信息公开工作年度报告"


def test_title_only_in_h1_with_generic_page_title():
    rep = make_report()
    html = _strip_titles(html_of(rep)).replace("<title></title>", "<title>某某区人民政府网</title>")
    html = html.replace('<div class="article">', f'<div class="article"><h1>{AGENCY}2023年政府信息公开工作年度报告</h1>')
    out = extract(html)
    assert_exact(out, rep)
    assert out["report"]["title"] == f"{AGENCY}2023年政府信息公开工作年度报告"


def test_title_in_h1_split_over_two_lines():
    rep = make_report()
    html = _strip_titles(html_of(rep)).replace("<title></title>", "<title>某某区人民政府网</title>")
    html = html.replace('<div class="article">',
                        f'<div class="article"><h1>{AGENCY}<br/>2023年政府信息公开工作年度报告</h1>')
    assert_exact(extract(html), rep)


def test_year_only_in_the_statistics_period_sentence():
    rep = make_report()
    html = html_of(rep).replace(f"{AGENCY}2023年政府信息公开工作年度报告", f"{AGENCY}政府信息公开工作年度报告")
    html = re.sub(r"<p>2023年，", "<p>本年度，", html)
    assert "统计期限自2023年1月1日起" in html and "2023年政府信息公开" not in html
    out = extract(html)
    assert_exact(out, rep)


def test_agency_only_in_the_index_table():
    rep = make_report()
    html = html_of(rep)
    html = html.replace(f"{AGENCY}2023年政府信息公开工作年度报告", "2023年政府信息公开工作年度报告")
    html = html.replace(f"<td>{AGENCY}办公室</td>", f"<td>{AGENCY}</td>")
    html = re.sub(r'<meta name="(SiteName|ContentSource)"[^>]*>\n?', "", html)
    body_start = html.index('<div class="info">')
    body_end = html.index('<div class="footer">')
    body = html[body_start:body_end].replace(f"{AGENCY}办公室", "本机关").replace(AGENCY, "本机关")
    html = html[:body_start] + body + html[body_end:].replace(AGENCY, "某某区")
    html = re.sub(r"_政府信息公开年报_[^<]*</title>", "</title>", html)
    assert html.count(AGENCY) == 1
    assert_exact(extract(html), rep)


# ====================================================================== 8. DOCX: a table split in two Word tables


def _docx_split_t3(rep: dict, repeat_header: bool) -> bytes:
    """Render DOCX, then cut 表三 into two Word tables before （四）无法提供, as a page break in Word does
    when the author splits the table (Ctrl+Shift+Enter) — optionally copying the 3 header rows on top."""
    word = docx.Document(io.BytesIO(render_report(rep, "docx")))
    t3 = next(t for t in word.tables if "本列数据" in t.rows[0].cells[0].text)
    tbl = t3._tbl
    trs = tbl.tr_lst
    cut = next(k for k, tr in enumerate(trs) if "（四）无法提供" in "".join(tr.itertext()))
    second = deepcopy(tbl)
    for tr in second.tr_lst[:cut]:
        second.remove(tr)
    for tr in trs[cut:]:
        tbl.remove(tr)
    if repeat_header:
        first_data = second.tr_lst[0]
        for tr in trs[:3]:
            first_data.addprevious(deepcopy(tr))
    # The merged 三、本年度办理结果 cell is split with the table: its lower part restarts, empty.
    first = second.tr_lst[3 if repeat_header else 0]
    vmerge = first.tc_lst[0].tcPr.find(docx.oxml.ns.qn("w:vMerge"))
    vmerge.set(docx.oxml.ns.qn("w:val"), "restart")
    gap = deepcopy(word.paragraphs[-1]._p)  # an empty paragraph between the two tables, as Word keeps one
    for r in gap.findall(docx.oxml.ns.qn("w:r")):
        gap.remove(r)
    tbl.addnext(gap)
    gap.addnext(second)
    buf = io.BytesIO()
    word.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("repeat_header", [True, False], ids=["header-repeated", "no-header"])
def test_docx_t3_split_into_two_word_tables(repeat_header):
    rep = make_report()
    out = extract_bytes(_docx_split_t3(rep, repeat_header), "split.docx")
    assert_exact(out, rep)


def test_docx_t2_blocks_as_separate_word_tables():
    rep = make_report()
    word = docx.Document(io.BytesIO(render_report(rep, "docx")))
    t2 = next(t for t in word.tables if "第二十条" in t.rows[0].cells[0].text)
    tbl = t2._tbl
    anchor = tbl
    block = None
    for tr in list(tbl.tr_lst):
        if "第二十条" in "".join(tr.itertext()) and tr is not tbl.tr_lst[0]:
            block = deepcopy(tbl)
            for old in list(block.tr_lst):
                block.remove(old)
            gap = deepcopy(word.paragraphs[-1]._p)
            anchor.addnext(gap)
            gap.addnext(block)
            anchor = block
        if block is not None:
            tbl.remove(tr)
            block.append(tr)
    buf = io.BytesIO()
    word.save(buf)
    assert len(docx.Document(io.BytesIO(buf.getvalue())).tables) == 6
    assert_exact(extract_bytes(buf.getvalue(), "t2-split.docx"), rep)


# ====================================================================== 9. more structure seen in Word-made pages


def test_word_dummy_width_row_at_the_end_of_every_table():
    # Word's HTML export ends a table with misaligned columns by a zero-height row of empty width cells,
    # wrapped in a downlevel-revealed conditional comment.
    rep = make_report()
    html = html_of(rep)
    for i, width in ((T4, 15), (T3, 10), (T2, 4)):
        dummy = ("<![if !supportMisalignedColumns]><tr height=0>"
                 + "<td width=40 style='border:none'></td>" * width + "</tr><![endif]>")
        html = replace_table(html, i, table_html(rows_of(html, i) + [dummy]))
    assert_exact(extract(html), rep)


def test_t3_header_in_its_own_table_above_the_data_table():
    # Pages converted from PDF/Word sometimes cut the header rows into a table of their own.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    assert_exact(extract(replace_table(html, T3, table_html(rows[:3]) + table_html(rows[3:]))), rep)


def test_t3_split_into_two_html_tables_inside_a_group():
    # A Word page break exported as two tables; the second part restarts the merged cells it cuts
    # (三、本年度办理结果 and （三）不予公开 printed again, as 平潭 does).
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    cut = row_index(rows, ">5.属于三类内部事务信息<")
    under_results = row_index(rows, ">（七）总计<") + 1 - cut
    second = [rows[cut].replace("<tr>", f'<tr><td rowspan="{under_results}">三、本年度办理结果</td>'
                                '<td rowspan="4">（三）不予公开</td>', 1), *rows[cut + 1:]]
    brk = '<br clear=all style="page-break-before:always">'
    assert_exact(extract(replace_table(html, T3, table_html(rows[:cut]) + brk + table_html(second))), rep)


def test_t3_split_into_two_html_tables_with_empty_restarted_cells():
    # Word splits the merged cells with the table: the lower parts restart empty.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    cut = row_index(rows, ">5.属于三类内部事务信息<")
    under_results = row_index(rows, ">（七）总计<") + 1 - cut
    second = [rows[cut].replace("<tr>", f'<tr><td rowspan="{under_results}"></td><td rowspan="4"></td>', 1),
              *rows[cut + 1:]]
    assert_exact(extract(replace_table(html, T3, table_html(rows[:cut]) + "<p></p>" + table_html(second))), rep)


def test_t3_split_into_two_html_tables_without_the_cut_label_cells():
    # The second part lacks the cells of the merged labels it continues (a ragged grid, as from a PDF
    # converter): the rows of （三） have 8 cells, those of （四） 9, the last row 10.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    cut = row_index(rows, ">5.属于三类内部事务信息<")
    out = extract(replace_table(html, T3, table_html(rows[:cut]) + "<p></p>" + table_html(rows[cut:])))
    diffs = cell_diffs(rep["tables"], out["tables"])
    # Exact, or flagged: a shifted column under status ok is the one unacceptable outcome.
    assert not diffs or out["status"] == "failed", explain(out, diffs, serious_issues(out))


def test_t3_group_rows_printed_with_subtotals():
    # Some agencies print the subtotal of （三）不予公开 etc. on the group's own row before the sub-items.
    rep = make_report()
    html = html_of(rep)
    cells = rep["tables"]["t3_requests"]["cells"]
    groups = {"（三）不予公开": "denied_", "（四）无法提供": "unable_", "（五）不予处理": "not_processed_",
              "（六）其他处理": "other_"}
    rows = rows_of(html, T3)
    out_rows = []
    for row in rows:
        row = re.sub(r'rowspan="(\d+)">三、本年度办理结果', lambda m: f'rowspan="{int(m.group(1)) + 4}">三、本年度办理结果',
                     row)
        m = re.match(r'<tr><td rowspan="(\d+)">(（.）\S{4})</td>(.*)', row, re.S)
        if m and m.group(2) in groups:
            prefix = groups[m.group(2)]
            subs = [r for r in cells if r.startswith(prefix) and r not in ("other_processing",)]
            totals = [sum(cells[r][c] for r in subs) for c in _COLS]
            out_rows.append(f'<tr><td rowspan="{int(m.group(1)) + 1}">{m.group(2)}</td><td>小计</td>'
                            + "".join(f"<td>{v}</td>" for v in totals) + "</tr>")
            out_rows.append("<tr>" + m.group(3))
        else:
            out_rows.append(row)
    html = replace_table(html, T3, table_html(out_rows))
    assert html.count(">小计<") == 4
    out = extract(html)
    diffs = cell_diffs(rep["tables"], out["tables"])
    assert not diffs and out["status"] in ("ok", "warning"), explain(out, diffs, serious_issues(out))


def test_t4_as_three_rows_of_five():
    # A redrawn 表四: one row per group (行政复议 / 未经复议直接起诉 / 复议后起诉), five result columns.
    rep = make_report()
    html = html_of(rep)
    t4 = rep["tables"]["t4_review_litigation"]["cells"]
    cols = ("maintained", "corrected", "other", "pending", "total")
    head = "<tr><td colspan=\"2\">类别</td>" + "".join(
        f"<td>{w}</td>" for w in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")) + "</tr>"
    body = ['<tr><td colspan="2">行政复议</td>' + "".join(f"<td>{t4['review'][c]}</td>" for c in cols) + "</tr>",
            '<tr><td rowspan="2">行政诉讼</td><td>未经复议直接起诉</td>'
            + "".join(f"<td>{t4['litigation_direct'][c]}</td>" for c in cols) + "</tr>",
            "<tr><td>复议后起诉</td>" + "".join(f"<td>{t4['litigation_after_review'][c]}</td>" for c in cols) + "</tr>"]
    out = extract(replace_table(html, T4, table_html([head, *body])))
    diffs = cell_diffs(rep["tables"], out["tables"], only=("t4_review_litigation",))
    # Not a template layout: reading it is a bonus, but it must never come out wrong and unflagged.
    assert not diffs or out["status"] == "failed", explain(out, diffs, serious_issues(out))
    if diffs:
        assert "missing_table" in issue_codes(out) or "missing_row" in issue_codes(out)


# ====================================================================== 10. label spellings


def test_t2_label_variants_seen_in_real_reports():
    # 东湖街道 2023: 本年(2023)制发件数 and 规范性文件 in a gov2021 table; 长春 2023: 第二十条  第(五)项, 項.
    rep = make_report()
    html = html_of(rep)
    html = html.replace(">本年制发件数<", ">本年(2023)制发件数<").replace(">本年废止件数<", ">本年（2023）废止件数<")
    html = html.replace(">行政规范性文件<", ">规范性文件<").replace(">第二十条第（五）项<", ">第二十条  第(五)项<")
    html = html.replace(">第二十条第（六）项<", ">第二十条 第(六)項<")
    assert_exact(extract(html), rep)


@pytest.mark.parametrize("style", ["{n}、", "{n}．", "{n}. "])
def test_t3_sub_items_numbered_in_another_style(style):
    # "1.属于国家秘密" written "1、属于国家秘密" / "（1）属于国家秘密" / "1．…" — incl. 2.重复申请 and 3.其他.
    rep = make_report()
    html = re.sub(r"<td>(\d)\.(\S+?)</td>", lambda m: f"<td>{style.format(n=m.group(1))}{m.group(2)}</td>", html_of(rep))
    assert ">3.其他<" not in html
    assert_exact(extract(html), rep)


# ====================================================================== 11. editor debris and old markup


def test_uppercase_tags_without_closing_tags():
    # Pages from the early 2000s CMS templates: <TD> and <TR> never closed, attributes unquoted.
    rep = make_report()
    html = html_of(rep)
    for i in (T4, T3, T2):
        rows = rows_of(html, i)
        old = []
        for row in rows:
            row = re.sub(r'(rowspan|colspan)="(\d+)"', r"\1=\2", row)
            old.append(row.replace("<td", "<TD").replace("</td>", "").replace("<tr>", "<TR>").replace("</tr>", ""))
        html = replace_table(html, i, '<TABLE border=1 cellSpacing=0 width="100%">' + "".join(old) + "</TABLE>")
    assert "</td>" not in html.split("TRS_Editor")[1]
    assert_exact(extract(html), rep)


def test_t2_gov2019_colspan_on_the_other_cell_than_the_header():
    # 上海 2019: header 上一年项目数量 | 本年增/减 (colspan 2), data row 1 (colspan 2) | 1 — map by order.
    rep = make_report("gov2019", 2020)
    html = html_of(rep)
    rows = rows_of(html, T2)
    k = row_index(rows, ">行政事业性收费<")
    cells = cells_of(rows[k])
    wide, narrow = cells[1].replace("<td>", '<td colspan="2">'), cells[2].replace(' colspan="2"', "")
    rows[k] = f"<tr>{cells[0]}{wide}{narrow}</tr>"
    assert 'colspan="2">' in rows[k]
    assert_exact(extract(replace_table(html, T2, table_html(rows))), rep)


def test_t3_note_cell_holding_a_nested_table():
    # Some editors paste the note as a one-cell table inside the note cell: 表三 then contains a table.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    rows[0] = re.sub(r"（本列数据的勾稽关系.*?）", lambda m: f"<table><tr><td>{m.group(0)}</td></tr></table>", rows[0])
    out = extract(replace_table(html, T3, table_html(rows)))
    diffs = cell_diffs(rep["tables"], out["tables"])
    # Reading it is a bonus; it must never come out wrong and unflagged.
    assert not diffs or out["status"] == "failed", explain(out, diffs, serious_issues(out))


def test_docx_tracked_changes_read_as_the_final_text():
    # A number revised with track changes on: <w:del>12</w:del><w:ins>13</w:ins> prints 13.
    rep = make_report()
    value = rep["tables"]["t2_art20_1"]["cells"]["normative_docs"]["in_force"]
    word = docx.Document(io.BytesIO(render_report(rep, "docx")))
    qn = docx.oxml.ns.qn
    t2 = next(t for t in word.tables if "第二十条" in t.rows[0].cells[0].text)
    row = next(r for r in t2.rows if r.cells[0].text == "行政规范性文件")
    p = row.cells[3].paragraphs[0]._p
    run = p.find(qn("w:r"))
    deleted = docx.oxml.parse_xml(
        f'<w:del xmlns:w="{docx.oxml.ns.nsmap["w"]}" w:id="1" w:author="a" w:date="2024-01-20T00:00:00Z">'
        f"<w:r><w:delText>{value + 5}</w:delText></w:r></w:del>")
    inserted = docx.oxml.parse_xml(
        f'<w:ins xmlns:w="{docx.oxml.ns.nsmap["w"]}" w:id="2" w:author="a" w:date="2024-01-20T00:00:00Z"></w:ins>')
    run.addprevious(deleted)
    run.addprevious(inserted)
    inserted.append(run)
    buf = io.BytesIO()
    word.save(buf)
    assert_exact(extract_bytes(buf.getvalue(), "tracked.docx"), rep)


# ====================================================================== 12. PDF (Word/WPS export) variants


def _pdf_document(rep: dict, split_mode: str | None = None):
    """The demo's laid-out report (blocks + grids) before it is written as PDF, to be edited by a test."""
    from demo.render.document import build_document

    return build_document(rep, frozenset(), None, split_mode)


def _grid(doc, name: str):
    from demo.render.tables import Grid

    return next(b for b in doc.blocks if isinstance(b, Grid) and b.name == name)


def test_pdf_t3_header_rows_repeated_after_the_page_break():
    # Word's "repeat as header row": page 2 of 表三 starts with the 3 header rows again.
    from demo.render.pdf_file import render_pdf

    rep = make_report()
    doc = _pdf_document(rep, "flow")
    t3 = _grid(doc, "t3_requests")
    k = t3.break_before
    t3.rows = t3.rows[:k] + deepcopy(t3.rows[:3]) + t3.rows[k:]
    out = extract_bytes(render_pdf(doc, break_table=True), "repeated-header.pdf")
    assert_exact(out, rep)
    assert len({s["page"] for s in out["cells_source"] if s["table"] == "t3_requests"}) == 2


def test_pdf_t4_row_of_five_empty_cells_under_review_headers():
    from demo.render.pdf_file import render_pdf
    from demo.render.tables import GridCell

    rep = make_report()
    doc = _pdf_document(rep)
    t4 = _grid(doc, "t4_review_litigation")
    for cell in t4.rows[1]:
        cell.rowspan = 1
    t4.rows[2] = [GridCell("", kind="header") for _ in range(5)] + t4.rows[2]
    assert_exact(extract_bytes(render_pdf(doc), "t4-empty-row.pdf"), rep)


def test_pdf_tables_with_horizontal_rules_only_are_flagged(monkeypatch):
    # A "三线表"-style print without vertical rules: cell boundaries cannot be recovered from lines.
    # Reading it by text position would be a bonus; it must never come out wrong with status ok.
    import demo.render.pdf_file as pdf_file
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    ruled = pdf_file._table

    def horizontal_only(grid, start, stop, col_widths, styles):
        table = ruled(grid, start, stop, col_widths, styles)
        table._linecmds = [c for c in table._linecmds if c[0] != "GRID"]
        table.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, -1), 0.75, colors.black),
                                   ("LINEBELOW", (0, -1), (-1, -1), 0.75, colors.black)]))
        return table

    monkeypatch.setattr(pdf_file, "_table", horizontal_only)
    rep = make_report()
    out = extract_bytes(pdf_file.render_pdf(_pdf_document(rep)), "no-vertical-rules.pdf")
    diffs = cell_diffs(rep["tables"], out["tables"])
    assert not diffs or out["status"] == "failed", explain(out, diffs, serious_issues(out))


# ====================================================================== 表二 captions outside the table
# 第二十条 captions printed as paragraphs (or bold numbered paragraphs) above separate 表二 tables, in HTML and Word.


@pytest.mark.parametrize("version,year", [("gov2021", 2023), ("gov2019", 2020)])
def test_t2_captions_as_paragraphs_above_each_table(version, year):
    rep = make_report(version, year)
    html = html_of(rep)
    parts = []
    for block in _t2_blocks(html):
        caption = re.search(r"第二十条第（.）项", block[0]).group(0)
        parts.append(f"<p>{caption}</p>" + table_html(block[1:]))
    assert_exact(extract(replace_table(html, T2, "\n".join(parts))), rep)


def test_t2_captions_as_bold_paragraphs_with_item_prefix():
    # Some pages number the blocks: "（一）第二十条第（一）项" in a bold centred paragraph.
    rep = make_report()
    html = html_of(rep)
    parts = []
    for n, block in enumerate(_t2_blocks(html)):
        caption = re.search(r"第二十条第（.）项", block[0]).group(0)
        parts.append(f'<p style="text-align:center"><strong>（{"一二三四五"[n]}）{caption}</strong></p>'
                     + table_html(block[1:]))
    assert_exact(extract(replace_table(html, T2, "\n".join(parts))), rep)


def test_docx_t2_captions_as_paragraphs_above_separate_tables():
    # The Word original of test_t2_captions_as_paragraphs_above_each_table.
    rep = make_report()
    word = docx.Document(io.BytesIO(render_report(rep, "docx")))
    t2 = next(t for t in word.tables if "第二十条" in t.rows[0].cells[0].text)
    tbl = t2._tbl
    anchor = tbl
    blocks = []
    for tr in list(tbl.tr_lst):
        text = "".join(tr.itertext())
        if "第二十条" in text:
            block = deepcopy(tbl)
            for old in list(block.tr_lst):
                block.remove(old)
            blocks.append((text, block))
        tbl.remove(tr)
        if "第二十条" not in text:
            blocks[-1][1].append(tr)
    for caption, block in blocks:
        para = deepcopy(word.paragraphs[-1]._p)
        for r in para.findall(docx.oxml.ns.qn("w:r")):
            para.remove(r)
        anchor.addnext(para)
        docx.text.paragraph.Paragraph(para, word._body).add_run(caption)
        para.addnext(block)
        anchor = block
    tbl.getparent().remove(tbl)
    buf = io.BytesIO()
    word.save(buf)
    again = docx.Document(io.BytesIO(buf.getvalue()))
    assert len(again.tables) == 6 and sum("第二十条" in p.text for p in again.paragraphs) == 4
    assert_exact(extract_bytes(buf.getvalue(), "captions.docx"), rep)


def test_traditional_characters_in_every_label():
    # A mirror site converts the whole page (labels, headings, title) to 繁體.
    rep = make_report()
    html = html_of(rep)
    m = re.search(r"<body>.*</body>", html, re.S)
    html = html[: m.start()] + traditional(m.group(0)) + html[m.end():]
    out = extract(html)
    diffs = cell_diffs(rep["tables"], out["tables"])
    assert not diffs and out["status"] == "ok", explain(out, diffs, serious_issues(out))


def test_footnote_marker_on_a_t2_number_is_flagged():
    # 表二 has no sum rule to catch a misread: a marker that NFKC turns into a digit (① → 1) must not
    # silently become part of the number.
    rep = make_report()
    value = rep["tables"]["t2_art20_1"]["cells"]["normative_docs"]["in_force"]
    html = set_value(html_of(rep), T2, "行政规范性文件", 2, f"{value}①")
    out = extract(html)
    got = out["tables"].get("t2_art20_1", {}).get("cells", {}).get("normative_docs", {}).get("in_force")
    assert out["status"] != "ok" and got != int(f"{value}1"), explain(out, [f"in_force read as {got!r}"])


def test_superscript_note_on_a_number_is_not_read_into_it():
    # Word footnote reference as a superscript digit: 36<sup>1</sup> is 36 with note 1, never 361.
    rep = make_report()
    value = rep["tables"]["t2_art20_1"]["cells"]["normative_docs"]["in_force"]
    html = set_value(html_of(rep), T2, "行政规范性文件", 2, f"{value}<sup>1</sup>")
    out = extract(html)
    got = out["tables"].get("t2_art20_1", {}).get("cells", {}).get("normative_docs", {}).get("in_force")
    assert got in (value, None) and (got == value or out["status"] != "ok"), explain(
        out, [f"in_force read as {got!r}, printed {value}<sup>1</sup>"])


def test_fee_printed_in_yuan_under_a_wanyuan_header_is_flagged():
    # §9.3: gov2021 收费金额 is 万元 by its header; a cell in 元 must be converted or flagged, never kept as 万元.
    rep = make_report()
    fee = rep["tables"]["t2_art20_8"]["cells"]["admin_fees"]["fee_amount"]
    yuan = int(fee * 10000)
    out = extract(set_value(html_of(rep), T2, "行政事业性收费", 0, f"{yuan}元"))
    got = out["tables"]["t2_art20_8"]["cells"]["admin_fees"]["fee_amount"]
    assert got is None or abs(got - float(fee)) < 1e-9 or out["status"] != "ok", explain(out, [f"fee read as {got!r}"])
    assert got != yuan or out["status"] != "ok", explain(out, [f"fee {yuan}元 kept as {got} 万元 with status ok"])


def test_previous_years_in_a_sidebar_before_the_article():
    # Site chrome lists earlier reports ("往年年报") above the article; the title is only in the <h1>.
    rep = make_report()
    html = _strip_titles(html_of(rep)).replace("<title></title>", "<title>某某区人民政府网</title>")
    links = "".join(f'<li><a href="/{y}.html">{AGENCY}{y}年政府信息公开工作年度报告</a></li>' for y in (2022, 2021, 2020))
    html = html.replace('<div class="article">', f'<div class="side"><h3>往年年报</h3><ul>{links}</ul></div>'
                        f'<div class="article"><h1>{AGENCY}2023年政府信息公开工作年度报告</h1>')
    out = extract(html)
    assert out["report"]["year"] == 2023 or out["status"] != "ok", explain(out, [])
    assert_exact(out, rep)


def test_qita_written_as_其它():
    # 其它 is a common variant spelling of 其他: applicant column 其它, 3.其它 in （六）, 表四 其它结果.
    rep = make_report()
    html = html_of(rep).replace("<td>其他</td>", "<td>其它</td>").replace(">3.其他<", ">3.其它<")
    html = html.replace(">其他结果<", ">其它结果<")
    assert html.count("其它") >= 5
    assert_exact(extract(html), rep)


def test_circled_number_footnote_on_a_t3_number_is_flagged():
    # NFKC turns ① into 1: "14①" must not become 141 (here only the row total check notices).
    rep = make_report()
    value = _t3_cell(rep, "granted", "total")
    out = extract(set_value(html_of(rep), T3, "（一）予以公开", 6, f"{value}①"))
    got = out["tables"]["t3_requests"]["cells"]["granted"]["total"]
    flagged = [i for i in out["issues"] if i.get("row") == "granted" and i.get("col") == "total"
               and i["severity"] in ("warning", "error")]
    assert got in (value, None) and flagged, explain(out, [f"granted.total read as {got!r}, printed {value}①"])


def test_t3_sub_items_numbered_with_parentheses():
    # "（1）属于国家秘密" … "（2）重复申请", "（3）其他": the anchored patterns of 2.重复申请 and 3.其他 miss them.
    rep = make_report()
    html = re.sub(r"<td>(\d)\.(\S+?)</td>", lambda m: f"<td>（{m.group(1)}）{m.group(2)}</td>", html_of(rep))
    assert "<td>（3）其他</td>" in html
    assert_exact(extract(html), rep)


def test_docx_superscript_note_on_a_number_is_not_read_into_it():
    # Word: the note number is a run with vertAlign=superscript right after the value's run.
    rep = make_report()
    value = rep["tables"]["t2_art20_1"]["cells"]["normative_docs"]["in_force"]
    word = docx.Document(io.BytesIO(render_report(rep, "docx")))
    t2 = next(t for t in word.tables if "第二十条" in t.rows[0].cells[0].text)
    row = next(r for r in t2.rows if r.cells[0].text == "行政规范性文件")
    para = row.cells[3].paragraphs[0]
    assert para.text == str(value)
    para.add_run("1").font.superscript = True
    buf = io.BytesIO()
    word.save(buf)
    out = extract_bytes(buf.getvalue(), "sup.docx")
    got = out["tables"].get("t2_art20_1", {}).get("cells", {}).get("normative_docs", {}).get("in_force")
    assert got in (value, None) and (got == value or out["status"] != "ok"), explain(
        out, [f"in_force read as {got!r}, printed {value} with superscript 1"])


def test_zero_width_spaces_from_the_web_editor():
    # UEditor/WeChat copy-paste leaves U+200B / U+FEFF inside cells: around numbers and inside labels.
    rep = make_report()
    html = html_of(rep)
    html = re.sub(r"<td>(\d+)</td>", lambda m: f"<td>\u200b{m.group(1)}\ufeff</td>", html)
    html = html.replace("<td>其他</td>", "<td>其\u200b他</td>").replace("<td>自然人</td>", "<td>\ufeff自然人</td>")
    html = html.replace(">（一）予以公开<", ">（一）\u200b予以公开<").replace(">3.其他<", ">3.其他\u200b<")
    assert html.count("\u200b") > 100
    assert_exact(extract(html), rep)


def test_docx_values_inside_content_controls():
    # Form-like Word templates put each value in a content control (<w:sdt>) inside the cell.
    rep = make_report()
    word = docx.Document(io.BytesIO(render_report(rep, "docx")))
    qn = docx.oxml.ns.qn
    wrapped = 0
    for table in word.tables:
        for tc in table._tbl.iter(qn("w:tc")):
            for p in tc.findall(qn("w:p")):
                text = "".join(p.itertext())
                if text.isdigit():
                    sdt = docx.oxml.OxmlElement("w:sdt")
                    sdt.append(docx.oxml.OxmlElement("w:sdtPr"))
                    content = docx.oxml.OxmlElement("w:sdtContent")
                    sdt.append(content)
                    p.addprevious(sdt)
                    content.append(p)
                    wrapped += 1
    assert wrapped > 150
    buf = io.BytesIO()
    word.save(buf)
    assert_exact(extract_bytes(buf.getvalue(), "sdt.docx"), rep)


def test_pdf_t2_blocks_as_tables_with_caption_paragraphs():
    from demo.render.document import Block
    from demo.render.pdf_file import render_pdf
    from demo.render.tables import Grid

    rep = make_report()
    doc = _pdf_document(rep)
    t2 = _grid(doc, "t2")
    at = doc.blocks.index(t2)
    parts: list = []
    for row in t2.rows:
        if "第二十条" in row[0].text:
            parts += [Block("para", row[0].text), Grid("t2", t2.n_cols, [], t2.widths)]
        else:
            parts[-1].rows.append(row)
    doc.blocks[at:at + 1] = parts
    assert_exact(extract_bytes(render_pdf(doc), "t2-captions.pdf"), rep)


def test_t3_extra_subtotal_column_for_organisations():
    # A 小计 column after the five 法人或其他组织 columns (not in the template) must be ignored, not shift 总计.
    rep = make_report()
    html = html_of(rep)
    rows = rows_of(html, T3)
    rows[0] = rows[0].replace('colspan="7">申请人情况', 'colspan="8">申请人情况')
    rows[1] = rows[1].replace('colspan="5">法人或其他组织', 'colspan="6">法人或其他组织')
    rows[2] = rows[2].replace("<td>其他</td>", "<td>其他</td><td>小计</td>")
    out_rows = rows[:3]
    for row in rows[3:]:
        tds = cells_of(row)
        values = tds[-7:]
        nums = [int(re.sub(r"<[^>]+>", "", v)) for v in values[1:6]]
        out_rows.append(row.replace("".join(values), "".join(values[:6]) + f"<td>{sum(nums)}</td>" + values[6]))
    assert_exact(extract(replace_table(html, T3, table_html(out_rows))), rep)


def test_all_tables_in_one_grid_padded_to_fifteen_columns():
    # One Word table for all three: narrower rows end in an empty cell spanning the unused columns.
    rep = make_report()
    html = html_of(rep)

    def padded(rows: list[str], width: int) -> list[str]:
        out = []
        for row in rows:
            used = sum(int(m or 1) for m in re.findall(r'<td(?: rowspan="\d+")?(?: colspan="(\d+)")?[ >]', row))
            out.append(row.replace("</tr>", f'<td colspan="{15 - width}"></td></tr>') if used == width else row)
        return out

    t3 = rows_of(html, T3)
    t3 = [t3[0].replace("</tr>", '<td rowspan="3" colspan="5"></td></tr>'), *t3[1:3], *padded(t3[3:], 10)]
    rows = padded(rows_of(html, T2), 4) + t3 + rows_of(html, T4)
    tables = data_tables(html)
    html = html[: tables[T2].start()] + table_html(rows) + html[tables[T4].end():]
    assert html.count('colspan="11"></td>') >= 10
    assert_exact(extract(html), rep)
