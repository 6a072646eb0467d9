"""The warehouse schema is generated from data and stays in step with transform/schema.yaml."""

import re

import duckdb
import pytest

from transform.schema import T3, T4, VERSIONS, layout, load_schema, table_ids
from warehouse.db import OUT_VIEWS, SQL_DIR, connect, sql_text
from warehouse.measures import YEAR_OVER_YEAR, catalog, measure, part_rows, source_rows
from warehouse.schema import all_tables, create_table_sql, view_column_description


def _codes(table_id):
    rows, cols = set(), set()
    for version in VERSIONS:
        lay = layout(table_id, version)
        if lay:
            rows |= set(lay.row_codes)
            cols |= set(lay.col_codes)
    return rows, cols


def test_measure_sources_use_only_schema_codes():
    for src in source_rows():
        rows, cols = _codes(src["table_id"])
        assert src["row_code"] in rows and src["col_code"] in cols, src


def test_every_cell_of_t3_total_and_t4_is_a_measure_source():
    fed = {(s["table_id"], s["row_code"], s["col_code"]) for s in source_rows()}
    for version in VERSIONS:
        for row in layout(T3, version).row_codes:
            assert (T3, row, "total") in fed
        lay = layout(T4, version)
        assert {(T4, r, c) for r in lay.row_codes for c in lay.col_codes} <= fed


def test_derived_rows_follow_schema():
    parts = {}
    for p in part_rows():
        parts.setdefault(p["measure_code"], []).append(p["part_measure_code"])
    spec = load_schema()["tables"][T3]["derived_rows"]
    assert parts["denied_subtotal"] == re.findall(r"[a-z_]+", spec["denied_subtotal"])
    assert parts["other_processing"] == ["other_overdue_correction", "other_overdue_fee", "other_other"]
    assert parts["litigation_total"] == ["litigation_direct_total", "litigation_after_review_total"]


def test_comparability_follows_schema():
    assert measure("admin_licensing_decisions").comparable
    assert not measure("normative_docs_in_force").comparable  # gov2021 only
    assert not measure("admin_fees_fee_amount").comparable
    assert measure("other_processing").comparable  # printed in gov2019, derived in gov2021
    assert not measure("other_overdue_fee").comparable


def test_year_over_year_compares_only_comparable_measures():
    known = {m.code for m in catalog()} | set(table_ids())
    year_over_year = sql_text("out_year_over_year")
    assert "{{" not in year_over_year.split("CREATE", 1)[1]  # every placeholder was generated
    used = set(re.findall(r"\bc\.([a-z_]+)", year_over_year))
    measures_used = used & known
    assert set(YEAR_OVER_YEAR) - {"disclosure_pct"} <= measures_used
    for code in measures_used:
        assert measure(code).comparable, f"{code} is not comparable across versions"
    for code in YEAR_OVER_YEAR:  # each compared measure gives value, previous value and change
        assert f"p.{code} AS {code}_prev" in year_over_year and f"AS {code}_change" in year_over_year


def test_ddl_is_generated_and_valid():
    con = duckdb.connect()
    for table in all_tables():
        con.execute(create_table_sql(table))
    assert "core_facts" in {r[0] for r in con.execute("SHOW TABLES").fetchall()}


def test_every_view_column_is_described(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    for view in OUT_VIEWS:
        for (name,) in con.execute(f"SELECT column_name FROM (DESCRIBE {view})").fetchall():
            assert view_column_description(name), (view, name)
    comments = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'core_facts' AND column_name = 'value'"
    ).fetchall()
    assert "never 0" in comments[0][0]


def test_unknown_view_column_is_an_error():
    with pytest.raises(KeyError):
        view_column_description("no_such_column_anywhere")


def test_coverage_years_start_after_the_pre2019_format():
    cutoff = load_schema()["format_versions"]["pre2019"]["detect_report_year_max"]
    assert f"report_year > {cutoff}" in (SQL_DIR / "out_coverage.sql").read_text(encoding="utf-8")
