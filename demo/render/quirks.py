"""Real-world publishing quirks the renderer can switch on, and how they change printed text.

Each quirk was seen in a real report (``spec/annual-report-format.md`` §8); the names are the public
vocabulary of the demo sites and the round-trip tests. Label and cell text pass through the two
functions here, so a quirk that changes text lives in one place for all three output formats.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cache

import opencc

QUIRKS: dict[str, str] = {
    "split_table": "PDF/DOCX: 表三 forced across a page break; the merged 三、本年度办理结果 cell's text flows over it",
    "repeat_group_label": "after the 表三 page break 三、本年度办理结果 is printed again in a new merged cell (平潭 2019/2020)",
    "slash_blanks": "blank (None) cells printed as '/' (西安高陵 2021) instead of an empty cell",
    "dash_blanks": "blank (None) cells printed as '-' (武汉 2020)",
    "halfwidth_labels": "table labels with half-width '(一)' and ':' instead of '（一）', '：'",
    "label_typos": "label typos seen in real PDFs: 2.其他法律行政止公开, 3、其他, 本年度办 理结果, 商业 企业",
    "landscape": "PDF pages in A4 landscape",
    "units": "cells printed with a unit: 12件, 3项, gov2019 procurement money 251000元 (the value stays the number)",
    "thousands": "numbers printed with thousands separators: 3,119",
    "gbk": "HTML only: page encoded GBK with <meta charset=\"gb2312\">",
    "year_only_in_body": "the title (and page title) lacks the year; only the body's first sentence states it",
    "frame_header_rule": "PDF: tables drawn with only the outer frame and a rule under the header (WPS/Word exports losing inner borders)",
    "no_rules": "PDF: tables drawn with no rules at all, text laid out in columns",
    "annotated_values": "notes inside number cells: 22（其中修订16件）, 55（含自然失效29件）, 13(其中修订2件) (上海市人民政府办公厅 2025)",
    "traditional": "the whole report in traditional characters (a 繁體 mirror site converts every label, title and name)",
    "word_grid": "表三 as Word exports it to HTML (平潭 2021): 自然人 spans two grid columns, the 商业企业 value cell two "
                 "others, and a row of zeros under 法人或其他组织 is one merged 0",
    "file_name_title": "the printed and page title is the attachment's file name: 附件1：<title>.pdf",
}

# Typos keyed by the schema code whose official label they replace (淮安 2023/2024, 平潭 2024).
LABEL_TYPOS = {
    "denied_law_prohibited": "2.其他法律行政止公开",
    "other_other": "3、其他",
    "results": "三、本年度办 理结果",
    "commercial_enterprise": "商业 企业",
}

_HALFWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":"})

# Units printed after the number with the `units` quirk; counts of items (项) vs documents/cases (件).
_ITEM_COLUMNS = {"prev_year_items", "change", "procurement_items"}


def check_quirks(quirks: Iterable[str]) -> frozenset[str]:
    """Return the quirks as a set, refusing unknown names (a typo would silently render plain)."""
    chosen = frozenset(quirks)
    unknown = chosen - QUIRKS.keys()
    if unknown:
        raise ValueError(f"unknown quirks {sorted(unknown)}; known: {sorted(QUIRKS)}")
    return chosen


def label_text(code: str, official: str, quirks: frozenset[str]) -> str:
    """The label as printed for schema ``code`` whose official label is ``official``."""
    text = LABEL_TYPOS.get(code, official) if "label_typos" in quirks else official
    if "halfwidth_labels" in quirks:
        text = text.translate(_HALFWIDTH)
    return text


def value_text(value: int | Decimal | str | None, col_code: str, quirks: frozenset[str]) -> str:
    """The cell text for a value; None is the blank placeholder chosen by the quirks."""
    if value is None:
        if "slash_blanks" in quirks:
            return "/"
        if "dash_blanks" in quirks:
            return "-"
        return ""
    # Decimals keep their printed places (7730.28, 24252.311082) and never switch to exponent form.
    spec = "d" if isinstance(value, int) else "f"
    number = value if isinstance(value, int) else Decimal(str(value))
    text = format(number, ("," if "thousands" in quirks else "") + spec)
    if "units" in quirks:
        text += _unit_for(col_code)
    if "annotated_values" in quirks and col_code in _NOTES and isinstance(value, int) and value >= 2:
        text += _NOTES[col_code].format(part=value // 3)
    return text


# Notes printed after the number with the `annotated_values` quirk (real wordings; the part is smaller than the
# value, so the leading number stays the cell's value).
_NOTES = {
    "issued": "（其中修订{part}件）",
    "in_force": "（含自然失效{part}件）",
    "new_made": "(其中修订{part}件)",
    "decisions": "（其中变更{part}件）",
}


def traditional(text: str) -> str:
    """Text as a 繁體 mirror site serves it: converted with OpenCC (s2t), as such sites do."""
    return _s2t().convert(text) if text else text


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def _unit_for(col_code: str) -> str:
    if col_code == "procurement_amount":
        return "元"
    if col_code == "fee_amount":
        return ""  # the header already says （单位：万元）; 淮安 prints the bare number
    return "项" if col_code in _ITEM_COLUMNS else "件"
