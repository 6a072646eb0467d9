"""Realistic extract-JSON objects built from a compact description (tests, demo data, benchmarks).

``make_result`` produces what ``xxgk extract`` emits for one report (spec/extract-output.md): every
row and column of every table the format version defines (codes from ``transform/schema.yaml``),
``cells_source`` with page/bbox/raw text, ``checks`` for the balance and row-total rules and issues for
blank cells. Values not given are 0; ``None`` means printed blank.
"""

from __future__ import annotations

import hashlib
import json

from transform.schema import T3, T4, layout, t4_physical_order, tables_in_version

PAGE_OF = {T3: 4, T4: 5}


def _blank_issue(table: str, row: str, col: str, page: int) -> dict:
    return {
        "severity": "warning",
        "code": "blank_cell",
        "table": table,
        "row": row,
        "col": col,
        "page": page,
        "raw": "",
        "message": "printed blank; kept as null",
    }


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
                sources.append(
                    {
                        "table": table_id,
                        "row": row,
                        "col": col,
                        "page": page,
                        "bbox": [100.0 + 40 * c, 200.0 + 14 * r, 138.0 + 40 * c, 212.0 + 14 * r],
                        "raw": raw,
                    }
                )
                if value is None:
                    issues.append(_blank_issue(table_id, row, col, page))
    for table_id in omit_tables:
        issues.append(
            {
                "severity": "error",
                "code": "table_missing",
                "table": table_id,
                "row": None,
                "col": None,
                "page": None,
                "raw": None,
                "message": f"{table_id} not found",
            }
        )
    checks = _checks(cells_by_table, version)
    if status is None:
        status = (
            "failed" if omit_tables else ("warning" if issues or not all(c["ok"] for c in checks) else "ok")
        )
    report = None
    if agency is not None or year is not None:
        title = f"{agency}{year}年政府信息公开工作年度报告" if agency and year else None
        report = {"agency": agency, "region": region, "year": year, "format_version": version, "title": title}
    body = {"report": report, "tables": tables, "salt": salt}
    sha = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return {
        "source": f"{sha[:12]}.pdf",
        "sha256": sha,
        "media_type": media_type,
        "status": status,
        "report": report,
        "tables": tables,
        "cells_source": sources,
        "checks": checks,
        "issues": issues,
        "parser_version": parser_version,
    }


def make_unreadable(kind: str, salt: str, media_type: str = "application/octet-stream") -> dict:
    """An ``unsupported`` or ``not_a_report`` result: no report, no tables."""
    sha = hashlib.sha256(f"{kind}:{salt}".encode()).hexdigest()
    return {
        "source": f"{sha[:12]}.bin",
        "sha256": sha,
        "media_type": media_type,
        "status": kind,
        "report": None,
        "tables": {},
        "cells_source": [],
        "checks": [],
        "issues": [
            {
                "severity": "error",
                "code": kind,
                "table": None,
                "row": None,
                "col": None,
                "page": None,
                "raw": None,
                "message": f"document is {kind}",
            }
        ],
        "parser_version": "0.1.0",
    }


def manifest_entry(
    url: str,
    sha256: str | None,
    state: str,
    link_title: str,
    link_date: str | None,
    fetched_at: str,
    district: str = "示例区",
    site: str = "demo-trs",
) -> dict:
    """A crawler manifest row for a report candidate."""
    return {
        "fetch_id": hashlib.sha1(f"{url}{fetched_at}".encode()).hexdigest()[:16],
        "run_id": fetched_at[:10],
        "site": site,
        "district": district,
        "admin_code": "110199",
        "url": url,
        "final_url": url,
        "referrer": "http://127.0.0.1/xxgk/ndbg/",
        "link_title": link_title,
        "link_date": link_date,
        "kind": "report",
        "http_status": 200 if sha256 else 412,
        "state": state,
        "error": None,
        "sha256": sha256,
        "media_type": "application/pdf" if sha256 else None,
        "size": 1000 if sha256 else None,
        "etag": None,
        "last_modified": None,
        "fetched_at": fetched_at,
        "crawler_version": "xxgk/0.1.0",
    }


# ------------------------------------------------------------------------------ a small district world
REGION = "北京市示例区"


def _z(total: int) -> list:
    """A row where every application came from natural persons."""
    return [total, 0, 0, 0, 0, 0, total]


