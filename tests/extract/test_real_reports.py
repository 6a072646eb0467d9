"""Every real report of shared/real-reports, in every form it was published in, comes out exactly as its truth."""

from __future__ import annotations

import pytest

from transform.runner import extract_file
from tests.realreports import NAMES, REAL, expected_tables, failed_rules, truth

FORMS = ["report.pdf", "report_lo.pdf", "report_original.pdf", "source.html", "report.docx"]
CASES = [(n, f) for n in NAMES for f in FORMS if (REAL / n / f).is_file()]


@pytest.fixture(scope="module")
def results() -> dict:
    return {}


def _extract(results: dict, name: str, form: str) -> dict:
    key = (name, form)
    if key not in results:
        results[key] = extract_file(REAL / name / form)
    return results[key]


@pytest.mark.parametrize(("name", "form"), CASES)
def test_every_cell_as_printed(results, name, form):
    out = _extract(results, name, form)
    expected = expected_tables(name)
    assert set(out["tables"]) == set(expected)
    for tid, table in expected.items():
        got = out["tables"][tid]
        assert got["version"] == table["version"], tid
        for row, cols in table["cells"].items():
            assert got["cells"][row] == cols, f"{tid}.{row}"
        assert set(got["cells"]) == set(table["cells"]), tid


@pytest.mark.parametrize(("name", "form"), CASES)
def test_year_agency_and_failed_checks(results, name, form):
    out = _extract(results, name, form)
    t = truth(name)
    assert out["report"]["year"] == t["year"]
    assert out["report"]["agency"] in t["agency"]
    failed = {(c["rule"].removesuffix("_2019").removesuffix("_2021"), c["where"]) for c in out["checks"] if not c["ok"]}
    assert failed == failed_rules(name)
    # A report that prints inconsistent numbers is reported as printed, flagged, never "ok".
    assert out["status"] == ("ok" if not failed and not t["blank_cells"] else "warning")


@pytest.mark.parametrize(("name", "form"), CASES)
def test_lineage_for_every_cell(results, name, form):
    out = _extract(results, name, form)
    n_cells = sum(len(cols) for t in out["tables"].values() for cols in t["cells"].values())
    assert len(out["cells_source"]) == n_cells
    for src in out["cells_source"]:
        if form.endswith(".pdf"):
            assert src["page"] >= 1 and len(src["bbox"]) == 4
        else:
            assert src["page"] is None and src["path"]


@pytest.mark.parametrize("name", NAMES)
def test_scanned_copy_gives_no_numbers_without_ocr(name, monkeypatch):
    monkeypatch.setenv("XXGK_OCR", "0")  # --no-ocr; tests/extract/test_ocr_real_reports.py reads them with OCR
    out = extract_file(REAL / name / "report_scanned.pdf")
    assert out["status"] == "unsupported"
    assert out["tables"] == {}
    assert [i["code"] for i in out["issues"]] == ["scanned"]


def test_blank_cells_stay_null_with_an_issue(results):
    out = _extract(results, "sh-city-office-2019", "source.html")
    t3 = out["tables"]["t3_requests"]["cells"]
    assert t3["granted"]["total"] is None
    blanks = [i for i in out["issues"] if i["code"] == "blank_cell"]
    assert len(blanks) == len(truth("sh-city-office-2019")["blank_cells"])
    assert all(i["severity"] == "warning" for i in blanks)


def test_unit_in_cell_is_read_and_reported(results):
    out = _extract(results, "sh-city-office-2019", "source.html")
    assert out["tables"]["t2_art20_9"]["cells"]["gov_central_procurement"]["procurement_amount"] == 251000
    units = [i for i in out["issues"] if i["code"] == "unit_in_cell"]
    assert units and units[0]["raw"] == "251000元"
