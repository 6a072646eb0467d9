"""Extraction of awkward but realistic inputs: each comes out exact, or flagged with the reason."""

from __future__ import annotations

import re
import time

import pytest

from demo.render import render_report
from demo.values import generate_report
from transform import runner as api
from transform.runner import extract_bytes, extract_isolated

AGENCY = "某某市某某区统计局"


def report(version: str = "gov2021", year: int = 2023, **kw) -> dict:
    return generate_report(AGENCY, "", year, version, seed=11, scale=60, **kw)


def html_of(rep: dict, quirks=()) -> str:
    return render_report(rep, "html", quirks).decode("utf-8")


def issues(out: dict, code: str) -> list[dict]:
    return [i for i in out["issues"] if i["code"] == code]


def failed(out: dict) -> set[tuple[str, str]]:
    return {(c["rule"], c["where"]) for c in out["checks"] if not c["ok"]}


def _set_cell(html: str, label: str, n: int, new: str) -> str:
    """Replace the n-th value cell (0-based) of the 表三 row whose label cell is ``label``."""
    start = html.index(f">{label}</td>")
    cells = list(re.finditer(r"<td>([^<]*)</td>", html[start:]))
    m = cells[n]
    return html[: start + m.start(1)] + new + html[start + m.end(1):]


def test_missing_rows_fail_and_are_named():
    # The naive-text failure of 花都 2020: the first rows of 表三 are gone. Never filled in, never ok.
    html = html_of(report())
    html = re.sub(r"<tr><td colspan=\"3\">一、本年新收.*?</tr><tr><td colspan=\"3\">二、上年结转.*?</tr>", "", html)
    out = extract_bytes(html.encode(), "missing.html")
    assert out["status"] == "failed"
    missing = {i["row"] for i in issues(out, "missing_row")}
    assert missing == {"new_received", "carried_over"}
    assert out["tables"]["t3_requests"]["cells"]["new_received"]["total"] is None


def test_inconsistent_numbers_are_reported_as_printed():
    rep = report()
    printed = rep["tables"]["t3_requests"]["cells"]["granted"]["total"] + 5
    html = _set_cell(html_of(rep), "（一）予以公开", 6, str(printed))
    out = extract_bytes(html.encode(), "bad-total.html")
    assert out["status"] == "warning"
    assert out["tables"]["t3_requests"]["cells"]["granted"]["total"] == printed
    assert ("t3_row_total", "granted") in failed(out)
    assert ("t3_results_sum_2021", "total") in failed(out)
    detail = next(c["detail"] for c in out["checks"] if (c["rule"], c["where"]) == ("t3_row_total", "granted"))
    assert str(printed) in detail


def test_digits_broken_over_lines_are_repaired_only_when_the_total_confirms():
    rep = report()
    value = rep["tables"]["t3_requests"]["cells"]["new_received"]["natural_person"]
    assert value >= 10
    text = str(value)
    html = _set_cell(html_of(rep), "一、本年新收政府信息公开申请数量", 0, f"{text[:1]}<br>{text[1:]}")
    out = extract_bytes(html.encode(), "split.html")
    assert out["tables"]["t3_requests"]["cells"]["new_received"]["natural_person"] == value
    assert issues(out, "repaired")[0]["raw"] == f"{text[:1]}\n{text[1:]}"
    assert out["status"] == "warning"

    # The same break where the row total does not confirm a reading: kept null, the report fails.
    bad = _set_cell(html_of(rep), "一、本年新收政府信息公开申请数量", 0, f"{text[:1]}<br>9{text[1:]}")
    out = extract_bytes(bad.encode(), "split-bad.html")
    assert out["tables"]["t3_requests"]["cells"]["new_received"]["natural_person"] is None
    assert out["status"] == "failed"
    assert issues(out, "unreadable_cell")


def test_blank_is_null_never_zero():
    rep = report(blanks=True)
    out = extract_bytes(render_report(rep, "html", ["slash_blanks"]), "blanks.html")
    blanks = issues(out, "blank_cell")
    assert blanks and all(i["raw"] == "/" for i in blanks)
    for i in blanks:
        assert out["tables"][i["table"]]["cells"][i["row"]][i["col"]] is None


