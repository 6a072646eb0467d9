"""Agency identity: the same body across years and spellings is one agency; levels and deadlines."""

from datetime import date

import pytest

from warehouse.agencies import deadline_for, name_and_year_from_title, resolve_agency


@pytest.mark.parametrize(
    ("names", "region"),
    [
        (
            [
                "淮安市洪泽区人民政府",
                "洪泽区人民政府",
                "洪泽区政府",
                "洪泽区人民政府2023年政府信息公开工作年度报告",
            ],
            "江苏省淮安市洪泽区",
        ),
        (["示例区财政局", "北京市示例区财政局", "财政局"], "北京市示例区"),
        (["高良涧街道办事处", "淮安市洪泽区高良涧街道办事处", "高良涧街道"], "江苏省淮安市洪泽区"),
        (
            [
                "平潭综合实验区管委会（平潭综合实验区2019年度政府信息公开工作年度报告）",
                "平潭综合实验区管理委员会",
            ],
            "福建省平潭综合实验区",
        ),
    ],
)
def test_spellings_of_one_body_resolve_to_one_agency(names, region):
    ids = {resolve_agency(name, region).agency_id for name in names}
    assert len(ids) == 1, [resolve_agency(n, region) for n in names]


def test_different_bodies_stay_apart():
    region = "江苏省淮安市洪泽区"
    ids = {
        resolve_agency(n, region).agency_id
        for n in ["洪泽区人民政府", "洪泽区财政局", "洪泽区人民政府办公室", "淮安市人民政府", "淮安市财政局"]
    }
    assert len(ids) == 5
    # the city's bureau is not the district's bureau even when the city report omits the province
    assert (
        resolve_agency("淮安市财政局", "江苏省淮安市").agency_id
        != resolve_agency("洪泽区财政局", region).agency_id
    )


@pytest.mark.parametrize(
    ("name", "region", "level"),
    [
        ("淮安市洪泽区人民政府", "江苏省淮安市洪泽区", "district"),
        ("淮安市人民政府", "江苏省淮安市", "city"),
        ("上海市人民政府办公厅", "上海市", "government_office"),
        ("上海市人民政府", "上海市", "province"),
        ("江苏省人民政府", "江苏省", "province"),
        ("示例区岔河镇人民政府", "北京市示例区", "town"),
        ("高良涧街道办事处", "江苏省淮安市洪泽区", "street"),
        ("示例区卫生健康委员会", "北京市示例区", "department"),
        ("洪泽区财政局", "江苏省淮安市洪泽区", "department"),
    ],
)
def test_level_from_name_suffix(name, region, level):
    assert resolve_agency(name, region).level == level


def test_deadlines_come_from_schema_publication():
    assert deadline_for(resolve_agency("洪泽区财政局", "江苏省淮安市洪泽区").publisher, 2023) == date(
        2024, 1, 31
    )
    assert deadline_for(resolve_agency("洪泽区人民政府", "江苏省淮安市洪泽区").publisher, 2023) == date(
        2024, 2, 20
    )
    assert deadline_for(resolve_agency("淮安市人民政府", "江苏省淮安市").publisher, 2024) == date(2025, 3, 10)
    assert deadline_for(resolve_agency("江苏省人民政府", "江苏省").publisher, 2024) == date(2025, 3, 31)


def test_agency_and_year_guessed_from_link_title():
    assert name_and_year_from_title("示例区教育局2022年政府信息公开工作年度报告") == ("示例区教育局", 2022)
    assert name_and_year_from_title("示例区教育局 2022 年度 政府信息公开 工作年度报告") == (
        "示例区教育局",
        2022,
    )
    assert name_and_year_from_title("关于开展2022年安全检查的通知") == (None, None)