def _district_reports() -> list[tuple[str, dict, str | None, str]]:
    """(label, result, link_date, fetched_at) of the 示例区 reports, in the order they were published."""
    out = []
    a2020 = make_result(
        "北京市示例区人民政府",
        REGION,
        2020,
        "gov2019",
        t3={
            "new_received": [40, 5, 0, 0, 2, 3, 50],
            "carried_over": _z(2),
            "granted": [20, 2, 0, 0, 1, 1, 24],
            "partially_granted": [5, 1, 0, 0, 0, 0, 6],
            "denied_state_secret": _z(1),
            "denied_third_party": _z(2),
            "unable_not_held": [6, 1, 0, 0, 0, 1, 8],
            "not_processed_repeat": _z(3),
            "other_processing": [2, 0, 0, 0, 1, 0, 3],
            "results_total": [39, 4, 0, 0, 2, 2, 47],
            "carried_forward": [3, 1, 0, 0, 0, 1, 5],
        },
        t4=[1, 1, 0, 0, 2, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0],
        t2={
            "t2_art20_5": {"admin_licensing": {"decisions": 100}},
            "t2_art20_6": {"admin_penalty": {"decisions": 30}, "admin_coercion": {"decisions": 2}},
        },
    )
    out.append(("A2020", a2020, "2021-02-10", "2021-03-01T08:00:00Z"))
    a2021 = make_result(
        "北京市示例区人民政府",
        REGION,
        2021,
        "gov2021",
        t3={
            "new_received": [50, 10, 0, 0, 0, 0, 60],
            "carried_over": [3, 1, 0, 0, 0, 1, 5],
            "granted": [30, 5, 0, 0, 0, 0, 35],
            "partially_granted": [5, 2, 0, 0, 0, 0, 7],
            "denied_process_info": _z(2),
            "unable_not_held": [4, 1, 0, 0, 0, 1, 6],
            "not_processed_petition": _z(1),
            "other_overdue_correction": _z(2),
            "other_other": _z(1),
            "results_total": [45, 8, 0, 0, 0, 1, 54],
            "carried_forward": [8, 3, 0, 0, 0, 0, 11],
        },
        t4=[2, 1, 1, 0, 4, 1, 0, 0, 1, 2, 1, 1, 0, 0, 2],
        t2={
            "t2_art20_1": {"normative_docs": {"issued": 3, "repealed": 0, "in_force": 20}},
            "t2_art20_5": {"admin_licensing": {"decisions": 120}},
            "t2_art20_6": {"admin_penalty": {"decisions": 25}, "admin_coercion": {"decisions": 3}},
            "t2_art20_8": {"admin_fees": {"fee_amount": 12.5}},
        },
    )
    out.append(("A2021", a2021, "2022-02-10", "2022-03-01T08:00:00Z"))
    a2022 = make_result(
        "示例区政府",
        REGION,
        2022,
        "gov2021",
        t3={
            "new_received": _z(70),
            "carried_over": _z(9),
            "granted": _z(40),
            "partially_granted": _z(10),
            "unable_not_held": _z(20),
            "results_total": _z(70),
            "carried_forward": _z(9),
        },
        t4=[3, 2, 0, 1, 6] + [0] * 10,
        t2={
            "t2_art20_5": {"admin_licensing": {"decisions": 150}},
            "t2_art20_6": {"admin_penalty": {"decisions": 20}, "admin_coercion": {"decisions": 0}},
        },
    )
    out.append(("A2022", a2022, "2023-02-25", "2023-03-01T08:00:00Z"))

    fin = "示例区财政局"
    out.append(
        (
            "B2020",
            make_result(
                fin,
                REGION,
                2020,
                "gov2019",
                t3={
                    "new_received": [8, 2, 0, 0, 0, 0, 10],
                    "granted": [6, 1, 0, 0, 0, 0, 7],
                    "denied_internal_affairs": _z(1),
                    "unable_need_creation": [1, 1, 0, 0, 0, 0, 2],
                    "results_total": [8, 2, 0, 0, 0, 0, 10],
                },
            ),
            "2021-01-20",
            "2021-03-01T08:01:00Z",
        )
    )
    # 2021: the balance does not hold as printed (12 received, 11 handled, 0 carried forward).
    out.append(
        (
            "B2021",
            make_result(
                fin,
                REGION,
                2021,
                "gov2021",
                t3={"new_received": _z(12), "granted": _z(10), "results_total": _z(11)},
            ),
            "2022-01-25",
            "2022-03-01T08:01:00Z",
        )
    )
    # 2022: the 总计 column of 予以公开 is printed blank (as 上海 2019 does) -> derived from the parts.
    out.append(
        (
            "B2022",
            make_result(
                fin,
                REGION,
                2022,
                "gov2021",
                t3={
                    "new_received": _z(5),
                    "granted": [3, 0, 0, 0, 0, 0, None],
                    "partially_granted": _z(2),
                    "results_total": _z(5),
                },
                t4=[1, 0, 0, 0, 1] + [0] * 10,
            ),
            "2023-01-20",
            "2023-03-01T08:01:00Z",
        )
    )

    edu = "示例区教育局"
    out.append(
        (
            "C2020",
            make_result(
                edu,
                REGION,
                2020,
                "gov2019",
                t3={
                    "new_received": _z(20),
                    "granted": _z(15),
                    "unable_not_held": _z(5),
                    "results_total": _z(20),
                },
            ),
            "2021-01-15",
            "2021-03-01T08:02:00Z",
        )
    )
    out.append(
        (
            "C2021",
            make_result(
                edu,
                REGION,
                2021,
                "gov2021",
                t3={
                    "new_received": _z(30),
                    "granted": _z(25),
                    "denied_third_party": _z(5),
                    "results_total": _z(30),
                },
            ),
            "2022-01-15",
            "2022-03-01T08:02:00Z",
        )
    )

    town = "岔河镇人民政府"
    out.append(
        (
            "D2021",
            make_result(
                town,
                REGION,
                2021,
                "gov2021",
                t3={"new_received": _z(3), "granted": _z(3), "results_total": _z(3)},
            ),
            "2022-01-28",
            "2022-03-01T08:03:00Z",
        )
    )
    out.append(
        (
            "D2022v1",
            make_result(
                town,
                REGION,
                2022,
                "gov2021",
                t3={"new_received": _z(4), "granted": _z(4), "results_total": _z(4)},
            ),
            "2023-01-10",
            "2023-01-12T08:03:00Z",
        )
    )
    out.append(
        (
            "D2022v2",
            make_result(
                town,
                REGION,
                2022,
                "gov2021",
                t3={
                    "new_received": _z(6),
                    "granted": _z(5),
                    "partially_granted": _z(1),
                    "results_total": _z(6),
                },
                salt="corrected",
            ),
            "2023-02-28",
            "2023-03-01T08:03:00Z",
        )
    )

    out.append(
        (
            "E2022",
            make_result("示例区卫生健康委员会", REGION, 2022, "gov2021", omit_tables=(T3,), t4=[0] * 15),
            "2023-01-30",
            "2023-03-01T08:04:00Z",
        )
    )
    out.append(("X_unsupported", make_unreadable("unsupported", "scan.tif"), None, "2023-03-01T08:05:00Z"))
    out.append(
        ("X_not_a_report", make_unreadable("not_a_report", "网站工作年度报表"), None, "2023-03-01T08:06:00Z")
    )
    return out


