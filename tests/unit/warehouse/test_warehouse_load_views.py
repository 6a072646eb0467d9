"""Loading the 示例区 world (tests.synthetic.district_dataset) and checking every out_ view
against numbers computed by hand from the printed tables (see the dataset's docstring)."""

from datetime import date

import pytest

from warehouse.agencies import agency_id_for

from warehouse.db import connect_readonly
from warehouse.load import load_results
from tests.synthetic import district_dataset, make_result, manifest_entry

# the synthetic district's bodies: their keys carry the registry admin code of the site (110199)
GOV, FIN, EDU, TOWN = (
    agency_id_for(f"110199:{key}") for key in ("示例区人民政府", "示例区财政局", "示例区教育局", "示例区岔河镇人民政府")
)
HEALTH = None


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    results, manifest = district_dataset()
    summary = load_results(db, results.values(), manifest)
    con = connect_readonly(db)
    con.execute("SET VARIABLE xxgk_as_of = DATE '2023-06-01'")  # every year up to 2022 is due
    yield db, con, summary, results
    con.close()


def rows(con, sql, *params):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def one(con, sql, *params):
    found = rows(con, sql, *params)
    assert len(found) == 1, found
    return found[0]


def ay(con, name, year):
    return one(
        con,
        """SELECT y.*, s.* EXCLUDE (agency_id, agency_name, report_year, report_id, sha256)
           FROM out_agency_year y JOIN out_agency_year_sources s USING (agency_id, report_year)
           WHERE y.agency_name LIKE ? AND y.report_year = ?""",
        f"%{name}",
        year,
    )


def test_summary_counts(world):
    _db, _con, summary, _ = world
    assert summary["documents"] == 14
    assert summary["reports_loaded"] == 12  # 14 documents - unsupported - not_a_report
    assert summary["reports_current"] == 11 and summary["reports_superseded"] == 1
    assert summary["agencies"] == 5


def test_same_body_under_three_printed_names_is_one_agency(world):
    _db, con, _, _ = world
    agency = one(con, "SELECT * FROM core_agencies WHERE agency_key = '110199:示例区人民政府'")
    assert sorted(agency["names_seen"]) == ["北京市示例区人民政府", "示例区政府"]
    assert agency["level"] == "district"
    years = [
        r["report_year"]
        for r in rows(
            con, "SELECT report_year FROM out_agency_year WHERE agency_id = ? ORDER BY 1", agency["agency_id"]
        )
    ]
    assert years == [2020, 2021, 2022]


def test_agency_year_counts_and_rates_gov2021(world):
    con = world[1]
    r = ay(con, "示例区人民政府", 2021)
    assert (r["new_received"], r["carried_over"], r["results_total"], r["carried_forward"]) == (60, 5, 54, 11)
    assert (r["granted"], r["partially_granted"]) == (35, 7)
    # derived rows: gov2021 其他处理 = 2 + 0 + 1; subtotals from their reasons
    assert (r["other_processing"], r["other_processing_source"]) == (3, "derived")
    assert (
        r["denied_subtotal"],
        r["denied_process_info"],
        r["unable_subtotal"],
        r["not_processed_subtotal"],
    ) == (2, 2, 6, 1)
    assert (r["disclosure_numerator"], r["disclosure_denominator"]) == (42, 54)
    assert r["disclosure_pct"] == pytest.approx(100 * 42 / 54)
    assert r["natural_person_pct"] == pytest.approx(100 * 50 / 60)
    assert (r["new_received_natural_person"], r["new_received_legal_person_group"]) == (50, 10)
    # 表四: review 2/1/1/0/4; direct 1/0/0/1/2; after review 1/1/0/0/2
    assert (r["review_total"], r["review_corrected"], r["review_concluded"]) == (4, 1, 4)
    assert r["review_correction_pct"] == pytest.approx(25.0)
    assert (r["litigation_total"], r["litigation_corrected"], r["litigation_concluded"]) == (4, 1, 3)
    assert r["litigation_correction_pct"] == pytest.approx(100 / 3)
    assert (r["admin_licensing_decisions"], r["normative_docs_in_force"], r["admin_fees_fee_amount"]) == (
        120,
        20,
        12.5,
    )
    assert r["normative_docs_new_published"] is None  # a gov2019 measure stays NULL in a gov2021 report