def test_hybrid_report_versions_per_table():
    rep = report(t3_version="gov2019")
    out = extract_bytes(render_report(rep, "html"), "hybrid.html")
    assert out["tables"]["t2_art20_1"]["version"] == "gov2021"
    assert out["tables"]["t3_requests"]["version"] == "gov2019"
    assert "other_processing" in out["tables"]["t3_requests"]["cells"]
    assert issues(out, "mixed_versions")


def test_duplicated_header_label_maps_by_order_and_is_flagged():
    # 上湾乡 2019 printed 本年新制作数量 twice; the second column is 本年新公开数量.
    rep = report("gov2019", 2019)
    html = html_of(rep).replace("本年新公开数量", "本年新制作数量")
    out = extract_bytes(html.encode(), "dup-header.html")
    assert out["tables"]["t2_art20_1"]["cells"] == rep["tables"]["t2_art20_1"]["cells"]
    assert issues(out, "header_mismatch")
    assert out["status"] == "warning"


def test_hubei_hints_and_traditional_characters_in_labels():
    rep = report("gov2019", 2020)
    html = html_of(rep).replace("上一年项目数量", "上一年项目数量(指2019年事项数)").replace("处理决定数量", "處理決定數量")
    out = extract_bytes(html.encode(), "hints.html")
    assert out["tables"]["t2_art20_5"]["cells"] == rep["tables"]["t2_art20_5"]["cells"]
    assert out["status"] == "ok"


def test_chinese_numeral_year_in_title():
    rep = report()
    html = html_of(rep).replace("2023年", "二〇二三年")
    out = extract_bytes(html.encode(), "cn-year.html")
    assert out["report"]["year"] == 2023
    assert out["report"]["agency"] == AGENCY


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", "unsupported", "unsupported_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "unsupported", "unsupported_type"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "unsupported", "unsupported_type"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, "failed", "broken_pdf"),
        (b"PK\x03\x04garbage", "unsupported", "unsupported_type"),
    ],
)
def test_bad_files_get_a_status_and_a_reason(data, status, code):
    out = extract_bytes(data, "bad.bin")
    assert out["status"] == status
    assert out["issues"][0]["code"] == code
    assert "bad.bin" in out["issues"][0]["message"]


def test_html_error_page_at_a_pdf_url_is_not_a_report():
    page = "<html><head><title>页面不存在</title></head><body><h1>404 页面不存在</h1></body></html>"
    out = extract_bytes(page.encode(), "report.pdf")
    assert out["media_type"] == "text/html"
    assert out["status"] == "not_a_report"
    assert out["tables"] == {}


def test_website_annual_report_is_not_a_report():
    page = (
        "<html><head><title>某某区人民政府门户网站2023年政府网站工作年度报表</title></head><body>"
        "<table><tr><td>网站名称</td><td>某某区人民政府</td></tr><tr><td>独立用户访问总量</td><td>12000</td></tr>"
        "</table></body></html>"
    )
    out = extract_bytes(page.encode("utf-8"), "wzbb.html")
    assert out["status"] == "not_a_report"
    assert issues(out, "website_report")


def test_pre2019_report_is_unsupported_without_numbers():
    page = (
        "<html><head><title>某某区2017年政府信息公开工作年度报告</title></head><body><p>一、概述</p>"
        "<p>二、主动公开政府信息情况</p><p>三、依申请公开政府信息情况</p><p>四、政府信息公开的收费及减免情况</p>"
        "<table><tr><td>统计指标</td><td>单位</td><td>统计数</td></tr><tr><td>当面申请数</td><td>件</td><td>3</td></tr></table>"
        "</body></html>"
    )
    out = extract_bytes(page.encode(), "old.html")
    assert out["status"] == "unsupported"
    assert out["report"]["year"] == 2017
    assert issues(out, "pre2019") and out["tables"] == {}


def test_gbk_page_declared_gb2312():
    rep = report()
    out = extract_bytes(render_report(rep, "html", ["gbk"]), "gbk.html")
    assert out["status"] == "ok"
    assert out["report"]["agency"] == AGENCY


def test_a_hanging_parse_is_stopped(monkeypatch):
    def hang(data, source, continuations=()):
        time.sleep(30)

    monkeypatch.setattr(api, "extract_bytes", hang)
    t0 = time.monotonic()
    out = extract_isolated(b"%PDF-1.4 whatever", "slow.pdf", timeout_s=1)
    assert time.monotonic() - t0 < 10
    assert out["status"] == "failed"
    assert out["issues"][0]["code"] == "parser_limit"
    assert "slow.pdf" in out["issues"][0]["message"]


