"""Link titles on sites that serve 繁體 pages are read like their simplified forms (issue 10)."""

from extract.crawl.titles import clean_title, decoy_reason, is_report_title, looks_like_subcolumn


def test_a_traditional_report_title_is_a_report_title():
    assert is_report_title("江蘇省無錫市梁溪區人民政府2023年政府信息公開工作年度報告")
    assert is_report_title("梁溪區2023年信息公開年報")


def test_traditional_decoys_are_decoys():
    assert decoy_reason("梁溪區政府網站2023年度報表") == "website_form"
    assert decoy_reason("政府信息公開指南") == "guide"
    assert not is_report_title("梁溪區2023年部門決算公開")


def test_the_title_itself_is_kept_as_printed():
    assert clean_title("梁溪區  2023年年度報告") == "梁溪區 2023年年度報告"
    assert looks_like_subcolumn("各部門")
