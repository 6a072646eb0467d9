"""Page triage in the PDF reader: work skipped on pages that cannot need it, never a different result.

The word-position table search (``wordgrid.add_unruled_tables``) starts under a statistics heading; a page
whose characters cannot spell one (and that does not continue a table) is passed over. These tests check
the quick test says yes wherever a heading can be, and that documents read the same with triage turned off.
"""

from __future__ import annotations

import logging
import random

import pytest

from extract.documents import wordgrid
from extract.documents.pdf import read_pdf
from extract.sections import STATISTICS_HEADING_LOOSE, STATISTICS_SECTION_NAMES, may_hold_statistics_heading

from .test_pdf_equivalence import demo_pdf
from .truth_tables import real_reports_dir

HEADINGS = ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
            "三收到和处理政府信息公开申请情况", "四，政府信息公开行政复议"]


@pytest.mark.parametrize("heading", HEADINGS)
def test_every_statistics_heading_passes_the_quick_test_in_any_character_order(heading: str) -> None:
    assert STATISTICS_HEADING_LOOSE.match(heading)
    rng = random.Random(heading)
    for _ in range(20):
        scrambled = list(heading)
        rng.shuffle(scrambled)
        noise = list("本机关2023年度共计") + scrambled
        assert may_hold_statistics_heading(noise)


def test_running_text_without_a_heading_s_characters_is_passed_over() -> None:
    assert not may_hold_statistics_heading("一、总体情况\n本年度我局认真贯彻落实《条例》，推进工作。")
    # the section name without a numeral of 二/三/四, and a numeral with a name missing one character
    assert not may_hold_statistics_heading("一、主动公开政府信息情况")
    for name in STATISTICS_SECTION_NAMES:
        assert not may_hold_statistics_heading("三、" + name[:-1])


def test_a_heading_in_traditional_script_is_not_passed_over() -> None:
    # A 繁體 copy prints 開/動/處/請/複 where the simplified heading has 开/动/处/请/复.
    for heading in ("二、主動公開政府信息情況", "三、收到和處理政府信息公開申請情況", "四、政府信息公開行政複議、行政訴訟情況"):
        assert may_hold_statistics_heading(heading)
    assert not may_hold_statistics_heading("一、總體情況\n本年度我局認真貫徹落實《條例》。")


def _read_without_triage(data: bytes, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as m:
        m.setattr(wordgrid, "may_hold_statistics_heading", lambda _chars: True)
        return read_pdf(data)


@pytest.mark.parametrize("quirks", [("no_rules",), ("frame_header_rule", "split_table"), ()])
@pytest.mark.parametrize("version", ["gov2019", "gov2021"])
def test_demo_renderings_read_the_same_with_and_without_triage(version, quirks, monkeypatch) -> None:
    data = demo_pdf(version, quirks)
    logging.disable(logging.WARNING)
    try:
        assert repr(read_pdf(data)) == repr(_read_without_triage(data, monkeypatch))
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.parametrize("path", sorted(p.relative_to(real_reports_dir()).as_posix()
                                        for p in real_reports_dir().glob("*/report.pdf")))
def test_real_reports_read_the_same_with_and_without_triage(path: str, monkeypatch) -> None:
    data = (real_reports_dir() / path).read_bytes()
    assert repr(read_pdf(data)) == repr(_read_without_triage(data, monkeypatch))


def test_the_triage_passes_over_running_text_pages_of_the_real_reports(monkeypatch) -> None:
    """It does pay: some pages of running text are not laid out in words at all."""
    laid_out = []
    original = wordgrid.words_from_chars
    monkeypatch.setattr(wordgrid, "words_from_chars", lambda chars, *a: laid_out.append(1) or original(chars, *a))
    calls = []
    search = wordgrid.add_unruled_tables
    monkeypatch.setattr(wordgrid, "add_unruled_tables", lambda *a: calls.append(1) or search(*a))
    for path in sorted(real_reports_dir().glob("*/report.pdf")):
        read_pdf(path.read_bytes())
    assert 0 < len(laid_out) < len(calls)
