"""PDFium's characters carry the keys the PDF reader reads (``CHAR_KEYS``) and no others; pdfminer's carry at
least those, so the reader's code runs on a page from either library."""

from __future__ import annotations

import ctypes
import io

import pdfplumber
import pypdfium2 as pdfium
import pytest

from extract.documents import pdfium_page
from extract.documents.pdfium_page import CHAR_KEYS

from .test_pdf_equivalence import demo_pdf
from .truth_tables import real_reports_dir


def sample_pdfs() -> list:
    real = sorted(real_reports_dir().glob("*/report.pdf"))[:2]
    return ([pytest.param(path.read_bytes, id=path.parent.name) for path in real]
            + [pytest.param(lambda: demo_pdf("gov2021", ("landscape",)), id="demo-landscape"),
               pytest.param(lambda: demo_pdf("gov2019", ("year_only_in_body", "traditional")), id="demo-traditional")])


@pytest.mark.parametrize("load", sample_pdfs())
def test_pdfium_characters_have_the_read_keys_and_pdfminer_s_have_them_too(load) -> None:
    data = load()
    document = pdfium.PdfDocument(data)
    try:
        pdfium_chars = [ch for i in range(len(document)) for ch in pdfium_page.read_page(document[i]).chars]
    finally:
        document.close()
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        pdfminer_chars = [ch for page in plumber.pages for ch in page.chars]
    assert pdfium_chars and pdfminer_chars
    assert {tuple(sorted(ch)) for ch in pdfium_chars} == {tuple(sorted(CHAR_KEYS))}
    assert all(set(CHAR_KEYS) <= set(ch) for ch in pdfminer_chars)



@pytest.mark.parametrize("load", sample_pdfs())
def test_the_characters_pdfium_generates_are_exactly_those_without_a_text_object(load) -> None:
    # _chars skips a character without a text object as generated (and asks only then): a PDFium that
    # generated characters inside text objects, or left a printed one without, would fail here first.
    document = pdfium.PdfDocument(load())
    try:
        generated = without_object = 0
        for index in range(len(document)):
            textpage = document[index].get_textpage()
            raw = ctypes.cast(textpage.raw, ctypes.c_void_p)
            for i in range(pdfium_page._count_chars(raw)):
                is_generated = pdfium_page._is_generated(raw, i) == 1
                has_object = bool(pdfium_page._text_object(raw, i))
                generated += is_generated
                without_object += not has_object
                assert is_generated != has_object, f"page {index + 1}, character {i}"
    finally:
        document.close()
    assert generated > 0 and generated == without_object
