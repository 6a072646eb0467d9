"""``transform.values.parse_cell``: printed cell text → number, or the reason it is not one."""

from __future__ import annotations

import pytest

from transform.values import parse_cell


@pytest.mark.parametrize(("raw", "value", "note"), [
    ("22（其中修订16件）", 22, "其中修订16件"),
    ("55（含自然失效29件）", 55, "含自然失效29件"),
    ("13(其中修订2件)", 13, "其中修订2件"),
    ("13（其中修訂2件）", 13, "其中修訂2件"),
    ("12件（其中修订2件）", 12, "其中修订2件"),
    ("1,234（包括3件）", 1234, "包括3件"),
    ("22\n（其中修订16件）", 22, "其中修订16件"),
])
def test_a_bracketed_note_after_the_number_keeps_the_leading_number(raw, value, note):
    parsed = parse_cell(raw)
    assert (parsed.kind, parsed.value, parsed.annotation) == ("number", value, note)


@pytest.mark.parametrize("raw", ["660 663", "12（16）", "（其中修订2件）", "12（注1）", "约12（其中修订2件）",
                                 "2\n2（其中修订1件）", "12*", "12①"])
def test_anything_else_is_refused(raw):
    assert parse_cell(raw).kind == "invalid"


def test_a_note_does_not_make_a_decimal_or_a_sign_allowed():
    assert parse_cell("1.5（其中修订1件）").kind == "invalid"
    assert parse_cell("-3（其中修订1件）").kind == "invalid"
    assert parse_cell("-3（其中修订1件）", signed_ok=True).value == -3


@pytest.mark.parametrize(("raw", "kind", "value"), [
    ("", "null", None), ("—", "null", None), ("无", "null", None), ("０１２", "number", 12), ("1,234", "number", 1234),
    ("12件", "number", 12), ("1 2 6", "number", 126), ("1\n2", "split", 12),
])
def test_plain_cells(raw, kind, value):
    parsed = parse_cell(raw)
    assert (parsed.kind, parsed.value) == (kind, value)


def test_units_and_placeholders_in_traditional_characters():
    assert (parse_cell("54項").value, parse_cell("54項").unit) == (54, "项")
    assert parse_cell("無").kind == "null"
    assert parse_cell("-5項", signed_ok=True).value == -5
