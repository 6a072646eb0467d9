"""Year, agency and region of realistic report variants: the printed document wins, or the report is flagged.

A wrong year or agency on a report marked ``ok`` files it in the wrong row of the warehouse, so each case
here is a way real agencies publish: last year's file properties left in place, notice wrappers, titles
with the year in Chinese or full-width numerals, the agency only in the signature, CMS sidebars listing
other agencies' reports, statistics-period sentences in their many wordings.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from demo.render.document import Block, build_document
from demo.render.docx_file import render_docx
from demo.render.html_page import render_html
from demo.render.pdf_file import render_pdf
from demo.values import generate_report
from transform.runner import extract_bytes
from transform.metadata import find_region
from tests.realreports import shared_dir

BUREAU = "淮安市洪泽区教育局"
REAL = shared_dir() / "real-reports"


def render(agency: str = BUREAU, year: int = 2023, fmt: str = "html", *, title: str | None = None,
           file_title: str | None = None, mutate=None) -> bytes:
    """A report as published: ``title`` is printed, ``file_title`` is the PDF/DOCX title property."""
    rep = generate_report(agency, "", year, "gov2021" if year > 2020 else "gov2019", seed=5, scale=20)
    if title is not None:
        rep["report"]["title"] = title
    doc = build_document(rep, frozenset(), None, None)
    if file_title is not None:
        doc.title = file_title
    if mutate:
        mutate(doc)
    return {"html": render_html, "docx": render_docx, "pdf": render_pdf}[fmt](doc)


def meta(data: bytes, source: str = "report") -> tuple[int | None, str | None, str]:
    out = extract_bytes(data, source)
    return out["report"]["year"], out["report"]["agency"], out["status"]


def replace_period(sentence: str | None):
    """Replace the preamble's statistics-period sentence (or drop it)."""
    def mutate(doc) -> None:
        for b in doc.blocks:
            if isinstance(b, Block) and b.kind == "para" and b.text.startswith("本报告统计期限"):
                b.text = (sentence or "") + b.text.split("。", 1)[1]
    return mutate


def insert_after_title(*texts: str):
    def mutate(doc) -> None:
        i = next(i for i, b in enumerate(doc.blocks) if isinstance(b, Block) and b.kind == "title")
        doc.blocks[i + 1:i + 1] = [Block("para", t) for t in texts]
    return mutate


# --- stale document properties ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_file_title_of_another_agency_loses_to_the_printed_title(fmt):
    # The bureau wrote its report over the 财政局's file: the core title / PDF /Title still names it.
    data = render(fmt=fmt, file_title="淮安市洪泽区财政局2023年政府信息公开工作年度报告")
    assert meta(data) == (2023, BUREAU, "ok")


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_file_title_of_last_year_loses_to_the_printed_title(fmt):
    data = render(fmt=fmt, file_title="洪泽区教育局2022年度政府信息公开工作年度报告")
    assert meta(data) == (2023, BUREAU, "ok")


def test_real_docx_with_another_agencys_core_title():
    path = REAL / "fj-pingtan-2022" / "report.docx"
    if not path.exists():
        pytest.skip("real fixtures not available")
    raw = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in raw.infolist():
            data = raw.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"<dc:title>.*?</dc:title>",
                              "<dc:title>福州市鼓楼区2022年度政府信息公开工作年度报告</dc:title>".encode(), data)
            z.writestr(item, data)
    year, agency, status = meta(out.getvalue(), "report.docx")
    assert (year, agency, status) == (2022, "平潭综合实验区", "ok")


# --- titles ---------------------------------------------------------------------------------------


TITLE_FORMS = [
    (f"关于印发{BUREAU}2023年政府信息公开工作年度报告的通知", BUREAU, "html docx pdf"),
    ("淮安市洪泽区人民政府办公室关于印发洪泽区2023年政府信息公开工作年度报告的通知", "淮安市洪泽区人民政府", "html docx pdf"),
    ("淮安市2023年政府信息公开工作年度报告", "淮安市人民政府", "html docx pdf"),  # a place's report is its government's
    ("洪泽区2023年政府信息公开工作年度报告", "淮安市洪泽区人民政府", "html docx pdf"),
    ("区教育局2023年政府信息公开工作年度报告", BUREAU, "html docx pdf"),  # completed from the signature
    # Without a page 发布机构 to fall back on (PDF, Word), these lost the agency:
    (f"{BUREAU}二O二三年政府信息公开工作年度报告", BUREAU, "docx pdf"),  # Latin O typed for 〇
    (f"{BUREAU}２０２３年政府信息公开工作年度报告", BUREAU, "docx pdf"),  # full-width digits
    (f"{BUREAU}关于2023年度政府信息公开工作情况的报告", BUREAU, "docx pdf"),
]


@pytest.mark.parametrize(("title", "agency", "fmt"),
                         [(t, a, f) for t, a, fmts in TITLE_FORMS for f in fmts.split()])
def test_title_forms(title, agency, fmt):
    assert meta(render(agency, fmt=fmt, title=title)) == (2023, agency, "ok")


def test_title_broken_inside_the_report_words():
    def split_title(doc) -> None:
        i = next(i for i, b in enumerate(doc.blocks) if isinstance(b, Block) and b.kind == "title")
        doc.blocks[i:i + 1] = [Block("title", f"{BUREAU}2023年政府信息公开"), Block("title", "工作年度报告")]
    data = render(fmt="docx", file_title="政府信息公开工作年度报告", mutate=split_title)
    out = extract_bytes(data, "r.docx")
    assert out["report"]["title"] == f"{BUREAU}2023年政府信息公开工作年度报告"
    assert (out["report"]["agency"], out["report"]["year"], out["status"]) == (BUREAU, 2023, "ok")


