"""Reports served in traditional characters (issue 10): every label, title, agency and region through OpenCC t2s.

A 繁體 mirror converts the whole page (as such sites do, with OpenCC's s2t); the extraction must be the one of the
simplified page: rows such as `1.屬於國家秘密` and `5.無正當理由大量反覆申請` found, the agency whole
(`江苏省无锡市梁溪区人民政府`, never half converted), and the same agency key in the warehouse, so the mirror copy is
the same body as the simplified page.
"""

from __future__ import annotations

import pytest

from demo.render import render_report
from tests.extract.variant_html import assert_exact, make_report, traditional
from transform.runner import extract_bytes
from warehouse.agencies import agency_key, name_and_year_from_title

WUXI = "江苏省无锡市梁溪区人民政府"


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
@pytest.mark.parametrize("version", ["gov2021", "gov2019"])
def test_a_traditional_copy_reads_like_the_simplified_one(fmt, version):
    rep = make_report(version, 2023 if version == "gov2021" else 2020, agency=WUXI)
    data = render_report(rep, fmt, ("traditional",))
    if fmt == "html":
        page = data.decode("utf-8")
        assert "屬於國家" in page and "無正當理由大量反覆申請" in page and "江蘇省無錫市" in page
    out = extract_bytes(data, f"mirror.{fmt}")
    assert_exact(out, rep)
    simplified = extract_bytes(render_report(rep, fmt), f"page.{fmt}")
    assert out["report"] == simplified["report"]
    assert out["tables"] == simplified["tables"]


@pytest.mark.parametrize("rules", ["no_rules", "frame_header_rule"])
@pytest.mark.parametrize("version", ["gov2021", "gov2019"])
def test_a_traditional_pdf_whose_tables_have_no_inner_rules_reads_like_the_simplified_one(rules, version):
    # The table search without rules starts under 三、收到和處理政府信息公開申請情況 as under the simplified heading
    # (it read 0 tables here before: no_tables).
    rep = make_report(version, 2023 if version == "gov2021" else 2020, agency=WUXI)
    out = extract_bytes(render_report(rep, "pdf", ("traditional", rules)), "mirror.pdf")
    assert_exact(out, rep)
    simplified = extract_bytes(render_report(rep, "pdf", (rules,)), "page.pdf")
    assert out["report"] == simplified["report"]
    assert out["tables"] == simplified["tables"]


def test_a_simplified_page_is_never_converted():
    # OpenCC's t2s alone turns the county 乾县 into 干县: text without traditional characters is left as printed.
    agency = "咸阳市乾县人民政府"
    rep = make_report(agency=agency)
    out = extract_bytes(render_report(rep, "html"), "qianxian.html")
    assert_exact(out, rep)
    assert out["report"]["agency"] == agency and out["report"]["region"] == "陕西省咸阳市乾县"


def test_the_agency_key_is_the_same_in_both_scripts():
    assert agency_key(traditional(WUXI)) == agency_key(WUXI)
    title = f"{WUXI}2023年政府信息公开工作年度报告"
    assert name_and_year_from_title(traditional(title)) == name_and_year_from_title(title)


def test_a_simplified_page_naming_a_person_with_a_traditional_looking_character_is_not_converted():
    # 昇 is outside GB2312 and OpenCC makes it 升; one such name must not convert the page (乾县 → 干县).
    agency = "咸阳市乾县人民政府"
    rep = make_report(agency=agency)
    html = render_report(rep, "html").decode("utf-8").replace("</body>", "<p>联系人：李昇</p></body>")
    out = extract_bytes(html.encode("utf-8"), "qianxian.html")
    assert_exact(out, rep)