def test_gov2019_prints_other_processing(world):
    r = ay(world[1], "示例区人民政府", 2020)
    assert r["format_version"] == "gov2019"
    assert (r["other_processing"], r["other_processing_source"]) == (3, "printed")
    assert (r["results_total"], r["disclosure_numerator"], r["denied_subtotal"]) == (47, 30, 3)
    assert r["normative_docs_in_force"] is None and r["admin_licensing_decisions"] == 100


def test_blank_total_is_derived_not_zero(world):
    con = world[1]
    r = ay(con, "示例区财政局", 2022)
    assert (r["granted"], r["granted_source"]) == (3, "derived")
    fact = one(
        con,
        """SELECT f.value, f.value_source, f.raw_text, f.page FROM core_facts f
                       JOIN core_reports r USING (report_id) WHERE r.agency_id = ? AND r.report_year = 2022
                       AND f.table_id = 't3_requests' AND f.row_code = 'granted' AND f.col_code = 'total'""",
        FIN,
    )
    assert fact == {"value": None, "value_source": "blank", "raw_text": "", "page": 4}


def test_rate_with_zero_denominator_is_null(world):
    r = ay(world[1], "示例区教育局", 2021)
    assert (r["review_correction_numerator"], r["review_correction_denominator"]) == (0, 0)
    assert r["review_correction_pct"] is None


def test_republished_report_supersedes_and_views_use_current(world):
    con = world[1]
    r = ay(con, "岔河镇人民政府", 2022)
    assert (r["new_received"], r["partially_granted"], r["n_versions"], r["version_no"]) == (6, 1, 2, 2)
    versions = rows(
        con,
        "SELECT version_no, is_current, superseded_by, report_id FROM core_reports "
        "WHERE agency_id = ? AND report_year = 2022 ORDER BY version_no",
        TOWN,
    )
    assert [(v["version_no"], v["is_current"]) for v in versions] == [(1, False), (2, True)]
    assert versions[0]["superseded_by"] == versions[1]["report_id"]


def test_failed_report_is_kept_but_not_ranked(world):
    con = world[1]
    r = ay(con, "示例区卫生健康委员会", 2022)
    assert r["extract_status"] == "failed" and r["new_received"] is None
    assert rows(con, "SELECT * FROM out_ranking WHERE agency_name = '示例区卫生健康委员会'") == []


def test_year_over_year_and_carry_check(world):
    con = world[1]
    y2021 = one(con, "SELECT * FROM out_year_over_year WHERE agency_id = ? AND report_year = 2021", GOV)
    assert (y2021["new_received_prev"], y2021["new_received_change"]) == (50, 10)
    assert (y2021["format_version"], y2021["prev_format_version"]) == ("gov2021", "gov2019")
    assert y2021["other_processing_change"] == 0  # 3 printed (gov2019) vs 3 derived (gov2021)
    assert y2021["carry_check_ok"] is True
    y2022 = one(con, "SELECT * FROM out_year_over_year WHERE agency_id = ? AND report_year = 2022", GOV)
    assert (y2022["carried_over"], y2022["carried_forward_prev"], y2022["carry_difference"]) == (9, 11, -2)
    assert y2022["carry_check_ok"] is False
    # per column: 2022 carries over 9/0/…/9, 2021 carried forward 8/3/0/0/0/0/11
    assert y2022["carry_mismatch_columns"] == "natural_person,commercial_enterprise,total"
    assert y2021["carry_mismatch_columns"] == ""
    fin = one(con, "SELECT * FROM out_year_over_year WHERE agency_id = ? AND report_year = 2022", FIN)
    assert fin["new_received_change"] == -7


