"""OCR trust: a report read from pictures is `ok` only when every OCR'd cell is sure and every rule holds.

The documents here are a real report's text PDF whose cells are then marked as if OCR had read them
(confidence, box), and misread on purpose the way OCR misreads: this tests the trust rules without the
cost of the recogniser (the recogniser itself is tested on the real scans in test_ocr_real_reports).
"""

from __future__ import annotations

from functools import cache

import pytest

from extract.documents.model import Document, RawTable
from extract.documents.pdf import read_pdf
from tests.realreports import REAL, expected_tables
from transform.report import build_report

NAME = "js-huaian-city-2024"  # passes every rule as printed


@cache
def _pdf() -> bytes:
    return (REAL / NAME / "report.pdf").read_bytes()


def _as_ocr(confidence: float = 0.999) -> Document:
    """The report with every table cell marked as read by OCR (its pages counted as OCR'd)."""
    doc = read_pdf(_pdf())
    for table in doc.tables:
        for cell in {id(c): c for row in table.grid for c in row if c is not None}.values():
            cell.ocr = {"confidence": confidence, "box": [1, 2, 3, 4], "image": f"page {cell.page}"}
    doc.ocr_pages = sorted({t.page for t in doc.tables})
    return doc


def _cell(doc: Document, text: str, row_label: str):
    """The number cell printing ``text`` in the row whose label contains ``row_label``."""
    for table in doc.tables:
        assert isinstance(table, RawTable)
        for r in range(table.n_rows):
            texts = table.row_texts(r)
            if any(row_label in t for t in texts):
                for cell in table.distinct_cells(r):
                    if cell.text.strip() == text:
                        return cell
    raise LookupError((text, row_label))


def _codes(out: dict) -> list[str]:
    return [i["code"] for i in out["issues"]]


def test_sure_cells_and_rules_holding_are_ok_and_every_number_says_ocr():
    out = build_report(_as_ocr())
    assert out["status"] == "ok"
    assert out["cells_source"] and all(s["ocr"] is True and s["confidence"] == 0.999 and s["image_box"] == [1, 2, 3, 4]
                                       for s in out["cells_source"])
    assert "ocr" in _codes(out)
    assert out["tables"] == expected_tables(NAME)


def test_an_unsure_cell_makes_a_warning_that_names_it():
    doc = _as_ocr()
    _cell(doc, "3001", "本年新收").ocr["confidence"] = 0.6
    out = build_report(doc)
    assert out["status"] == "warning"
    issue = next(i for i in out["issues"] if i["code"] == "ocr_low_confidence")
    assert "t3_requests.new_received.natural_person=3001" in issue["message"]
    assert out["tables"] == expected_tables(NAME)  # nothing changed, only flagged


@pytest.mark.parametrize(("printed", "misread"), [("3001", "3007"), ("746", "46")])
def test_a_usual_misreading_breaks_the_rules_and_the_one_fix_is_proposed_not_applied(printed, misread):
    doc = _as_ocr()
    label = "本年新收" if printed == "3001" else "本机关不掌握"
    _cell(doc, printed, label).text = misread
    out = build_report(doc)
    assert out["status"] == "warning"
    assert "ocr_check_failed" in _codes(out)
    suggestion = next(i for i in out["issues"] if i["code"] == "ocr_suggestion")
    assert suggestion["raw"] == misread and f"as {printed} instead of {misread}" in suggestion["message"]
    row = "new_received" if printed == "3001" else "unable_not_held"
    assert out["tables"]["t3_requests"]["cells"][row]["natural_person"] == int(misread)  # never applied


def test_no_suggestion_when_a_misreading_is_not_one_usual_confusion():
    doc = _as_ocr()
    _cell(doc, "3001", "本年新收").text = "3042"
    out = build_report(doc)
    assert out["status"] == "warning" and "ocr_check_failed" in _codes(out)
    assert "ocr_suggestion" not in _codes(out)


def test_text_layer_reports_are_untouched():
    out = build_report(read_pdf(_pdf()))
    assert not any("ocr" in s for s in out["cells_source"])
    assert not any(c.startswith("ocr") for c in _codes(out))
