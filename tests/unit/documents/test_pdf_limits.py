"""PDF object caps (issue 15): hostile pages are refused quickly with ``parser_limit`` naming the cap.

A page of 1.2 M rectangles or 200 k text runs, or a flate bomb, must not use the whole time and memory
budget of the isolated child: the reader counts first and refuses, so the limit named is the reader's own
(``pdf_…``), not the child's memory or time limit.
"""

from __future__ import annotations

import time
import zlib

import pytest

from extract.documents.model import DocumentError
from extract.documents.pdf import read_pdf
from transform.runner import extract_isolated


def pdf_with_page(content: bytes, *, compress: bool = True, extra_streams: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF (A4, Helvetica as F1) whose page draws ``content``; valid xref, so every reader opens it."""
    stream = zlib.compress(content, 9) if compress else content
    filters = b"/Filter /FlateDecode " if compress else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< " + filters + b"/Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for extra in extra_streams:
        objects.append(b"<< /Filter /FlateDecode /Length " + str(len(extra)).encode() + b" >>\nstream\n" + extra
                       + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def rectangles(n: int) -> bytes:
    return b"".join(b"%d %d 2 2 re f\n" % (i % 590, (i // 590) % 840) for i in range(n))


def text_runs(n: int) -> bytes:
    return b"BT /F1 4 Tf " + b"".join(b"1 0 0 1 %d %d Tm (a) Tj\n" % (i % 590, (i // 590) % 840) for i in range(n)) + b"ET"


def limit_of(data: bytes) -> str | None:
    with pytest.raises(DocumentError) as caught:
        read_pdf(data)
    assert caught.value.code == "parser_limit"
    return caught.value.limit


def test_a_page_of_1_2_million_rectangles_is_refused_quickly_naming_the_object_cap():
    data = pdf_with_page(rectangles(1_200_000))
    started = time.monotonic()
    out = extract_isolated(data, "rects.pdf", timeout_s=120, memory_mb=1536)
    assert time.monotonic() - started < 60
    assert out["status"] == "failed"
    assert [i["code"] for i in out["issues"]] == ["parser_limit"]
    assert out["issues"][0]["limit"] == "pdf_page_objects", out["issues"]
    assert "rects.pdf" in out["issues"][0]["message"]


def test_200_thousand_text_runs_hit_the_same_cap_for_pdfminer_too():
    """Counted before any reader runs: the pdfminer reference path is refused the same way."""
    data = pdf_with_page(text_runs(200_000))
    assert limit_of(data) == "pdf_page_objects"
    with pytest.raises(DocumentError) as caught:
        read_pdf(data, engine="pdfminer")
    assert caught.value.limit == "pdf_page_objects"


def test_a_flate_bomb_is_flagged_as_such_before_anything_inflates_it():
    bomb = zlib.compress(b"\0" * (600 * 1024 * 1024), 9)  # ~600 KB standing for 600 MB
    data = pdf_with_page(b"BT /F1 12 Tf 72 700 Td (2023) Tj ET", extra_streams=(bomb,))
    started = time.monotonic()
    assert limit_of(data) == "pdf_inflated_size"
    assert time.monotonic() - started < 20


def test_pages_under_the_caps_read_as_before():
    """A busy but honest page (a few thousand shapes and text runs) is read, not refused."""
    doc = read_pdf(pdf_with_page(rectangles(3000) + text_runs(2000)))
    assert doc.n_pages == 1 and not doc.notes
