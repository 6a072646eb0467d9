"""Agency identity: the registry's admin code keeps same-named districts of different cities apart, and
only a report (never a non-report or a file name) makes an agency."""

from warehouse.db import connect_readonly
from warehouse.load import load_results
from tests.synthetic import make_result, make_unreadable, manifest_entry


def _link(result: dict, url: str, title: str, district: str, admin_code: str, state: str = "new") -> dict:
    row = manifest_entry(url, result["sha256"] if result else None, state, title, "2023-01-20",
                         "2023-02-01T08:00:00Z", district=district)
    return row | {"admin_code": admin_code}


def _agencies(db) -> dict[str, list]:
    con = connect_readonly(db)
    try:
        return {name: [key, city, admin] for name, key, city, admin in con.execute(
            "SELECT agency_name, agency_key, city, admin_code FROM core_agencies ORDER BY 1").fetchall()}
    finally:
        con.close()


def test_same_named_districts_of_two_cities_never_merge(tmp_path):
    fuzhou = make_result("鼓楼区财政局", None, 2022, t3={"new_received": 3, "results_total": 3, "granted": 3})
    nanjing = make_result("鼓楼区财政局", None, 2022, t3={"new_received": 9, "results_total": 9, "granted": 9})
    again = make_result("福州市鼓楼区财政局", "福建省福州市鼓楼区", 2021, t3={"new_received": 1})
    manifest = [
        _link(fuzhou, "http://a/1.pdf", "鼓楼区财政局2022年政府信息公开工作年度报告", "福州市鼓楼区", "350102"),
        _link(nanjing, "http://b/1.pdf", "鼓楼区财政局2022年政府信息公开工作年度报告", "南京市鼓楼区", "320106"),
        _link(again, "http://a/2.pdf", "福州市鼓楼区财政局2021年政府信息公开工作年度报告", "福州市鼓楼区", "350102"),
    ]
    db = tmp_path / "w.duckdb"
    summary = load_results(db, [fuzhou, nanjing, again], manifest)
    assert summary["agencies"] == 2  # two bodies; the 福州 one printed two ways is one agency
    con = connect_readonly(db)
    try:
        rows = con.execute("""SELECT a.admin_code, a.city, list(r.report_year ORDER BY r.report_year)
                              FROM core_reports r JOIN core_agencies a USING (agency_id)
                              GROUP BY ALL ORDER BY 1""").fetchall()
    finally:
        con.close()
    assert rows == [("320106", "南京市", [2022]), ("350102", "福州市", [2021, 2022])]


def test_no_agency_from_a_non_report_or_a_file_name(tmp_path):
    report = make_result("示例区财政局", "北京市示例区", 2021, t3={"new_received": 2})
    website = make_unreadable("not_a_report", "website-form")
    website["report"] = {"agency": "示例区网站管理中心", "region": None, "year": 2022, "format_version": None,
                         "title": "示例区政府网站2022年工作年度报表"}
    manifest = [
        _link(report, "http://a/B2021.pdf", "示例区财政局2021年政府信息公开工作年度报告", "示例区", "110199"),
        _link(website, "http://a/web.html", "示例区网站管理中心2022年政府信息公开工作年度报告", "示例区", "110199"),
        # a blocked link whose text is the file name: it belongs to the bureau, it is not a new agency
        _link(None, "http://a/B2022.pdf", "示例区财政局2022年政府信息公开工作年度报告.pdf", "示例区", "110199",
              state="blocked"),
        # a link to something that is no agency's report at all
        _link(None, "http://a/x.pdf", "2022年政府信息公开工作年度报告.pdf", "示例区", "110199", state="blocked"),
    ]
    db = tmp_path / "w.duckdb"
    load_results(db, [report, website], manifest)
    # the bureau, and the registry district's own government (known to publish, nothing of it found yet)
    assert list(_agencies(db)) == ["示例区人民政府", "示例区财政局"]
    con = connect_readonly(db)
    try:
        con.execute("SET VARIABLE xxgk_as_of = DATE '2023-06-01'")
        coverage = con.execute("""SELECT report_year, coverage_state, document_state FROM out_coverage
                                  WHERE agency_name = '示例区财政局' ORDER BY 1""").fetchall()
        government = con.execute("""SELECT list(DISTINCT coverage_state), min(report_year), max(report_year)
                                    FROM out_coverage WHERE agency_name = '示例区人民政府'""").fetchall()
    finally:
        con.close()
    # the 2021 report was linked on 2023-01-20, after its 2022-01-31 deadline (and does not balance: warning)
    assert coverage == [(2021, "late", "warning"), (2022, "not_fetched", "blocked")]
    assert government == [(["missing"], 2019, 2022)]  # its site answered, no report of it was found
