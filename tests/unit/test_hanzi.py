"""``extract.hanzi``: traditional → simplified through OpenCC, only for text written in traditional."""

from __future__ import annotations

from transform.schema import normalize_label
from extract.hanzi import convert, is_traditional, to_simplified


def test_traditional_text_is_converted_whole():
    assert to_simplified("江蘇省無錫市梁溪區人民政府") == "江苏省无锡市梁溪区人民政府"
    assert to_simplified("5.無正當理由大量反覆申請") == "5.无正当理由大量反复申请"
    assert to_simplified("1.屬於國家秘密") == "1.属于国家秘密"


def test_simplified_text_is_left_alone_even_where_t2s_would_rewrite_it():
    # 乾县 is a county of 咸阳市; OpenCC's t2s alone would make it 干县.
    assert convert("乾县人民政府") == "干县人民政府"
    assert not is_traditional("陕西省咸阳市乾县人民政府")
    assert to_simplified("陕西省咸阳市乾县人民政府") == "陕西省咸阳市乾县人民政府"


def test_labels_are_normalized_in_either_script():
    assert normalize_label("（三）不予公開") == normalize_label("（三）不予公开")
    assert normalize_label("本年度辦理結果") == "本年度办理结果"


def test_one_traditional_looking_character_does_not_make_a_page_traditional():
    page = "陕西省咸阳市乾县人民政府2023年政府信息公开工作年度报告。联系人：李昇。"
    assert is_traditional(page) and not is_traditional(page, at_least=5)
    assert is_traditional("江蘇省無錫市梁溪區人民政府2023年政府信息公開工作年度報告", at_least=5)
