"""Realistic extract-JSON objects built from a compact description (tests, demo data, benchmarks).

``make_result`` produces what ``xxgk extract`` emits for one report (spec/extract-output.md): every
row and column of every table the format version defines (codes from ``transform/schema.yaml``),
``cells_source`` with page/bbox/raw text, ``checks`` for the balance and row-total rules and issues for
blank cells. Values not given are 0; ``None`` means printed blank.
"""

from __future__ import annotations

import hashlib
import json

from transform.schema import T3, T4, layout, tables_in_version, t4_physical_order

PAGE_OF = {T3: 4, T4: 5}


def _blank_issue(table: str, row: str, col: str, page: int) -> dict:
    return {"severity": "warning", "code": "blank_cell", "table": table, "row": row, "col": col, "page": page,
            "raw": "", "message": "printed blank; kept as null"}


def _table_cells(table_id: str, version: str, given: dict) -> dict:
    lay = layout(table_id, version)
    cells = {}
    for row in lay.row_codes:
        values = given.get(row, {})
        if table_id == T3 and isinstance(values, list):
            values = dict(zip(lay.col_codes, values))
        if table_id == T3 and isinstance(values, int | float) or values is None:
            values = {"natural_person": values, "total": values}
        cells[row] = {c: values.get(c, 0) for c in lay.col_codes}
    return cells


def _t4_from_list(values: list) -> dict:
    given: dict = {}
    for (row, col), value in zip(t4_physical_order(), values):
        given.setdefault(row, {})[col] = value
    return given


def _checks(cells: dict, version: str) -> list[dict]:
    """t3_balance per column and t4_group_total per row, evaluated with nulls as 0."""
    checks = []
    t3 = cells.get(T3)
    if t3:
        for col in layout(T3, version).col_codes:
            lhs = (t3["new_received"][col] or 0) + (t3["carried_over"][col] or 0)
            rhs = (t3["results_total"][col] or 0) + (t3["carried_forward"][col] or 0)
            check = {"rule": "t3_balance", "where": col, "ok": lhs == rhs}
            if lhs != rhs:
                check["detail"] = f"{lhs} != {rhs}"
            checks.append(check)
    t4 = cells.get(T4)
    if t4:
        for row, values in t4.items():
            parts = sum(values[c] or 0 for c in ("maintained", "corrected", "other", "pending"))
            check = {"rule": "t4_group_total", "where": row, "ok": (values["total"] or 0) == parts}
            if not check["ok"]:
                check["detail"] = f"total {values['total']} != sum {parts}"
            checks.append(check)
    return checks


def make_result(
    agency: str | None,
    region: str | None,
    year: int | None,
    version: str = "gov2021",
    t3: dict | None = None,
    t4: list | None = None,
    t2: dict | None = None,
    status: str | None = None,
    salt: str = "",
    media_type: str = "application/pdf",
    parser_version: str = "0.1.0",
    omit_tables: tuple[str, ...] = (),
) -> dict:
    """One extract result. ``t3``: row -> 7 values (list), or a number for natural_person == total.

    ``t4``: the 15 values in physical order. ``t2``: table -> row -> col -> value.
    """
    tables, cells_by_table = {}, {}
    given = {T3: t3 or {}, T4: _t4_from_list(t4 or [0] * 15), **(t2 or {})}
    for table_id in tables_in_version(version):
        if table_id in omit_tables:
            continue
        cells = _table_cells(table_id, version, given.get(table_id, {}))
        tables[table_id] = {"version": version, "cells": cells}
        cells_by_table[table_id] = cells
    sources, issues = [], []
    for table_id, cells in cells_by_table.items():
        page = PAGE_OF.get(table_id, 3)
        for r, (row, cols) in enumerate(cells.items()):
            for c, (col, value) in enumerate(cols.items()):
                raw = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
                sources.append({"table": table_id, "row": row, "col": col, "page": page,
                                "bbox": [100.0 + 40 * c, 200.0 + 14 * r, 138.0 + 40 * c, 212.0 + 14 * r],
                                "raw": raw})
                if value is None:
                    issues.append(_blank_issue(table_id, row, col, page))
    for table_id in omit_tables:
        issues.append({"severity": "error", "code": "table_missing", "table": table_id, "row": None, "col": None,
                       "page": None, "raw": None, "message": f"{table_id} not found"})
    checks = _checks(cells_by_table, version)
    if status is None:
        status = "failed" if omit_tables else ("warning" if issues or not all(c["ok"] for c in checks) else "ok")
    report = None
    if agency is not None or year is not None:
        title = f"{agency}{year}年政府信息公开工作年度报告" if agency and year else None
        report = {"agency": agency, "region": region, "year": year, "format_version": version, "title": title}
    body = {"report": report, "tables": tables, "salt": salt}
    sha = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return {"source": f"{sha[:12]}.pdf", "sha256": sha, "media_type": media_type, "status": status,
            "report": report, "tables": tables, "cells_source": sources, "checks": checks, "issues": issues,
            "parser_version": parser_version}


def make_unreadable(kind: str, salt: str, media_type: str = "application/octet-stream") -> dict:
    """An ``unsupported`` or ``not_a_report`` result: no report, no tables."""
    sha = hashlib.sha256(f"{kind}:{salt}".encode()).hexdigest()
    return {"source": f"{sha[:12]}.bin", "sha256": sha, "media_type": media_type, "status": kind, "report": None,
            "tables": {}, "cells_source": [], "checks": [],
            "issues": [{"severity": "error", "code": kind, "table": None, "row": None, "col": None, "page": None,
                        "raw": None, "message": f"document is {kind}"}],
            "parser_version": "0.1.0"}


def manifest_entry(url: str, sha256: str | None, state: str, link_title: str, link_date: str | None,
                   fetched_at: str, district: str = "示例区", site: str = "demo-trs") -> dict:
    """A crawler manifest row for a report candidate."""
    return {"fetch_id": hashlib.sha1(f"{url}{fetched_at}".encode()).hexdigest()[:16], "run_id": fetched_at[:10],
            "site": site, "district": district, "admin_code": "110199", "url": url, "final_url": url,
            "referrer": "http://127.0.0.1/xxgk/ndbg/", "link_title": link_title, "link_date": link_date,
            "kind": "report", "http_status": 200 if sha256 else 412, "state": state, "error": None,
            "sha256": sha256, "media_type": "application/pdf" if sha256 else None, "size": 1000 if sha256 else None,
            "etag": None, "last_modified": None, "fetched_at": fetched_at, "crawler_version": "xxgk/0.1.0"}