def test_ranking_within_region_level_year(world):
    con = world[1]
    ranked = rows(
        con,
        """SELECT agency_name, value, numerator, denominator, rank_in_group, n_ranked
                          FROM out_ranking WHERE level = 'department' AND report_year = 2021
                          AND measure = 'disclosure_pct' AND peer_scope = 'national' ORDER BY rank_in_group""",
    )
    assert [(r["agency_name"], r["numerator"], r["denominator"], r["rank_in_group"]) for r in ranked] == [
        ("示例区财政局", 10, 11, 1),
        ("示例区教育局", 25, 30, 2),
    ]
    assert ranked[0]["value"] == pytest.approx(100 * 10 / 11) and ranked[0]["n_ranked"] == 2
    # 4 concluded review cases: flagged, not ranked
    small = one(
        con,
        """SELECT * FROM out_ranking WHERE agency_id = ? AND report_year = 2021
                        AND measure = 'review_correction_pct' AND peer_scope = 'national'""",
        GOV,
    )
    assert small["is_small_denominator"] and small["rank_in_group"] is None and small["denominator"] == 4
    big = one(
        con,
        """SELECT * FROM out_ranking WHERE agency_id = ? AND report_year = 2022
                      AND measure = 'review_correction_pct' AND peer_scope = 'national'""",
        GOV,
    )
    assert (big["numerator"], big["denominator"], big["rank_in_group"]) == (2, 5, 1)


def test_coverage_states_and_deadlines(world):
    con = world[1]
    cov = {(r["agency_name"], r["report_year"]): r for r in rows(con, "SELECT * FROM out_coverage")}
    # each agency from its first known year to 2022 (due on 2023-06-01): gov, 财政局, 教育局 3 years,
    # 岔河镇 2021-2022, 卫健委 2022
    assert len(cov) == 3 * 3 + 2 + 1
    gov = cov[("北京市示例区人民政府", 2022)]  # a government's own report: due 31 March (条例第四十九条)
    assert (gov["deadline_date"], gov["days_after_deadline"], gov["coverage_state"]) == (
        date(2023, 3, 31),
        -34,
        "on_time",
    )
    # a town: due 31 January like a department. Its first version came on 2023-01-10, the 更正版 on
    # 2023-02-28: a correction after the deadline does not make the report late
    town = cov[("岔河镇人民政府", 2022)]
    assert (town["deadline_date"], town["published_date"], town["days_after_deadline"], town["coverage_state"]) == (
        date(2023, 1, 31),
        date(2023, 1, 10),
        -21,
        "on_time",
    )
    blocked = cov[("示例区教育局", 2022)]
    assert (blocked["is_report_found"], blocked["report_state"], blocked["is_on_time"]) == (
        False,
        "blocked",
        True,
    )
    assert ("岔河镇人民政府", 2020) not in cov  # before its first known report: not expected
    assert cov[("示例区教育局", 2022)]["coverage_state"] == "not_fetched"
    assert (cov[("示例区卫生健康委员会", 2022)]["coverage_state"], cov[("示例区卫生健康委员会", 2022)]["unreadable_reason"]) == (
        "unreadable",
        "table_missing",  # the synthetic failed report's error issue
    )
    assert cov[("岔河镇人民政府", 2022)]["deadline_date"] == date(2023, 1, 31)
    assert cov[("示例区卫生健康委员会", 2022)]["report_state"] == "failed"
    assert cov[("示例区财政局", 2021)]["report_state"] == "warning"


def test_every_document_in_exactly_one_state(world):
    con = world[1]
    states = {
        r["document_state"]: r["n"]
        for r in rows(con, "SELECT document_state, count(*) AS n FROM core_documents GROUP BY 1")
    }
    assert states == {"ok": 9, "warning": 2, "failed": 1, "unsupported": 1, "not_a_report": 1, "blocked": 1}
    assert one(con, "SELECT count(DISTINCT document_id) = count(*) AS ok FROM core_documents")["ok"]
    blocked = one(con, "SELECT * FROM core_documents WHERE document_state = 'blocked'")
    assert (
        blocked["agency_from"] == "link_title"
        and blocked["report_year"] == 2022
        and blocked["sha256"] is None
    )


