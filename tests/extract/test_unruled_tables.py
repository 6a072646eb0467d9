"""Issue 10 item 1: PDF statistics tables printed without inner rules, read from the word positions.

WPS and some Word exports lose the inner borders: only the outer frame and a rule under the header
(``frame_header_rule``), or no rules at all (``no_rules``). The demo renderer prints both; the report
must come out exactly as rendered, and a ruled table must keep its reading (the rest of the suite).
"""

from __future__ import annotations

import pytest

from demo.render import render_report
from demo.values import generate_report
from transform.runner import extract_bytes
from tests.extract.variant_html import cell_diffs

AGENCY, REGION = "淮安市洪泽区人民政府", "江苏省淮安市洪泽区"


def _report(version: str, seed: int, blanks: bool = False) -> dict:
    return generate_report(AGENCY, REGION, 2023 if version == "gov2021" else 2020, version, seed, blanks=blanks)


def _diffs(rep: dict, out: dict) -> list[str]:
    return cell_diffs(rep["tables"], out["tables"])


@pytest.mark.parametrize("rules", ["frame_header_rule", "no_rules"])
@pytest.mark.parametrize("version", ["gov2021", "gov2019"])
def test_unruled_tables_read_exactly(rules, version):
    rep = _report(version, 7)
    out = extract_bytes(render_report(rep, "pdf", [rules]), f"{rules}.pdf")
    assert _diffs(rep, out) == []
    assert out["status"] == "ok", out["issues"]


@pytest.mark.parametrize(("rules", "quirk"), [("no_rules", "units"), ("frame_header_rule", "label_typos"),
                                              ("no_rules", "halfwidth_labels"), ("frame_header_rule", "thousands"),
                                              ("frame_header_rule", "landscape")])
def test_unruled_tables_with_other_quirks(rules, quirk):
    rep = _report("gov2021", 5)
    out = extract_bytes(render_report(rep, "pdf", [rules, quirk]), "quirks.pdf")
    assert _diffs(rep, out) == []
    assert out["status"] in ("ok", "warning")


def test_unruled_tables_with_blanks_are_exact_or_not_ok():
    # Rows printed all blank have no numbers to anchor them; where the layout leaves them ambiguous
    # the report must refuse (missing_row), never put numbers in the wrong row under ok.
    for seed in (0, 2, 4):
        for version in ("gov2021", "gov2019"):
            rep = _report(version, seed, blanks=True)
            for rules in ("frame_header_rule", "no_rules"):
                out = extract_bytes(render_report(rep, "pdf", [rules]), "blanks.pdf")
                assert out["status"] != "ok" or _diffs(rep, out) == [], (seed, version, rules)


@pytest.mark.parametrize("quirk", ["split_table", "repeat_group_label"])
@pytest.mark.parametrize("rules", ["frame_header_rule", "no_rules"])
@pytest.mark.parametrize("version", ["gov2021", "gov2019"])
def test_an_unruled_table_continued_over_a_page_break_is_read_exactly(quirk, rules, version):
    # The label wrapped over the break (1.本机关不掌握相关政府信 | 息 19 0 0 …) opens the next page without numbers:
    # a body line there, not a header (it was read as one: missing_row unable_not_held).
    rep = _report(version, 1)
    out = extract_bytes(render_report(rep, "pdf", [rules, quirk]), "continued.pdf")
    assert _diffs(rep, out) == []
    assert out["status"] == "ok", out["issues"]
