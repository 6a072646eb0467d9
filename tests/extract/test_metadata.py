"""Report year, agency and region are read from the document, not from the publication date."""

import pytest

from extract.documents.model import Document, TextBlock
from transform.metadata import find_region, read_meta


def doc(*lines: str, title: str | None = None, **meta: str) -> Document:
    return Document("text/html", blocks=[TextBlock(x) for x in lines], title=title, meta=dict(meta))


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("某某区发展和改革局政府信息公开工作2023年度报告", "某某区发展和改革局", 2023),
        ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
        ("某某镇人民政府政府信息公开工作年度报告（2023年度）", "某某镇人民政府", 2023),
        ("关于某某县教育局2022年度政府信息公开工作年度报告", "某某县教育局", 2022),
        ("某某街道办事处二〇二一年政务公开工作年度报告", "某某街道办事处", 2021),
        ("某某县统计局2024年度政府信息公开年报_某某县人民政府", "某某县统计局", 2024),
        ("某某区人民政府关于某某区2023年政府信息公开工作年度报告", "某某区人民政府", 2023),
        ("某某区人民政府办公室关于印发某某区教育局2022年政府信息公开工作年度报告", "某某区教育局", 2022),
    ],
)
def test_title_gives_agency_and_year(title, agency, year):
    meta = read_meta(doc(title))
    assert (meta.agency, meta.year) == (agency, year)


def test_title_broken_over_two_lines_and_generic_pdf_title():
    meta = read_meta(doc("淮安市人民政府", "2024年政府信息公开工作年度报告", "本报告由淮安市人民政府办公室编制。",
                         title="政府信息公开工作年度报告"))
    assert (meta.agency, meta.year, meta.region) == ("淮安市人民政府", 2024, "江苏省淮安市")


def test_year_from_statistics_time_span_wording():
    meta = read_meta(doc("某某镇政府信息公开工作年度报告", "本报告统计时限为2021年1月1日至2021年12月31日。"))
    assert meta.year == 2021


def test_year_from_statistics_period_when_title_has_none():
    meta = read_meta(doc("某某区司法局政府信息公开工作年度报告", "本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。",
                         "2023年1月20日"))
    assert meta.year == 2022 and meta.year_source == "statistics period"


def test_city_prefix_from_the_body():
    meta = read_meta(doc("洪泽区人民政府", "2023年政府信息公开工作年度报告", "本报告由淮安市洪泽区人民政府办公室编制。"))
    assert meta.agency == "淮安市洪泽区人民政府"
    assert meta.region == "江苏省淮安市洪泽区"


def test_breadcrumb_is_not_a_title():
    meta = read_meta(doc("首页 > 政府信息公开 > 政府信息公开年报", "某某区教育局2023年度政府信息公开工作年度报告"))
    assert meta.agency == "某某区教育局"


@pytest.mark.parametrize(
    ("agency", "region"),
    [
        ("上海市人民政府办公厅", "上海市"),
        ("北京市密云区教育委员会", "北京市密云区"),
        ("广州市花都区信访局", "广东省广州市花都区"),
        ("淮安市城市管理局", "江苏省淮安市"),
        ("江苏省苏州市昆山市人民政府", "江苏省苏州市昆山市"),
        ("某某镇人民政府", None),
    ],
)
def test_region_from_the_gazetteer(agency, region):
    assert find_region(agency) == region