def test_isolated_result_equals_in_process_result():
    data = render_report(report(), "html")
    assert extract_isolated(data, "same.html") == extract_bytes(data, "same.html")


def test_unknown_sub_item_never_takes_its_group_code():
    rep = report()
    html = html_of(rep).replace(">3.其他<", ">3.其他原因未予处理<")
    out = extract_bytes(html.encode(), "unknown-sub.html")
    assert out["tables"]["t3_requests"]["version"] == "gov2021"
    assert "other_processing" not in out["tables"]["t3_requests"]["cells"]
    assert {i["row"] for i in issues(out, "missing_row")} == {"other_other"}
    assert issues(out, "unknown_row")[0]["raw"].endswith("3.其他原因未予处理")
    assert out["status"] == "failed"


def test_article_continued_on_a_second_page_is_read_as_one_report():
    from demo.sites import DemoWorld

    world = DemoWorld(seed=7)
    doc = next(d for d in world.docs if d.fmt == "html" and d.site == "trs" and _has_page2(world, d))
    first, second = world.doc_bytes(doc, 1), world.continuation(doc, 1)
    alone = extract_bytes(first, doc.path)
    assert alone["status"] == "failed"  # 表四 is on page 2
    joined = extract_bytes(first, doc.path, continuations=[second])
    assert joined["status"] == "ok"
    expected = world.values(doc, 1)["tables"]["t4_review_litigation"]["cells"]
    assert joined["tables"]["t4_review_litigation"]["cells"] == expected
    assert extract_isolated(first, doc.path, continuations=[second]) == joined
    # each article page counts its tables from 0: a cell of page 2 says so, or its path would name one of page 1
    paths = {s["table"]: s["path"] for s in joined["cells_source"]}
    assert paths["t4_review_litigation"].startswith("page[2]/table[")
    assert not paths["t3_requests"].startswith("page[")


def _has_page2(world, doc) -> bool:
    try:
        world.continuation(doc, 1)
    except KeyError:
        return False
    return True


def test_t2_columns_printed_in_another_order_are_read_by_their_labels():
    rep = generate_report(AGENCY, "", 2023, "gov2021", seed=11, scale=3000)
    cells = rep["tables"]["t2_art20_1"]["cells"]
    html = html_of(rep)
    # Swap the 本年废止件数 and 现行有效件数 columns: headers and the values under them.
    html = html.replace("本年废止件数", "@@").replace("现行有效件数", "本年废止件数").replace("@@", "现行有效件数")
    for row_label, row in (("规章", "rules"), ("行政规范性文件", "normative_docs")):
        start = html.index(f">{row_label}</td>") + 1
        end = html.index("</tr>", start)
        segment = html[start:end]
        values = re.findall(r"<td[^>]*>([^<]*)</td>", segment)
        assert values == [str(cells[row][c]) for c in ("issued", "repealed", "in_force")]
        assert values[1] != values[2]
        swapped = segment.replace(f">{values[1]}</td><td>{values[2]}</td>", f">{values[2]}</td><td>{values[1]}</td>")
        assert swapped != segment
        html = html[:start] + swapped + html[end:]
    out = extract_bytes(html.encode(), "swapped.html")
    assert out["tables"]["t2_art20_1"]["cells"] == cells
    assert not issues(out, "header_mismatch")