def test_validation_lists_failed_checks_issues_and_cross_year(world):
    con = world[1]
    found = rows(con, "SELECT * FROM out_validation")
    balance = [r for r in found if r["code"] == "t3_balance"]
    assert {r["location"] for r in balance} == {"natural_person", "total"}
    assert all(
        r["agency_name"] == "示例区财政局" and r["report_year"] == 2021 and r["page"] == 4 for r in balance
    )
    assert "new_received.total=12" in next(r for r in balance if r["location"] == "total")["raw_text"]
    blank = one(con, "SELECT * FROM out_validation WHERE code = 'blank_cell'")
    assert (blank["location"], blank["page"], blank["url"]) == (
        "granted.total",
        4,
        "http://127.0.0.1:8001/xxgk/B2022.pdf",
    )
    carry = one(con, "SELECT * FROM out_validation WHERE kind = 'cross_year'")
    assert carry["report_year"] == 2022 and "11" in carry["message"]
    assert {r["code"] for r in found} >= {"table_missing", "unsupported", "not_a_report"}


def test_loading_again_changes_nothing(world, tmp_path):
    db, _con, _summary, results = world
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(db.read_bytes())
    tables = [
        "raw_documents",
        "raw_cells",
        "core_facts",
        "core_reports",
        "core_measures",
        "core_checks",
        "core_issues",
        "core_documents",
        "core_agencies",
        "raw_fetch_manifest",
    ]

    def counts():
        con = connect_readonly(copy)
        try:
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}
        finally:
            con.close()

    before = counts()
    _results, manifest = district_dataset()
    summary = load_results(copy, results.values(), manifest)
    assert summary["documents_unchanged"] == 14 and summary["documents_new"] == 0
    assert summary["manifest_rows_added"] == 0 and summary["reports_newly_superseded"] == 0
    assert counts() == before


def test_reextraction_by_a_new_parser_replaces_rows(world, tmp_path):
    db, _con, _summary, results = world
    copy = tmp_path / "reparse.duckdb"
    copy.write_bytes(db.read_bytes())
    redone = dict(results["B2022"], parser_version="0.2.0")
    summary = load_results(copy, [redone])
    assert summary["documents_reextracted"] == 1
    con = connect_readonly(copy)
    try:
        assert (
            con.execute("SELECT count(*) FROM raw_documents WHERE sha256 = ?", [redone["sha256"]]).fetchall()[
                0
            ][0]
            == 1
        )
        assert con.execute(
            "SELECT n_versions FROM out_agency_year WHERE agency_id = ? AND report_year = 2022", [FIN]
        ).fetchall() == [(1,)]
        assert con.execute(
            "SELECT granted FROM out_agency_year WHERE agency_id = ? AND report_year = 2022", [FIN]
        ).fetchall() == [(3,)]
    finally:
        con.close()


def test_incremental_load_of_a_new_year(world, tmp_path):
    db = world[0]
    copy = tmp_path / "inc.duckdb"
    copy.write_bytes(db.read_bytes())
    new = make_result(
        "示例区财政局",
        "北京市示例区",
        2023,
        "gov2021",
        t3={"new_received": 9, "results_total": 9, "granted": 9},
    )
    link = manifest_entry("http://127.0.0.1:8001/xxgk/B2023.pdf", new["sha256"], "new",
                          "示例区财政局2023年政府信息公开工作年度报告", "2024-01-20", "2024-01-21T08:00:00Z")
    summary = load_results(copy, [new], [link])
    assert summary["documents_new"] == 1 and summary["reports_loaded"] == 1
    con = connect_readonly(copy)
    try:
        assert con.execute(
            "SELECT new_received_change FROM out_year_over_year WHERE agency_id = ? AND report_year = 2023",
            [FIN],
        ).fetchall() == [(4,)]
        con.execute("SET VARIABLE xxgk_as_of = DATE '2024-06-01'")  # 2023 is now due for everyone
        assert con.execute("SELECT count(*) FROM out_coverage").fetchall()[0][0] == 12 + 5
    finally:
        con.close()


