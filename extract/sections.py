"""The report's section headings, declared once for every stage that needs them: the crawler (pictures
under a statistics heading are archived), the readers (OCR triage, tables without rules) and transform
(pictures standing for a statistics table). The three statistics sections are 二/三/四 of the template."""

from __future__ import annotations

import re
from collections.abc import Iterable

from extract.hanzi import simplified_forms

STATISTICS_SECTION_NAMES = ("主动公开政府信息", "收到和处理政府信息公开申请", "政府信息公开行政复议")
_STATISTICS_SECTIONS = "|".join(STATISTICS_SECTION_NAMES)
_STATISTICS_NUMERALS = "二三四"

STATISTICS_HEADING = re.compile(rf"^[{_STATISTICS_NUMERALS}][、.．]\s*({_STATISTICS_SECTIONS})")
# OCR may read the separator as a comma, or lose it.
STATISTICS_HEADING_LOOSE = re.compile(rf"^[{_STATISTICS_NUMERALS}][、.．,，]?\s*({_STATISTICS_SECTIONS})")
ANY_SECTION_HEADING = re.compile(r"^[一二三四五六七八][、.．]")


def statistics_section_flags(texts: Iterable[str], heading: re.Pattern = STATISTICS_HEADING) -> list[bool]:
    """For each text in reading order: does it stand inside one of the statistics sections?

    A section runs from its heading to the next numbered heading; whitespace inside a text is ignored.
    """
    inside, flags = False, []
    for text in texts:
        compact = re.sub(r"\s+", "", text or "")
        if ANY_SECTION_HEADING.match(compact):
            inside = bool(heading.match(compact))
        flags.append(inside)
    return flags


def may_hold_statistics_heading(characters: Iterable[str]) -> bool:
    """Can a text made of these characters (in any order) hold a statistics heading?

    A quick test that never says no wrongly: a heading's numeral and every character of its section name
    are among the characters of the text it is printed in, whatever order they come in — in traditional
    script, their simplified forms are.
    """
    present = set("".join(characters))
    present |= simplified_forms(present)  # 開 is 开: a heading in traditional script counts too
    return not present.isdisjoint(_STATISTICS_NUMERALS) and any(
        present.issuperset(name) for name in STATISTICS_SECTION_NAMES)
