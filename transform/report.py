"""A parsed ``Document`` → the JSON object of ``spec/extract-output.md`` (one report, one status)."""

from __future__ import annotations

import re

from extract.documents.model import Document
from transform import metadata, ocr_trust
from transform.checks import run_checks
from transform.result import Issue, Table
from extract.sections import statistics_section_flags
from transform.schema import T3, T4, layout, t2_table_ids, tables_in_version
from transform.t2 import read_t2
from transform.t3 import read_t3
from transform.t4 import read_t4
from transform.tables import split_rows
from transform.values import to_json_number

PARSER_VERSION = "xxgk-extract/1.15"  # bump whenever a change can alter results: archives re-extract


def build_report(doc: Document) -> dict:
    """Locate, read and check the statistics tables of one document."""
    issues: list[Issue] = [Issue("warning", "reader", w) for w in doc.warnings]
    meta = metadata.read_meta(doc)
    report = {"agency": meta.agency, "region": meta.region, "year": meta.year, "format_version": None,
              "title": meta.title}
    early = _early_status(doc, meta, issues)
    if early:
        return _result(early, report, {}, [], issues)
    rows = split_rows(doc)
    hint = _version_hint(meta.year)
    t2 = read_t2(rows["t2"], issues, hint, meta.year)
    t2_version = _majority([t.version for t in t2.values() if t.version])
    t3 = read_t3(rows["t3"], issues, t2_version or hint, meta.year)
    t4 = read_t4(rows["t4"], issues, meta.year)
    version = t2_version or (t3.version if t3 else None) or hint
    if t4 is not None:
        t4.version = version  # 表四 is identical in both formats: it follows the report
    tables: dict[str, Table] = {tid: t for tid, t in t2.items() if t.version}
    if t3:
        tables[T3] = t3
    if t4:
        tables[T4] = t4
    report["format_version"] = version
    if not tables and (pictures := _pictures_in_table_sections(doc)):
        issues.append(Issue("error", "tables_as_images", f"the statistics sections hold pictures instead of "
                            f"tables ({', '.join(pictures[:3])}); no numbers can be read without OCR"))
        return _result("unsupported", report, {}, [], issues)
    if not tables:
        status = "not_a_report" if not meta.title else "failed"
        issues.append(Issue("error" if status == "failed" else "info", "no_tables",
                            "no statistics table (表二/表三/表四) found in the document"))
        return _result(status, report, {}, [], issues)
    _check_versions(tables, meta.year, issues)
    _require_tables(tables, version, issues, _pictures_in_table_sections(doc))
    if meta.year_source and meta.year_source.startswith("title (statistics period says"):
        issues.append(Issue("warning", "year_conflict", "the title and the statistics period disagree; year "
                            f"taken from the {meta.year_source}"))
    if meta.title and (span := _MULTI_YEAR.search(metadata.arabic_years(re.sub(r"\s+", "", meta.title)))):
        # "2022—2023年…年度报告", "2022、2023年度…": one report for several years; its tables may sum both.
        issues.append(Issue("warning", "multi_year", f"the title names several years ({span.group(0)}); the "
                            f"numbers are filed under {meta.year} but may cover more than one year"))
    if meta.year_source == "body":
        # No title year and no statistics-period sentence: the year most mentioned in the text is a guess
        # that a comparison ("较2022年…") can mislead, and a wrong year files the numbers under another year.
        issues.append(Issue("warning", "year_from_body", f"the year is printed neither in the title nor in a "
                            f"statistics-period sentence; {meta.year} is the year the text mentions most"))
    if meta.year is None:
        issues.append(Issue("error", "year_unknown", "the report year is stated neither in the title nor the body"))
    if meta.agency is None:
        issues.append(Issue("warning", "agency_unknown", "the publishing body could not be read from the title"))
    checks, check_issues = run_checks(tables, meta.agency)
    issues += check_issues
    result = _result(_status(issues, checks), report, tables, checks, issues)
    return ocr_trust.review(result, tables, doc, meta.agency)  # OCR'd numbers: ok only when proven


_MULTI_YEAR = re.compile(r"(?:19|20)\d\d年?度?(?:[-—–~～至到、,，和与及]|年至)(?:19|20)\d\d年")


