"""Build the static report site from the published warehouse (read-only)."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from extract.crawl.archive import continuation_index
from warehouse.codes import codes, label_of, table_caption
from warehouse.db import connect_readonly
from warehouse.report import charts
from warehouse.report.evidence import render_pages, source_tables

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
RATES = {  # rate -> Chinese heading (the same rates as out_agency_year)
    "disclosure": "公开率（予以公开+部分公开）/ 办理结果总计",
    "review_correction": "行政复议纠错率（结果纠正 / 已审结）",
    "litigation_correction": "行政诉讼纠错率（结果纠正 / 已审结）",
}
STATES_ZH = {"on_time": "按时公开", "late": "逾期公开", "published_undated": "已公开（日期不明）",
             "unreadable": "找到但无法读取", "not_fetched": "找到链接但未能下载", "missing": "未找到"}
CHART_ROWS = 40  # agencies per chart (the largest); every agency is in the sortable table
TABLE_ORDER = ["t2_art20_1", "t2_art20_5", "t2_art20_6", "t2_art20_8", "t2_art20_9", "t3_requests",
               "t4_review_litigation"]


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.globals["css"] = (HERE / "static" / "report.css").read_text(encoding="utf-8")
    env.globals["js"] = (HERE / "static" / "report.js").read_text(encoding="utf-8")
    env.globals["states_zh"] = STATES_ZH
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    return env


def _num(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _pct(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    return f"{value:.1f}"


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for every missing value and dates as YYYY-MM-DD (what a page prints)."""
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            elif not isinstance(value, (list, tuple)) and pd.isna(value):
                value = None
            clean[key] = value
        out.append(clean)
    return out


def _write(path: Path, template: str, **context) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_env().get_template(template).render(**context), encoding="utf-8")


