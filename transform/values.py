"""Printed cell text → number, with the reason whenever the text is not a plain number.

A blank or placeholder is ``None`` (never 0). A unit or thousands separator is read and reported.
Digits broken over two lines of one cell are only a *candidate*: the table's own sums must confirm it
(see ``transform.tables``) before it is kept, flagged ``repaired``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from transform.schema import LABEL_CACHE_SIZE, load_schema
from extract.hanzi import to_simplified

_NUMBER = re.compile(r"^[+\-]?\d+(\.\d+)?$")
_GROUPED = re.compile(r"^[+\-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_SPLIT_DIGITS = re.compile(r"^\d+(\n\d+)+$")
# Digit groups separated by spaces on one line: "1 2 6" is one number spread out (distributed alignment),
# but "660 663" is two numbers in one cell (an old and a corrected figure), never 660663.
_SPACED_DIGITS = re.compile(r"\d+(?:[ \t\u00a0]+\d+)+")
# Web editors (UEditor, pasted WeChat text) leave invisible characters around numbers and inside labels.
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-", "－": "-", "﹣": "-", "＋": "+"})


@lru_cache(maxsize=1)
def _null_tokens() -> frozenset[str]:
    return frozenset(unicodedata.normalize("NFKC", t).strip() for t in load_schema()["normalization"]["null_tokens"])


@lru_cache(maxsize=1)
def _units() -> tuple[str, ...]:
    units = load_schema()["normalization"]["number"]["unit_suffixes"]
    return tuple(sorted(units, key=len, reverse=True))  # 万元 before 元


@dataclass(frozen=True)
class Parsed:
    """A parsed cell: ``kind`` is number | null | split | invalid."""

    kind: str
    value: int | Decimal | None = None
    unit: str | None = None
    note: str | None = None  # why this is not a plain number (thousands separator, unit, sign…)
    annotation: str | None = None  # a note printed in brackets after the number ("其中修订16件"), as printed


# "22（其中修订16件）": a number, then one bracketed note (after NFKC the brackets are half-width).
_ANNOTATED = re.compile(r"^(?P<number>[^()]+?)\s*\((?P<note>[^()]+)\)$", re.S)


def _note_markers() -> tuple[str, ...]:
    return tuple(load_schema()["normalization"]["number"]["note_markers"])


def _split_annotation(text: str) -> tuple[str, str] | None:
    """(number text, note) when ``text`` is a number followed by a bracketed note opened by a note marker."""
    m = _ANNOTATED.match(text)
    if not m:
        return None
    note = to_simplified(re.sub(r"\s+", "", m.group("note")))
    if not note.startswith(_note_markers()):
        return None
    return m.group("number"), m.group("note").strip()


@lru_cache(maxsize=LABEL_CACHE_SIZE)  # Parsed is frozen: a cached answer cannot be changed by a caller
def parse_cell(raw: str, *, decimal_ok: bool = False, signed_ok: bool = False) -> Parsed:
    """Parse one printed cell as the schema's number rules say."""
    # NFKC would turn a footnote marker into a digit (14① → 141, 26² → 262): refuse it before normalising.
    if any(unicodedata.category(ch) == "No" for ch in raw or ""):
        return Parsed("invalid", note=f"footnote marker or special numeral in {raw!r}")
    # Units and placeholders printed in traditional characters (12項, 無) are the schema's (12项, 无).
    printed = unicodedata.normalize("NFKC", _ZERO_WIDTH.sub("", raw or "")).strip()
    text = to_simplified(printed)
    annotated = _split_annotation(printed)  # the note is kept as printed
    if annotated is not None:
        number, note = annotated
        parsed = parse_cell(number, decimal_ok=decimal_ok, signed_ok=signed_ok)
        if parsed.kind != "number":
            return Parsed("invalid", note=f"a note beside something that is not a number: {raw!r}")
        return replace(parsed, annotation=note)
    if any(len(group) > 1 for run in _SPACED_DIGITS.findall(text) for group in run.split()):
        return Parsed("invalid", note=f"digits separated by a space (two numbers in one cell?): {raw!r}")
    compact = re.sub(r"[ \t\u00a0\u3000]+", "", text)
    if compact in _null_tokens() or re.fullmatch(r"[\s\-—–/\\]*", compact):
        return Parsed("null", note="placeholder" if compact else "blank")
    if _SPLIT_DIGITS.match(compact):
        return Parsed("split", int(compact.replace("\n", "")), note="digits broken over lines")
    compact = compact.replace("\n", "").translate(_MINUS)
    unit = None
    for u in _units():
        if compact.endswith(u) and len(compact) > len(u):
            unit, compact = u, compact[: -len(u)]
            break
    note = f"unit {unit}" if unit else None
    if _GROUPED.match(compact) or re.match(r"^\d{1,3}(，\d{3})+$", compact):
        compact = compact.replace(",", "").replace("，", "")
        note = "thousands separator" + (f", {note}" if note else "")
    if not _NUMBER.match(compact):
        return Parsed("invalid", note=f"not a number: {raw!r}")
    if compact[0] in "+-" and not signed_ok:
        return Parsed("invalid", note=f"sign not allowed here: {raw!r}")
    if "." in compact:
        if not decimal_ok:
            return Parsed("invalid", note=f"decimal in a count column: {raw!r}")
        try:
            return Parsed("number", Decimal(compact), unit=unit, note=note)
        except InvalidOperation:
            return Parsed("invalid", note=f"not a number: {raw!r}")
    value: int | Decimal = Decimal(compact) if decimal_ok else int(compact)
    return Parsed("number", value, unit=unit, note=note)


def to_json_number(value: int | Decimal | None) -> int | float | None:
    """JSON form of a value: ints stay ints, money keeps its printed decimals as a float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    return value