def _early_status(doc: Document, meta: metadata.ReportMeta, issues: list[Issue]) -> str | None:
    """Statuses decided before any table is read: scans, 网站年度报表, pre-2019 reports."""
    if doc.n_pages and len(doc.pages_without_text) >= doc.n_pages:
        issues.append(Issue("error", "scanned", f"all {doc.n_pages} pages are images without a text layer "
                            "(scanned); no numbers can be read without OCR"))
        return "unsupported"
    head = re.sub(r"\s+", "", (meta.title or "") + doc.text[:400])
    if metadata.WEBSITE_REPORT.search(meta.title or "") or ("网站名称" in head and "年度报表" in head):
        issues.append(Issue("info", "website_report", "a 政府网站工作年度报表, not a 政府信息公开工作年度报告"))
        return "not_a_report"
    if meta.year is not None and meta.year <= 2018:
        issues.append(Issue("info", "pre2019", f"report on {meta.year}: the 2007 条例 format, not extracted"))
        return "unsupported"
    markers, has_new_tables = metadata.format_markers(doc)
    if len(markers) >= 2 and not has_new_tables:
        issues.append(Issue("info", "pre2019", "pre-2019 report format (" + "、".join(markers[:4]) + ")"))
        return "unsupported"
    if doc.pages_without_text:
        issues.append(Issue("warning", "pages_without_text",
                            f"pages {doc.pages_without_text} have no text layer (images); tables there cannot be read"))
    return None


# Headings of the three statistics sections, and of any numbered section (where one of them ends).


def _pictures_in_table_sections(doc: Document) -> list[str]:
    """Sources of pictures standing under a statistics-section heading (tables published as images)."""
    if not doc.images:
        return []
    sections = statistics_section_flags(getattr(block, "text", "") for block in doc.blocks)
    return [src or "<img>" for before, src in doc.images if before and sections[before - 1]]


def _version_hint(year: int | None) -> str | None:
    if year is None:
        return None
    return "gov2019" if year <= 2020 else "gov2021"


def _majority(versions: list[str]) -> str | None:
    return max(set(versions), key=versions.count) if versions else None


def _check_versions(tables: dict[str, Table], year: int | None, issues: list[Issue]) -> None:
    versions = {t.version for t in tables.values() if t.version}
    if len(versions) > 1:
        detail = ", ".join(f"{tid}={t.version}" for tid, t in tables.items())
        issues.append(Issue("info", "mixed_versions", f"tables use different format versions: {detail}"))
    if year is not None and year <= 2020 and "gov2021" in versions:
        issues.append(Issue("warning", "version_year_mismatch",
                            f"gov2021 tables (format of Sept. 2021) in a report on {year}: check the year"))


def _require_tables(tables: dict[str, Table], version: str | None, issues: list[Issue],
                    pictures: list[str] = ()) -> None:
    if version is None:
        return
    # A table missing where a statistics section holds a picture was most likely published as an image.
    seen_pictures = f"; the statistics sections hold pictures ({', '.join(pictures[:3])})" if pictures else ""
    t2_versions = {tables[t].version for t in tables if t.startswith("t2_")} or {version}
    required = [t for t in tables_in_version(version) if not t.startswith("t2_")]
    required += [t for t in t2_table_ids() if any(layout(t, v) for v in t2_versions)
                 and all(layout(t, v) is not None for v in t2_versions)]
    for tid in required:
        if tid not in tables:
            issues.append(Issue("error", "missing_table", f"table {tid} not found in the document{seen_pictures}",
                                tid))


def _status(issues: list[Issue], checks: list[dict]) -> str:
    if any(i.severity == "error" for i in issues):
        return "failed"
    if any(i.severity == "warning" for i in issues) or any(
        not c["ok"] and c.get("severity") in ("error", "warning") for c in checks
    ):
        return "warning"
    return "ok"


def _result(status: str, report: dict, tables: dict[str, Table], checks: list[dict], issues: list[Issue]) -> dict:
    out_tables = {}
    sources = []
    for tid, table in tables.items():
        cells = {}
        for row, cols in table.cells.items():
            cells[row] = {col: to_json_number(v.value) for col, v in cols.items()}
            for col, v in cols.items():
                if v.cell is None:
                    continue
                src = {"table": tid, "row": row, "col": col, "page": v.cell.page}
                if v.cell.bbox is not None:
                    src["bbox"] = [round(x, 1) for x in v.cell.bbox]
                if v.cell.path is not None:
                    src["path"] = v.cell.path
                src["raw"] = v.raw
                sources.append(src)
        out_tables[tid] = {"version": table.version, "cells": cells}
    return {
        "status": status,
        "report": report,
        "tables": out_tables,
        "cells_source": sources,
        "checks": checks,
        "issues": [i.as_json() for i in issues],
    }