def test_html_cells_keep_their_path(tmp_path):
    html = make_result(
        "示例区水务局", "北京市示例区", 2022, "gov2021", t3={"new_received": 7}, media_type="text/html"
    )
    for i, src in enumerate(html["cells_source"]):
        src.update(page=None, bbox=None, path=f"table[3]/tr[{i}]/td[2]")
    load_results(tmp_path / "w.duckdb", [html])
    con = connect_readonly(tmp_path / "w.duckdb")
    try:
        row = con.execute(
            "SELECT page, bbox, cell_path, raw_text FROM core_facts "
            "WHERE table_id = 't3_requests' AND row_code = 'new_received' AND col_code = 'total'"
        ).fetchall()
    finally:
        con.close()
    assert (
        row[0][0] is None and row[0][1] is None and row[0][2].startswith("table[3]/tr[") and row[0][3] == "7"
    )


def test_reextraction_that_renames_the_publisher_leaves_no_stale_agency(world, tmp_path):
    db, _con, _summary, results = world
    copy = tmp_path / "rename.duckdb"
    copy.write_bytes(db.read_bytes())
    redone = dict(results["E2022"], parser_version="0.2.0")
    redone["report"] = dict(redone["report"], agency="示例区卫生健康局")
    load_results(copy, [redone])
    con = connect_readonly(copy)
    try:
        names = {r[0] for r in con.execute("SELECT agency_name FROM core_agencies").fetchall()}
    finally:
        con.close()
    assert "示例区卫生健康局" in names and "示例区卫生健康委员会" not in names


def test_pre2019_document_does_not_add_a_coverage_year(world, tmp_path):
    db = world[0]
    copy = tmp_path / "old.duckdb"
    copy.write_bytes(db.read_bytes())
    old = make_result("示例区财政局", "北京市示例区", 2015, "gov2019", status="unsupported", salt="2015")
    link = manifest_entry(
        "http://127.0.0.1:8001/xxgk/B2015.pdf",
        old["sha256"],
        "new",
        "示例区财政局2015年政府信息公开工作年度报告",
        "2016-03-01",
        "2023-03-02T08:00:00Z",
    )
    load_results(copy, [old], [link])
    con = connect_readonly(copy)
    try:
        guessed = con.execute(
            "SELECT report_year, agency_from FROM core_documents WHERE sha256 = ?", [old["sha256"]]
        ).fetchall()
        assert guessed == [(2015, "link_title")]  # the year is known, yet it is not a coverage year
        con.execute("SET VARIABLE xxgk_as_of = DATE '2023-06-01'")
        years = [
            r[0] for r in con.execute("SELECT DISTINCT report_year FROM out_coverage ORDER BY 1").fetchall()
        ]
        state = con.execute(
            "SELECT document_state FROM core_documents WHERE sha256 = ?", [old["sha256"]]
        ).fetchall()
    finally:
        con.close()
    assert years == [2020, 2021, 2022] and state == [("unsupported",)]


def test_warehouse_from_an_older_version_gets_new_columns(world, tmp_path):
    import duckdb

    db = world[0]
    copy = tmp_path / "older.duckdb"
    copy.write_bytes(db.read_bytes())
    con = duckdb.connect(str(copy))
    con.execute("DROP VIEW out_validation")  # views depending on the columns are recreated on connect
    con.execute("DROP VIEW out_coverage")
    con.execute("DROP VIEW out_ranking")
    con.execute("DROP VIEW out_year_over_year")
    con.execute("DROP VIEW out_agency_year")
    con.execute("ALTER TABLE core_facts DROP COLUMN cell_path")
    con.execute("ALTER TABLE core_report_measures DROP COLUMN carried_over_natural_person")
    con.close()
    new = make_result("示例区财政局", "北京市示例区", 2023, "gov2021", t3={"new_received": 2})
    link = manifest_entry("http://127.0.0.1:8001/xxgk/B2023.pdf", new["sha256"], "new",
                          "示例区财政局2023年政府信息公开工作年度报告", "2024-01-20", "2024-01-21T08:00:00Z")
    summary = load_results(copy, [new], [link])
    assert summary["documents_new"] == 1
    ro = connect_readonly(copy)
    try:
        assert ro.execute("SELECT count(cell_path) FROM core_facts").fetchall() == [(0,)]
        assert ro.execute(
            "SELECT new_received FROM out_agency_year WHERE agency_id = ? AND report_year = 2023", [FIN]
        ).fetchall() == [(2,)]
    finally:
        ro.close()
