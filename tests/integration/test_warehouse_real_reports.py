"""The real reports of shared/real-reports, extracted by ``transform.runner.extract_file`` and loaded into
the warehouse: the views must show the printed numbers of truth.json (hand-checked), derive blank
totals from their printed parts, keep contradictory printed totals as printed, and put the two 洪泽
years and the two 平潭 years under one agency each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.realreports import shared_dir

from warehouse.db import connect_readonly
from warehouse.load import load_results

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


REAL = shared_dir() / "real-reports"
NAMES = sorted(
    p.name for p in REAL.iterdir() if (p / "truth.json").is_file() and (p / "report.pdf").is_file()
)
NEW, CARRIED, RESULTS, FORWARD = (
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三/(七)总计",
    "四、结转下年度继续办理",
)


def truth(name: str) -> dict:
    return json.loads((REAL / name / "truth.json").read_text(encoding="utf-8"))


def expected_total(values: list) -> int | None:
    """The 总计 as printed; when printed blank, the sum of the printed applicant cells (derived)."""
    if values[6] is not None:
        return values[6]
    parts = [v for v in values[:6] if v is not None]
    return sum(parts) if parts else None


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from transform.runner import extract_file

    results = {name: extract_file(REAL / name / "report.pdf") for name in NAMES}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XXGK_OCR", "0")  # the scan stands for an unreadable (unsupported) report here
        scanned = extract_file(REAL / "js-huaian-hongze-2023" / "report_scanned.pdf")
    db = tmp_path_factory.mktemp("real") / "w.duckdb"
    summary = load_results(db, [*results.values(), scanned])
    con = connect_readonly(db)
    yield con, results, scanned, summary
    con.close()


def view_row(con, result: dict) -> dict:
    # the values, and their lineage from the companion view (<measure>_source)
    cur = con.execute("""SELECT y.*, s.* EXCLUDE (agency_id, agency_name, report_year, report_id, sha256)
                         FROM out_agency_year y JOIN out_agency_year_sources s USING (agency_id, report_year)
                         WHERE y.sha256 = ?""", [result["sha256"]])
    names = [d[0] for d in cur.description]
    found = [dict(zip(names, r)) for r in cur.fetchall()]
    assert len(found) == 1, result["report"]
    return found[0]


@pytest.mark.parametrize("name", NAMES)
def test_agency_year_shows_the_printed_numbers(warehouse, name):
    con, results, _scanned, _summary = warehouse
    t = truth(name)
    row = view_row(con, results[name])
    apps = t["applications"]
    assert row["report_year"] == t["year"]
    assert row["new_received"] == expected_total(apps[NEW])
    assert row["carried_over"] == expected_total(apps[CARRIED])
    assert row["results_total"] == expected_total(apps[RESULTS])
    assert row["carried_forward"] == expected_total(apps[FORWARD])
    assert row["granted"] == expected_total(apps["三/(一)予以公开"])
    assert row["granted_source"] == ("printed" if apps["三/(一)予以公开"][6] is not None else "derived")
    rl = t["review_litigation"]
    # printed 总计 wins even when it contradicts its parts (洪泽 2023 prints 0 beside non-zero cells)
    review_total = rl[4] if rl[4] is not None else sum(v for v in rl[:4] if v is not None)
    assert row["review_total"] == review_total
    if rl[9] is not None and rl[14] is not None:
        assert row["litigation_total"] == rl[9] + rl[14]
    natural = apps[NEW][0]
    if natural is not None and row["new_received"]:
        assert row["natural_person_numerator"] == natural
        assert row["natural_person_pct"] == pytest.approx(100 * natural / row["new_received"])


def test_blank_total_column_is_derived_for_shanghai(warehouse):
    con, results, _s, _ = warehouse
    row = view_row(con, results["sh-city-office-2019"])
    apps = truth("sh-city-office-2019")["applications"]
    assert apps["三/(一)予以公开"][6] is None
    assert (row["granted"], row["granted_source"]) == (
        sum(v for v in apps["三/(一)予以公开"][:6] if v),
        "derived",
    )
    assert row["format_version"] == "gov2019"


def test_same_agency_across_years(warehouse):
    con, results, _s, _ = warehouse
    hongze = {
        view_row(con, results[n])["agency_id"] for n in ("js-huaian-hongze-2023", "js-huaian-hongze-2024")
    }
    pingtan = {view_row(con, results[n])["agency_id"] for n in ("fj-pingtan-2019", "fj-pingtan-2022")}
    city = view_row(con, results["js-huaian-city-2024"])["agency_id"]
    assert len(hongze) == 1 and len(pingtan) == 1 and city not in hongze
    assert view_row(con, results["js-huaian-hongze-2024"])["level"] == "district"
    assert view_row(con, results["js-huaian-city-2024"])["level"] == "city"


def test_cross_year_carry_check_for_hongze(warehouse):
    con, results, _s, _ = warehouse
    agency = view_row(con, results["js-huaian-hongze-2024"])["agency_id"]
    row = con.execute(
        "SELECT carried_over, carried_forward_prev, carry_check_ok FROM out_year_over_year "
        "WHERE agency_id = ? AND report_year = 2024",
        [agency],
    ).fetchall()[0]
    this_year = expected_total(truth("js-huaian-hongze-2024")["applications"][CARRIED])
    last_year = expected_total(truth("js-huaian-hongze-2023")["applications"][FORWARD])
    assert row == (this_year, last_year, this_year == last_year)


def test_failed_checks_reach_validation_with_page(warehouse):
    con, results, _s, _ = warehouse
    failed = {(c["rule"], c["where"]) for c in results["js-huaian-hongze-2023"]["checks"] if not c["ok"]}
    assert failed  # 洪泽 2023 prints 表四 totals that contradict their parts
    rows = con.execute(
        "SELECT code, location, page, raw_text FROM out_validation WHERE kind = 'check' AND sha256 = ?",
        [results["js-huaian-hongze-2023"]["sha256"]],
    ).fetchall()
    assert {(code, loc) for code, loc, _p, _r in rows} == failed
    assert all(page is not None and raw for _c, _l, page, raw in rows)


def test_scanned_copy_is_a_document_not_a_report(warehouse):
    con, _results, scanned, summary = warehouse
    state = con.execute(
        "SELECT document_state, report_id FROM core_documents WHERE sha256 = ?", [scanned["sha256"]]
    ).fetchall()
    assert state == [(scanned["status"], None)] and scanned["status"] != "ok"
    assert summary["reports_current"] == len(NAMES)
