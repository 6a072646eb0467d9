"""Internally consistent report values with known truth, for tests and the offline demo.

``generate_report`` returns the same dict shape as ``xxgk extract`` (``spec/extract-output.md``):
``{"report": {...}, "tables": {table_id: {"version": ..., "cells": {row: {col: value}}}}}``. Row and
column codes come only from ``transform.schema``, so a schema change reaches the demo world by itself.

The values obey every error-severity rule of ``schema.yaml`` (``t3_balance``, ``t3_row_total``,
``t3_results_sum_2019/2021``, ``t4_group_total``, ``nonneg_int``, ``t2_fee_nonneg``) and the
``t2_2019_implied_item_count`` and ``t2_rules_authority`` plausibility checks, so a test that wants a
known violation edits one cell afterwards and knows exactly which rule must fail.

``blanks=True`` imitates 上海市政府办公厅 2019, which prints most zeros as empty cells: every zero cell
becomes ``None`` except in the four 表三 rows that carry the balance (一、本年新收…, 二、上年结转…,
（七）总计, 四、结转下年度继续办理), which 上海 prints in full. Non-zero cells are never blanked.
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

from transform import schema

# 表三 rows that 上海 2019 prints even when zero; with blanks=True every other zero is printed blank.
BALANCE_ROWS = ("new_received", "carried_over", "results_total", "carried_forward")

# Share of all applications by applicant column: most applicants are natural persons (平潭, 淮安).
_APPLICANT_SHARE = {
    "natural_person": (0.80, 0.97),
    "commercial_enterprise": (0.01, 0.12),
    "research_institution": (0.0, 0.01),
    "public_interest_org": (0.0, 0.01),
    "legal_service_org": (0.0, 0.04),
    "other_org": (0.0, 0.03),
}

# Relative frequency of each final result; 予以公开 and 本机关不掌握 dominate real reports.
_RESULT_WEIGHTS = {
    "granted": 40,
    "partially_granted": 8,
    "denied_state_secret": 0.3,
    "denied_law_prohibited": 0.5,
    "denied_security_stability": 0.3,
    "denied_third_party": 1,
    "denied_internal_affairs": 1,
    "denied_process_info": 1.5,
    "denied_enforcement_file": 0.8,
    "denied_admin_query": 1.5,
    "unable_not_held": 25,
    "unable_need_creation": 4,
    "unable_unclear": 2,
    "not_processed_petition": 3,
    "not_processed_repeat": 3,
    "not_processed_publication": 0.5,
    "not_processed_excessive": 0.5,
    "not_processed_confirm_reissue": 0.5,
    "other_processing": 3,
    "other_overdue_correction": 2,
    "other_overdue_fee": 0.3,
    "other_other": 1,
}


def title_for(agency: str, year: int) -> str:
    """The usual report title: ``<agency><year>年政府信息公开工作年度报告``."""
    return f"{agency}{year}年政府信息公开工作年度报告"


def generate_report(
    agency: str,
    region: str,
    year: int,
    version: str,
    seed: int,
    *,
    scale: int = 100,
    t3_version: str | None = None,
    blanks: bool = False,
) -> dict:
    """Generate one report's values, deterministic for the same arguments.

    Args:
        agency: publishing body, e.g. ``淮安市洪泽区人民政府``.
        region: its region, e.g. ``江苏省淮安市洪泽区``.
        year: report year.
        version: format version of 表二 and (by default) 表三 — ``gov2019`` or ``gov2021``.
        seed: random seed; the same seed and arguments give the same values.
        scale: rough size of the body (a town ~5, a district ~100, a city ~3000); drives all counts.
        t3_version: version of 表三 if it differs from ``version`` (a gov2021 表二 with a gov2019 表三).
        blanks: print zeros as blanks (``None``) the way 上海 2019 does; see the module docstring.
    """
    if version not in schema.VERSIONS or (t3_version or version) not in schema.VERSIONS:
        raise ValueError(f"unknown format version {version!r}/{t3_version!r}")
    rng = random.Random(f"{seed}|{agency}|{year}|{version}|{t3_version}|{scale}")
    t3v = t3_version or version
    tables: dict[str, dict] = {}
    for table_id in schema.t2_table_ids():
        if schema.layout(table_id, version) is not None:
            tables[table_id] = {"version": version, "cells": _t2_cells(table_id, version, rng, scale)}
    tables[schema.T3] = {"version": t3v, "cells": _t3_cells(t3v, rng, scale)}
    tables[schema.T4] = {"version": version, "cells": _t4_cells(rng, scale)}
    if blanks:
        _blank_zeros(tables)
    return {
        "report": {
            "agency": agency,
            "region": region,
            "year": year,
            "format_version": version,
            "title": title_for(agency, year),
        },
        "tables": tables,
    }


# --- 表二 -----------------------------------------------------------------------------------------


def _count(rng: random.Random, mean: float) -> int:
    """A non-negative count around ``mean`` (triangular, so small bodies still often get zeros)."""
    if mean <= 0:
        return 0
    return max(0, int(round(rng.triangular(0, 2.2 * mean, mean * 0.6))))


def _t2_cells(table_id: str, version: str, rng: random.Random, scale: int) -> dict:
    lay = schema.layout(table_id, version)
    return {row.code: _t2_row(table_id, version, row.code, rng, scale) for row in lay.rows}


def _t2_row(table_id: str, version: str, row: str, rng: random.Random, scale: int) -> dict:
    # Only 国务院部门, provinces and 设区的市 make 规章 (t2_rules_authority); a "city" scale does.
    if row == "rules" and scale < 1000:
        return {c.code: 0 for c in schema.layout(table_id, version).columns}
    base = {
        "rules": 0.002,
        "normative_docs": 0.05,
        "admin_licensing": 6.0,
        "other_admin_services": 3.0,
        "admin_penalty": 2.0,
        "admin_coercion": 0.2,
        "admin_fees": 0.05,
        "gov_central_procurement": 0.15,
    }[row] * scale
    if table_id == "t2_art20_1":
        return _t2_documents(version, rng, base)
    if table_id == "t2_art20_9":
        items = _count(rng, base)
        amount = Decimal(rng.randrange(0, 30_000_000 * max(1, items))).scaleb(-2) if items else Decimal("0")
        return {"procurement_items": items, "procurement_amount": amount}
    if version == "gov2021":
        if table_id == "t2_art20_8":
            return {"fee_amount": _wan_yuan(rng, scale)}
        return {"decisions": _count(rng, base)}
    return _t2_items_2019(table_id, rng, base)


def _t2_documents(version: str, rng: random.Random, base: float) -> dict:
    made = _count(rng, base)
    if version == "gov2019":
        return {"new_made": made, "new_published": rng.randint(0, made), "total_published": made + _count(rng, 8 * base)}
    stock = made + _count(rng, 10 * base)
    return {"issued": made, "repealed": _count(rng, base / 3), "in_force": stock}


def _t2_items_2019(table_id: str, rng: random.Random, base: float) -> dict:
    prev = _count(rng, max(1.0, base / 20))
    change = rng.randint(-(prev // 3), max(1, prev // 4))  # a negative 本年增/减 never exceeds last year's count
    cells = {"prev_year_items": prev, "change": change}
    if table_id != "t2_art20_8":
        cells["decisions"] = _count(rng, base)
    return cells


def _wan_yuan(rng: random.Random, scale: int) -> Decimal:
    """A fee total in 万元 with 0–6 decimals, as real reports print (``7730.28``, ``24252.311082``)."""
    if rng.random() < 0.2:
        return Decimal("0")
    places = rng.choice([0, 2, 2, 2, 4, 6])
    units = rng.randrange(1, max(2, int(scale * 3 * 10**places)))
    return Decimal(units).scaleb(-places)


# --- 表三 -----------------------------------------------------------------------------------------


def _t3_cells(version: str, rng: random.Random, scale: int) -> dict:
    lay = schema.layout(schema.T3, version)
    row_codes = lay.row_codes
    applicant_cols = [c for c in lay.col_codes if c != "total"]
    result_rows = [r for r in row_codes if r in _RESULT_WEIGHTS]
    cells = {r: {} for r in row_codes}
    for col in applicant_cols:
        low, high = _APPLICANT_SHARE[col]
        new = _count(rng, scale * rng.uniform(low, high))
        carried_over = _count(rng, new * 0.04)
        carried_forward = min(new + carried_over, _count(rng, new * 0.04))
        done = new + carried_over - carried_forward
        results = Counter(rng.choices(result_rows, [_RESULT_WEIGHTS[r] for r in result_rows], k=done))
        column = {"new_received": new, "carried_over": carried_over, "results_total": done,
                  "carried_forward": carried_forward} | {r: results[r] for r in result_rows}
        for row in row_codes:
            cells[row][col] = column[row]
    for row in row_codes:
        cells[row]["total"] = sum(cells[row][c] for c in applicant_cols)
    return {r: {c: cells[r][c] for c in lay.col_codes} for r in row_codes}


# --- 表四 -----------------------------------------------------------------------------------------


def _t4_cells(rng: random.Random, scale: int) -> dict:
    lay = schema.layout(schema.T4, "gov2021")
    mean = {"review": scale / 40, "litigation_direct": scale / 80, "litigation_after_review": scale / 150}
    parts = [c for c in lay.col_codes if c != "total"]
    weights = {"maintained": 6, "corrected": 1, "other": 1, "pending": 1.5}
    cells = {}
    for row in lay.row_codes:
        n = _count(rng, mean[row])
        split = Counter(rng.choices(parts, [weights[p] for p in parts], k=n))
        cells[row] = {p: split[p] for p in parts} | {"total": n}
        cells[row] = {c: cells[row][c] for c in lay.col_codes}
    return cells


def _blank_zeros(tables: dict) -> None:
    for table_id, table in tables.items():
        for row, values in table["cells"].items():
            if table_id == schema.T3 and row in BALANCE_ROWS:
                continue
            for col, value in values.items():
                if value == 0:
                    values[col] = None