def district_dataset() -> tuple[dict[str, dict], list[dict]]:
    """The 示例区 world: results by label, and the crawler manifest (incl. a blocked report link).

    Agencies: the district government (3 years, names printed three ways, gov2019 then gov2021, a
    cross-year carry mismatch 2021->2022, published late in 2023), the finance bureau (a failing balance
    check in 2021, a blank 总计 in 2022), the education bureau (2022 blocked by a WAF), a town whose 2022
    report was re-published with corrected numbers, a health commission whose 2022 report failed to
    extract, and an unsupported file and a non-report.
    """
    results, manifest = {}, []
    titles = {
        "A": "示例区人民政府",
        "B": "示例区财政局",
        "C": "示例区教育局",
        "D": "岔河镇人民政府",
        "E": "示例区卫生健康委员会",
    }
    for label, result, link_date, fetched_at in _district_reports():
        results[label] = result
        year = (result.get("report") or {}).get("year")
        title = (
            f"{titles[label[0]]}{year}年政府信息公开工作年度报告" if label[0] in titles else f"附件{label}"
        )
        url = f"http://127.0.0.1:8001/xxgk/{label}.pdf"
        manifest.append(manifest_entry(url, result["sha256"], "new", title, link_date, fetched_at))
    manifest.append(
        manifest_entry(
            "http://127.0.0.1:8001/xxgk/C2022.pdf",
            None,
            "blocked",
            "示例区教育局2022年政府信息公开工作年度报告",
            "2023-01-15",
            "2023-03-01T08:02:00Z",
        )
    )
    manifest.append(
        manifest_entry(
            "http://127.0.0.1:8001/xxgk/list_2.html", None, "failed", "第2页", None, "2023-03-01T08:07:00Z"
        )
        | {"kind": "page"}
    )
    return results, manifest
