"""``transform.labels``: printed labels → canonical rows and columns, by the schema's patterns and vocabulary."""

from __future__ import annotations

import pytest

from transform import labels
from transform.schema import vocabulary


@pytest.mark.parametrize(("printed", "code"), [
    ("1.属于国家秘密", "denied_state_secret"),
    ("1.屬於國家秘密", "denied_state_secret"),
    ("5.無正當理由大量反覆申請", "not_processed_excessive"),
    ("（一）予以公开", "granted"),
    ("(一) 予以公开", "granted"),
    ("2.其他法律行政止公开", "denied_law_prohibited"),
])
def test_t3_row_labels(printed, code):
    assert code in [p.code for p in labels.t3_candidates(printed)]


def test_hints_appended_by_provinces_are_dropped_the_official_one_kept():
    assert labels.norm("上一年项目数量(指2019年事项数)") == "上一年项目数量"
    assert labels.norm("本年增/减(减用负值表示)") == "本年增/减"
    assert labels.norm("（二）部分公开（区分处理的，只计这一情形，不计其他情形）").endswith("不计其他情形)")


@pytest.mark.parametrize(("text", "year", "other_period"), [
    ("上年", 2023, True), ("同比增减", 2023, True), ("2022年", 2023, True), ("2023年", 2023, False),
    ("上一年项目数量", 2020, False), ("本年增/减", 2020, False), ("本年", 2023, False), ("自然人", 2023, False),
])
def test_comparison_labels(text, year, other_period):
    assert labels.comparison_label(text, year) is other_period


def test_header_words_come_from_the_schema():
    assert labels.T3_HEADER_WORDS == tuple(vocabulary("t3_header_words"))
    assert labels.is_t3_header_text("法人或其他組織") and labels.is_t4_text("行政復議")
    assert not labels.is_t3_header_text("一、本年新收政府信息公开申请数量")


def test_statistics_headers_and_note_columns():
    assert labels.is_statistics_header("本年制发件数") and labels.is_statistics_header("信息内容")
    assert labels.is_note_column("备注") and not labels.is_note_column("备注说明以外")
