"""What an analyst reads: every out_ view column commented, the codes and rules tables, the long-format
measures agreeing with the wide view, lineage kept out of the wide view."""

import pytest

from warehouse.db import OUT_VIEWS


def test_every_out_view_column_has_a_comment(con):
    rows = con.execute(f"""SELECT table_name, column_name, comment FROM duckdb_columns()
                           WHERE table_name IN {tuple(OUT_VIEWS)}""").fetchall()
    assert {r[0] for r in rows} == set(OUT_VIEWS)
    assert [r[:2] for r in rows if not r[2]] == []


def test_wide_view_has_no_lineage_columns_and_counts_are_integers(con):
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = "
                             "'out_agency_year'").fetchall())
    assert not [c for c in types if c.endswith("_source")]
    assert types["new_received"] == "BIGINT" and types["review_concluded"] == "BIGINT"
    assert types["disclosure_pct"] == "DOUBLE" and types["admin_fees_fee_amount"] == "DOUBLE"  # 万元


def test_long_measures_agree_with_the_wide_view(con):
    mismatches = con.execute("""
        SELECT l.agency_name, l.report_year, l.measure_code, l.value, w.new_received
        FROM out_measures l JOIN out_agency_year w USING (agency_id, report_year)
        WHERE l.measure_code = 'new_received' AND l.value IS DISTINCT FROM w.new_received""").fetchall()
    assert mismatches == []
    label = con.execute("SELECT DISTINCT measure_label FROM out_measures WHERE measure_code = 'granted'").fetchall()
    assert label == [("（一）予以公开 — 总计",)]


def test_codes_and_rules_tables(con):
    t3_rows = con.execute("""SELECT code, label FROM core_codes WHERE table_id = 't3_requests' AND axis = 'row'
                             AND format_version = 'gov2021' ORDER BY printed_order""").fetchall()
    assert t3_rows[0] == ("new_received", "一、本年新收政府信息公开申请数量") and t3_rows[-1][0] == "carried_forward"
    columns = [r[0] for r in con.execute("""SELECT label FROM core_codes WHERE table_id = 't3_requests'
                   AND axis = 'column' AND format_version = 'gov2019' ORDER BY printed_order""").fetchall()]
    assert columns == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    words = dict(con.execute("SELECT rule_id, rule_in_words FROM core_rules").fetchall())
    assert "t3_requests" not in words["t3_balance"] and "结转下年度继续办理" in words["t3_balance"]


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval, written out independently of the view's SQL."""
    import math

    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


def test_ranking_rates_carry_their_wilson_interval(con):
    rows = con.execute("""SELECT numerator, denominator, value, wilson_low_pct, wilson_high_pct FROM out_ranking
                          WHERE measure LIKE '%\\_pct' ESCAPE '\\' AND denominator > 0""").fetchall()
    assert rows
    for k, n, value, low, high in rows:
        assert (low, high) == pytest.approx(_wilson(k, n), abs=1e-9)
        assert low <= value <= high
    # 1 of 1 is "100 %" with an interval reaching down to about 21 %: why small denominators are not ranked
    assert _wilson(1, 1)[0] == pytest.approx(20.65, abs=0.01)