def build_report(db_path: Path, out_dir: Path, objects_dir: Path | None = None, as_of: date | None = None) -> Path:
    """Write the site into ``out_dir`` (replaced); return the path of ``index.html``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    built = PageCache(out_dir)
    con = connect_readonly(db_path)
    try:
        if as_of is not None:
            con.execute(f"SET VARIABLE xxgk_as_of = DATE '{as_of.isoformat()}'")
        years = _year_sections(con)
        agencies = _agency_pages(con, out_dir, built)
        n_evidence = _evidence_pages(con, out_dir, objects_dir, built)
        as_of_date = con.execute("SELECT coalesce(try_cast(getvariable('xxgk_as_of') AS DATE), current_date)"
                                 ).fetchall()[0][0]
    finally:
        con.close()
    built.finish()
    index = out_dir / "index.html"
    _write(index, "index.html.j2", years=years, agencies=agencies, as_of=as_of_date, n_evidence=n_evidence,
           rates=RATES)
    logger.info("report site: %s (%d years, %d agencies, %d evidence pages)", index, len(years), len(agencies),
                n_evidence)
    return index


class PageCache:
    """Pages whose inputs did not change since the last build are kept, not rendered again.

    A nightly run at national scale has tens of thousands of agency and evidence pages; rendering their
    charts and tables again each night would take hours. Each page's inputs (its rows, plus a hash of the
    templates and of this package's code) are fingerprinted into ``build-state.json``; a page whose
    fingerprint is unchanged and whose file exists is skipped, a page no longer wanted is removed."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.state = out_dir / "build-state.json"
        self.old: dict[str, str] = self._read()
        self.new: dict[str, str] = {}

    def _read(self) -> dict[str, str]:
        """The last build's fingerprints; none (every page rendered) when the file is missing or damaged."""
        try:
            return json.loads(self.state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def fresh(self, page: Path, *inputs) -> bool:
        """Record ``page``'s fingerprint; True when the page on disk was built from the same inputs."""
        key = page.relative_to(self.out_dir).as_posix()
        blob = json.dumps([_code_hash(), inputs], default=str, sort_keys=True, ensure_ascii=False)
        self.new[key] = hashlib.sha1(blob.encode("utf-8")).hexdigest()
        return self.old.get(key) == self.new[key] and page.exists()

    def finish(self) -> None:
        for key in set(self.old) - set(self.new):
            (self.out_dir / key).unlink(missing_ok=True)
        partial = self.state.with_suffix(".tmp")  # replaced in one rename: a killed build leaves the old state
        partial.write_text(json.dumps(self.new, sort_keys=True), encoding="utf-8")
        partial.replace(self.state)


@cache
def _code_hash() -> str:
    """Templates, CSS/JS and the builder's code: a change to any of them renders every page again."""
    digest = hashlib.sha1()
    for path in sorted(HERE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".js"):
            digest.update(path.read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------------- index
def _year_frame(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    frame = _frame(con, """
        SELECT y.agency_id, y.agency_name, y.level, y.report_id, y.extract_status, y.new_received,
               y.disclosure_pct, y.disclosure_numerator, y.disclosure_denominator,
               y.review_correction_pct, y.review_correction_numerator, y.review_correction_denominator,
               y.litigation_correction_pct, y.litigation_correction_numerator, y.litigation_correction_denominator,
               r.* EXCLUDE (agency_id)
        FROM out_agency_year y
        LEFT JOIN (SELECT agency_id,
                          {wilson}
                   FROM out_ranking WHERE report_year = ? AND peer_scope = 'national' GROUP BY agency_id) r
               USING (agency_id)
        WHERE y.report_year = ? AND y.extract_status IN ('ok', 'warning')
        ORDER BY y.new_received DESC NULLS LAST""".replace("{wilson}", ",\n".join(
        f"any_value(wilson_low_pct) FILTER (WHERE measure = '{r}_pct') AS {r}_low, "
        f"any_value(wilson_high_pct) FILTER (WHERE measure = '{r}_pct') AS {r}_high, "
        f"coalesce(any_value(is_small_denominator) FILTER (WHERE measure = '{r}_pct'), true) AS {r}_small"
        for r in RATES)), [year, year])
    return frame


def _year_sections(con: duckdb.DuckDBPyConnection) -> list[dict]:
    years = [r[0] for r in con.execute(
        "SELECT DISTINCT report_year FROM out_agency_year WHERE extract_status IN ('ok', 'warning') ORDER BY 1 DESC"
    ).fetchall()]
    coverage = _frame(con, """SELECT agency_id, agency_name, level, report_year, coverage_state, document_state,
                                     unreadable_reason, published_date, deadline_date, days_after_deadline, sha256
                              FROM out_coverage ORDER BY agency_name""")
    sections = []
    for year in years:
        frame = _year_frame(con, year)
        # a chart of thousands of agencies is unreadable: the largest CHART_ROWS, the table below has them all
        top = frame.nlargest(CHART_ROWS, "new_received")
        note = f"（前 {CHART_ROWS} 个机关）" if len(frame) > CHART_ROWS else ""
        svgs = [charts.count_bars(top, "new_received", f"{year}年 本年新收政府信息公开申请数量{note}")]
        svgs += [charts.rate_dots(frame.nlargest(CHART_ROWS, f"{rate}_denominator"), rate,
                                  f"{year}年 {title}（95% Wilson 区间）{note}") for rate, title in RATES.items()]
        cov = coverage[coverage.report_year == year]
        sections.append({
            "year": year, "charts": [s for s in svgs if s], "rows": _records(frame),
            "coverage": _records(cov),
            "coverage_counts": cov.coverage_state.value_counts().to_dict(),
        })
    return sections


# ----------------------------------------------------------------------------------------------- agencies
def _agency_pages(con: duckdb.DuckDBPyConnection, out_dir: Path, built: PageCache) -> list[dict]:
    agencies = _frame(con, "SELECT agency_id, agency_name, level, region, province, city, admin_code "
                           "FROM core_agencies ORDER BY agency_name")
    years = _frame(con, """SELECT agency_id, report_year, report_id, extract_status, format_version, n_versions,
                                  new_received, results_total, disclosure_pct, disclosure_numerator,
                                  disclosure_denominator, review_total, review_correction_pct, litigation_total,
                                  litigation_correction_pct
                           FROM out_agency_year ORDER BY report_year""")
    coverage = _frame(con, "SELECT agency_id, report_year, coverage_state, document_state, unreadable_reason, "
                           "published_date, deadline_date FROM out_coverage ORDER BY report_year")
    agencies = _records(agencies)
    years_of = {key: group for key, group in years.groupby("agency_id")}
    coverage_of = {key: _records(group) for key, group in coverage.groupby("agency_id")}
    for agency in agencies:
        mine = years_of.get(agency["agency_id"], years.iloc[0:0])
        page = out_dir / "agency" / f"{agency['agency_id']}.html"
        if built.fresh(page, agency, _records(mine), coverage_of.get(agency["agency_id"], [])):
            continue
        readable = mine[mine.extract_status.isin(["ok", "warning"])]
        charts_svg = [s for s in (
            charts.trend(readable, "new_received", "本年新收申请数量", "件"),
            charts.trend(readable, "disclosure_pct", "公开率 %", "%"),
        ) if s]
        _write(page, "agency.html.j2", agency=agency | {"charts": charts_svg}, years=_records(mine),
               coverage=coverage_of.get(agency["agency_id"], []))
    return agencies


# ----------------------------------------------------------------------------------------------- evidence
def _grid(facts: pd.DataFrame, table_id: str, version: str | None, failed: set, changed: dict) -> dict:
    """One statistics table laid out as printed: rows and columns in printed order with Chinese labels."""
    entries = [e for e in codes() if e["table_id"] == table_id and e["format_version"] == version]
    rows = sorted((e for e in entries if e["axis"] == "row"), key=lambda e: e["printed_order"])
    cols = sorted((e for e in entries if e["axis"] == "column"), key=lambda e: e["printed_order"])
    cells = {(f.row_code, f.col_code): f for f in facts.itertuples()}
    out_rows = []
    for row in rows:
        out_cells = []
        for col in cols:
            fact = cells.get((row["code"], col["code"]))
            key = (table_id, row["code"], col["code"])
            out_cells.append({
                "value": None if fact is None or pd.isna(fact.value) else fact.value,
                "raw": None if fact is None or pd.isna(fact.raw_text) else fact.raw_text,
                "box": (f"box-{table_id}-{row['code']}-{col['code']}"
                        if fact is not None and (pd.notna(fact.page) or pd.notna(fact.cell_path)) else None),
                "path": None if fact is None or pd.isna(fact.cell_path) else fact.cell_path,
                "failed": key in failed or (table_id, row["code"]) in failed or (table_id, col["code"]) in failed,
                "was": changed.get(key, "__same__"),
            })
        out_rows.append({"label": row["label"], "code": row["code"], "cells": out_cells})
    return {"table_id": table_id, "caption": table_caption(table_id), "columns": cols, "rows": out_rows}


def _failed_cells(checks: pd.DataFrame) -> set:
    """(table, where) of every failed check: where is a column or a row code (core_checks.check_where)."""
    out = set()
    for check in checks.itertuples():
        table = "t3_requests" if check.rule_id.startswith("t3") else (
            "t4_review_litigation" if check.rule_id.startswith("t4") else None)
        if table and check.check_where:
            out.add((table, check.check_where))
    return out


def _changed_cells(con: duckdb.DuckDBPyConnection, report_id: int) -> tuple[dict, dict | None]:
    """Cells whose value differs from the version this report superseded: key -> earlier value."""
    earlier = con.execute("SELECT report_id, version_no FROM core_reports WHERE superseded_by = ?",
                          [report_id]).fetchall()
    if not earlier:
        return {}, None
    rows = con.execute("""
        SELECT coalesce(n.table_id, o.table_id), coalesce(n.row_code, o.row_code), coalesce(n.col_code, o.col_code),
               o.value
        FROM (SELECT * FROM core_facts WHERE report_id = ?) n
        FULL JOIN (SELECT * FROM core_facts WHERE report_id = ?) o USING (table_id, row_code, col_code)
        WHERE n.value IS DISTINCT FROM o.value""", [report_id, earlier[0][0]]).fetchall()
    return {(t, r, c): v for t, r, c, v in rows}, {"report_id": earlier[0][0], "version_no": earlier[0][1]}


def _continuations(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Report URL → sha256 of the further pages of its article, in page order (as the extraction joined them)."""
    rows = _records(_frame(con, "SELECT kind, sha256, referrer, link_title FROM raw_fetch_manifest "
                                "WHERE kind = 'page' AND sha256 IS NOT NULL"))
    return continuation_index(rows)


def _evidence_pages(con: duckdb.DuckDBPyConnection, out_dir: Path, objects_dir: Path | None,
                    built: PageCache) -> int:
    reports = _frame(con, """
        SELECT r.report_id, r.sha256, r.report_year, r.extract_status, r.format_version, r.version_no,
               r.n_versions, r.is_current, r.superseded_by, r.printed_title, r.published_date,
               a.agency_id, a.agency_name, d.url, d.media_type, x.parser_version, x.load_seq,
               (SELECT e.report_id FROM core_reports e WHERE e.superseded_by = r.report_id) AS earlier_id
        FROM core_reports r JOIN core_agencies a USING (agency_id)
        LEFT JOIN core_documents d ON d.document_id = r.sha256
        LEFT JOIN raw_documents x ON x.sha256 = r.sha256""")
    reports = _records(reports)
    continuations = _continuations(con)
    for report in reports:
        page = out_dir / "evidence" / f"{report['report_id']}.html"
        archived = bool(objects_dir) and (Path(objects_dir) / report["sha256"][:2] / report["sha256"]).exists()
        pages_after = continuations.get(report["url"], ())
        if built.fresh(page, report, archived, pages_after):
            continue
        facts = _frame(con, "SELECT * FROM core_facts WHERE report_id = ?", [report["report_id"]])
        checks = _frame(con, "SELECT rule_id, check_where, detail FROM core_checks WHERE sha256 = ? AND NOT is_ok",
                        [report["sha256"]])
        issues = _frame(con, "SELECT severity, issue_code, table_id, row_code, col_code, page, raw_text, message "
                             "FROM core_issues WHERE sha256 = ? ORDER BY severity, issue_code", [report["sha256"]])
        changed, earlier = _changed_cells(con, report["report_id"])
        failed = _failed_cells(checks)
        tables = []
        for table_id in TABLE_ORDER:
            mine = facts[facts.table_id == table_id]
            if mine.empty:
                continue
            version = mine.table_version.dropna().iloc[0] if mine.table_version.notna().any() else report[
                "format_version"]
            tables.append(_grid(mine, table_id, version, failed, changed))
        bad_boxes = {f"box-{t}-{r}-{c}" for t, r, c in zip(facts.table_id, facts.row_code, facts.col_code)
                     if (t, r) in failed or (t, c) in failed}
        pages = render_pages(objects_dir, report["sha256"], facts, out_dir / "evidence" / "img", bad_boxes)
        source = [] if pages else source_tables(objects_dir, report["sha256"], facts, bad_boxes, pages_after)
        _write(page, "evidence.html.j2", report=report,
               tables=tables, checks=_records(checks), issues=_records(issues), pages=pages, source=source,
               earlier=earlier, n_changed=len(changed), label_of=label_of)
    return len(reports)
