"""The flate-bomb check inflates nothing when the streams' bytes cannot reach the cap, and still refuses a bomb.

Deflate expands a byte to at most 1032 (RFC 1951: a 258-byte match in two bits), so a file whose Flate
streams hold under cap / 1032 bytes in all cannot inflate past the cap; a bomb just past it must be inflated.
"""

from __future__ import annotations

import zlib

import pytest

from extract.documents import pdf
from extract.documents.model import DocumentError

from .test_pdf_limits import pdf_with_page
from .truth_tables import real_reports_dir


def test_deflate_never_expands_past_the_ratio_the_check_relies_on() -> None:
    for data in (b"\0" * (8 << 20), b"ab" * (4 << 20), bytes(range(256)) * 4096):
        for level in (1, 6, 9):
            packed = zlib.compress(data, level)
            assert len(data) <= pdf.MAX_DEFLATE_RATIO * len(packed)


def test_a_real_report_is_checked_without_inflating_a_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    inflated = []
    monkeypatch.setattr(pdf, "_inflated_size", lambda *args: inflated.append(args) or 0)
    for path in sorted(real_reports_dir().glob("*/report.pdf")):
        data = path.read_bytes()
        assert len(list(pdf._flate_streams(data))) > 5
        pdf._check_inflated_size(data)
    assert inflated == []


def test_a_bomb_just_past_the_cap_is_inflated_and_refused() -> None:
    cap = pdf.MAX_INFLATED_MB * 1024 * 1024
    bomb = zlib.compress(b"\0" * (cap + (1 << 20)), 9)
    data = pdf_with_page(b"BT /F1 12 Tf 72 700 Td (2023) Tj ET", extra_streams=(bomb,))
    with pytest.raises(DocumentError) as caught:
        pdf._check_inflated_size(data)
    assert caught.value.limit == "pdf_inflated_size"


def test_streams_under_the_cap_are_counted_when_their_bytes_could_reach_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the cap lowered under the bound the streams are inflated and counted as before: a file whose
    streams inflate past the (lowered) cap is refused, one whose streams do not is let through."""
    data = pdf_with_page(b"BT /F1 12 Tf 72 700 Td (2023) Tj ET", extra_streams=(zlib.compress(b"\0" * (3 << 20)),))
    monkeypatch.setattr(pdf, "MAX_INFLATED_MB", 2)
    with pytest.raises(DocumentError):
        pdf._check_inflated_size(data)
    monkeypatch.setattr(pdf, "MAX_INFLATED_MB", 4)
    pdf._check_inflated_size(data)