def test_sentence_citing_the_report_is_not_the_title():
    data = render(fmt="docx", title=f"{BUREAU}政府信息公开工作年度报告",
                  mutate=insert_after_title(f"现公布{BUREAU}2023年度政府信息公开工作年度报告。"))
    assert meta(data) == (2023, BUREAU, "ok")


# --- agencies -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_agency_only_in_the_signature(fmt):
    data = render("淮安市洪泽区司法局", fmt=fmt, title="2023年政府信息公开工作年度报告")
    assert meta(data) == (2023, "淮安市洪泽区司法局", "ok")


def test_signature_beats_the_compiling_office_of_the_page():
    # The page's 发布机构 is the government's 办公室; the report is signed by the government.
    data = render("淮安市洪泽区人民政府", fmt="html", title="2023年政府信息公开工作年度报告")
    assert meta(data) == (2023, "淮安市洪泽区人民政府", "ok")


def _portal_page(agency: str, sidebar: str) -> bytes:
    title = f"{agency}2023年政府信息公开工作年度报告"
    page = render(agency, fmt="html").decode("utf-8")
    page = re.sub(r'<meta name="ArticleTitle"[^>]*>', "", page)
    page = re.sub(r"<title>.*?</title>", "<title>淮安市洪泽区人民政府门户网站</title>", page)
    assert f'<h1 class="title">{title}</h1>' in page
    return page.replace('<div class="header">', sidebar + '<div class="header">').encode("utf-8")


def test_sidebar_listing_other_agencies_reports():
    links = "".join(f'<li><a href="/{i}.html">{a}2023年政府信息公开工作年度报告</a></li>'
                    for i, a in enumerate(["淮安市洪泽区财政局", "淮安市洪泽区民政局"]))
    data = _portal_page("淮安市洪泽区司法局", f'<div class="side"><h2>相关信息</h2><ul>{links}</ul></div>')
    assert meta(data) == (2023, "淮安市洪泽区司法局", "ok")


def test_sidebar_listing_the_agencys_older_reports():
    links = "".join(f'<li><a href="/{y}.html">淮安市洪泽区司法局{y}年政府信息公开工作年度报告</a></li>' for y in (2022, 2021))
    data = _portal_page("淮安市洪泽区司法局", f'<div class="side"><h2>往年年报</h2><ul>{links}</ul></div>')
    assert meta(data) == (2023, "淮安市洪泽区司法局", "ok")


# --- years ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "统计期限：2023年1月1日至2023年12月31日。",
        "本报告所列数据的统计期间为2023年1月1日至12月31日。",
        "本报告所列数据统计自2023年1月1日起至2023年12月31日止。",
        "本报告所列数据时间范围为2023年1月1日至2023年12月31日。",
        "本报告统计期限自二〇二三年一月一日起至二〇二三年十二月三十一日止。",
        "本报告所列数据统计期限为2023年度。",
    ],
)
def test_statistics_period_wordings_when_the_title_has_no_year(sentence):
    data = render(fmt="html", title=f"{BUREAU}政府信息公开工作年度报告", mutate=replace_period(sentence))
    assert meta(data) == (2023, BUREAU, "ok")


def test_a_cited_notice_about_next_years_reports_is_not_the_year():
    data = render(fmt="html", title=f"{BUREAU}政府信息公开工作年度报告", mutate=lambda doc: (
        replace_period(None)(doc),
        insert_after_title("根据《关于做好2024年度政府信息公开工作年度报告编制工作的通知》要求，现公布本年度报告。")(doc)))
    year, _, status = meta(data)
    assert year != 2024
    assert status != "ok"


# --- region ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "region"),
    [
        ("吉林市人民政府", "吉林省吉林市"),  # the city, not the province 吉林
        ("恩施州人民政府", "湖北省恩施土家族苗族自治州"),
        ("海南州人民政府", "青海省海南藏族自治州"),  # not 海南省
        ("国家税务总局淮安市洪泽区税务局", "江苏省淮安市洪泽区"),
    ],
)
def test_region_of_published_agency_names(agency, region):
    assert find_region(agency) == region


def test_a_year_read_only_from_body_mentions_is_flagged_for_a_look():
    # No year in any title and no statistics-period sentence: the year the text mentions most is used, but
    # the report says so (warning year_from_body) instead of passing as ok.
    from tests.extract.variant_html import html_of, make_report

    html = html_of(make_report(year=2023)).replace("2023年政府信息公开", "政府信息公开")
    html = re.sub(r"<p>本报告统计期限自[^<]*</p>", "<p>现将2023年度政府信息公开工作年度报告公布如下。</p>", html)
    out = extract_bytes(html.encode("utf-8"), "no-title-year.html")
    assert out["report"]["year"] == 2023
    assert out["status"] == "warning"
    assert [i["code"] for i in out["issues"] if i["severity"] == "warning"] == ["year_from_body"]


def test_a_page_served_in_traditional_characters_keeps_its_year_and_agency():
    # Some portals serve a 繁體 mirror of every page (公開, 報告, 區): the title is still the title, and the
    # agency comes out in simplified characters, as the same body publishes it elsewhere.
    from tests.extract.variant_html import assert_exact, html_of, make_report, traditional

    rep = make_report(year=2023)
    out = extract_bytes(traditional(html_of(rep)).encode("utf-8"), "fanti.html")
    assert (out["report"]["year"], out["report"]["agency"]) == (2023, "某某市某某区人民政府")
    assert_exact(out, rep)