def test_memory_limit_stops_a_hog_but_not_a_big_parent():
    import mmap

    data = render_report(report(), "html")
    # A parent that maps a lot of address space it never touches (as Prefect/Dask workers do) must not
    # starve the child: the limit is a budget on top of what is already mapped.
    reserved = mmap.mmap(-1, 4 * 1024**3, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_NORESERVE", 0))
    try:
        assert extract_isolated(data, "ok.html", memory_mb=512)["status"] == "ok"
    finally:
        reserved.close()


def test_memory_hog_fails_alone(monkeypatch):
    def hog(data, source, continuations=()):
        blocks = [bytearray(64 * 1024**2) for _ in range(64)]  # 4 GiB
        return {"status": "ok", "n": len(blocks)}

    monkeypatch.setattr(api, "extract_bytes", hog)
    out = extract_isolated(b"<html></html>", "hog.html", memory_mb=256, timeout_s=60)
    assert out["status"] == "failed"
    assert out["issues"][0]["code"] == "parser_limit" and "memory" in out["issues"][0]["message"]


def test_heji_for_zongji_in_headers_and_the_results_total_row():
    rep = report()
    html = html_of(rep).replace(">总计<", ">合计<").replace("（七）总计", "（七）合计")
    assert "总计" not in html.split("本列数据的勾稽关系")[1]
    out = extract_bytes(html.encode(), "heji.html")
    for tid in ("t3_requests", "t4_review_litigation"):
        assert out["tables"][tid]["cells"] == rep["tables"][tid]["cells"]
    assert out["status"] == "ok"


def test_a_narrative_table_listing_row_labels_is_not_read_as_t2():
    rep = report()
    extra = ("<p>（一）主动公开情况</p><table><tr><td>行政许可</td><td>99999</td></tr>"
             "<tr><td>行政处罚</td><td>88888</td></tr></table>")
    html = html_of(rep).replace("<p><strong>一、总体情况</strong></p>", "<p><strong>一、总体情况</strong></p>" + extra, 1)
    assert extra in html
    out = extract_bytes(html.encode(), "narrative-table.html")
    assert out["tables"]["t2_art20_5"]["cells"] == rep["tables"]["t2_art20_5"]["cells"]
    assert out["tables"]["t2_art20_6"]["cells"] == rep["tables"]["t2_art20_6"]["cells"]
    assert out["status"] == "ok"


def test_t2_row_printed_twice_with_different_numbers_fails():
    rep = report()
    html = html_of(rep)
    start = html.index(">行政许可</td>")
    row_end = html.index("</tr>", start) + len("</tr>")
    row_start = html.rindex("<tr>", 0, start)
    row = html[row_start:row_end]
    changed = re.sub(r"<td([^>]*)>(\d+)</td>", lambda m: f"<td{m.group(1)}>{int(m.group(2)) + 1}</td>", row)
    assert changed != row
    out = extract_bytes((html[:row_end] + changed + html[row_end:]).encode(), "dup-t2.html")
    assert out["status"] == "failed"
    assert issues(out, "duplicate_row")[0]["table"] == "t2_art20_5"


def test_a_procurement_amount_without_a_unit_is_noted_and_kept_as_printed():
    # gov2019 采购总金额 has no unit in the template (spec §8.2: 元 in the cell, or a bare number): the bare
    # number is kept as printed with an info note; 元 printed in the cell is its unit, no note.
    from tests.extract.variant_html import html_of, make_report

    rep = make_report("gov2019", 2020)
    amount = rep["tables"]["t2_art20_9"]["cells"]["gov_central_procurement"]["procurement_amount"]
    html = html_of(rep)
    bare = extract_bytes(html.encode(), "bare.html")
    assert bare["tables"]["t2_art20_9"]["cells"]["gov_central_procurement"]["procurement_amount"] == float(amount)
    notes = [i for i in bare["issues"] if i["code"] == "unit_unknown"]
    assert [(n["severity"], n["col"], n["raw"]) for n in notes] == [("info", "procurement_amount", str(amount))]
    assert bare["status"] == "ok"
    with_unit = extract_bytes(html.replace(f">{amount}<", f">{amount}元<").encode(), "unit.html")
    assert with_unit["tables"]["t2_art20_9"]["cells"]["gov_central_procurement"]["procurement_amount"] == float(amount)
    assert not [i for i in with_unit["issues"] if i["code"] == "unit_unknown"]


_IMAGE_TABLES_PAGE = """<html><head><title>开平市农业农村局2020年政府信息公开工作年度报告</title></head><body>
<div class="logo"><img src="/images/logo.png"></div><h1>开平市农业农村局2020年政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>2020年，我局认真贯彻落实《条例》。</p><p><img src="/a/meeting.jpg"></p>
<p>二、主动公开政府信息情况</p><p>{t2}</p><p>三、收到和处理政府信息公开申请情况</p><p>{t3}</p>
<p>四、政府信息公开行政复议、行政诉讼情况</p><p>{t4}</p><p>五、存在的主要问题及改进情况</p><p>加强培训。</p>
</body></html>"""


def test_statistics_tables_published_as_pictures_are_unsupported_with_the_reason():
    # Some agencies paste the three tables as images (spec §9): no numbers without OCR, like a scan.
    pictures = {"t2": '<img src="/a/t2.jpg">', "t3": '<img src="/a/t3.png">', "t4": '<img src="/a/t4.png">'}
    out = extract_bytes(_IMAGE_TABLES_PAGE.format(**pictures).encode(), "pictures.html")
    assert out["status"] == "unsupported" and out["tables"] == {}
    issue = next(i for i in out["issues"] if i["code"] == "tables_as_images")
    assert "/a/t3.png" in issue["message"] and "logo" not in issue["message"] and "meeting" not in issue["message"]


def test_pictures_elsewhere_do_not_make_a_tableless_page_unsupported():
    # Only pictures under 二/三/四 count: a page without tables whose only pictures are a logo and a photo
    # under 一、总体情况 is a failed report (tables missing), not a picture report.
    out = extract_bytes(_IMAGE_TABLES_PAGE.format(t2="", t3="", t4="").encode(), "no-tables.html")
    assert out["status"] == "failed"
    assert [i["code"] for i in out["issues"] if i["severity"] == "error"] == ["no_tables"]


def _picture_report_pdf() -> bytes:
    """A WPS-style PDF whose three statistics sections each hold a picture of the table, not a table."""
    import io

    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    picture = io.BytesIO()
    Image.new("RGB", (600, 300), "white").save(picture, format="PNG")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("STSong-Light", 14)
    c.drawString(72, 780, "某某市某某区教育局2023年政府信息公开工作年度报告")
    c.setFont("STSong-Light", 11)
    c.drawString(72, 750, "一、总体情况")
    c.drawString(72, 730, "2023年，我局认真贯彻落实《条例》。")
    y = 700
    for heading in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"):
        c.drawString(72, y, heading)
        picture.seek(0)
        c.drawImage(ImageReader(picture), 72, y - 170, width=400, height=150)
        y -= 200
    c.drawString(72, y, "五、存在的主要问题及改进情况")
    c.save()
    return buf.getvalue()


def test_pdf_and_word_tables_published_as_pictures_are_unsupported_with_the_reason():
    out = extract_bytes(_picture_report_pdf(), "pictures.pdf")
    assert out["status"] == "unsupported" and out["tables"] == {}
    issue = next(i for i in out["issues"] if i["code"] == "tables_as_images")
    assert issue["message"].count("page 1 picture") == 3
    # The same in a Word file: each table replaced by a paragraph holding a picture.
    import io
    import zipfile

    docx = render_report(generate_report("某某市某某区教育局", "", 2023, "gov2021", seed=5), "docx", ())
    files = {n: zipfile.ZipFile(io.BytesIO(docx)).read(n) for n in zipfile.ZipFile(io.BytesIO(docx)).namelist()}
    picture = ('<w:p><w:r><w:drawing><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
               '<a:graphicData><a:blip/></a:graphicData></a:graphic></w:drawing></w:r></w:p>')
    files["word/document.xml"] = re.sub(r"<w:tbl>.*?</w:tbl>", picture, files["word/document.xml"].decode(),
                                        flags=re.S).encode()
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w") as zw:
        for name, data in files.items():
            zw.writestr(name, data)
    out = extract_bytes(rebuilt.getvalue(), "pictures.docx")
    assert out["status"] == "unsupported"
    assert "Word picture 3" in next(i for i in out["issues"] if i["code"] == "tables_as_images")["message"]


def test_a_table_missing_beside_a_picture_says_so():
    # 表二 and 表四 printed as tables, 表三 pasted as a picture: failed (表三 missing), and the reason names it.
    from tests.extract.variant_html import data_tables, html_of, make_report

    html = html_of(make_report())
    t3 = data_tables(html)[1]  # 表二, 表三, 表四
    assert "申请人情况" in t3.group(0)
    out = extract_bytes((html[:t3.start()] + '<img src="/pic/t3.png">' + html[t3.end():]).encode(), "t3-picture.html")
    assert out["status"] == "failed"
    missing = next(i for i in out["issues"] if i["code"] == "missing_table")
    assert missing["table"] == "t3_requests" and "/pic/t3.png" in missing["message"]
