"""The real published reports of ``shared/real-reports`` and their hand-checked truth, in canonical codes."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from transform import labels
from demo.sites.real import convert_truth
from transform.schema import T3, layout


def shared_dir() -> Path:
    """The reference folder: ``$XXGK_SHARED_DIR``, else ``shared/`` beside the checkout (where CI lays it)."""
    override = os.environ.get("XXGK_SHARED_DIR")
    candidate = Path(override) if override else Path(__file__).resolve().parents[2] / "shared"
    if not (candidate / "real-reports").is_dir():
        raise FileNotFoundError(f"{candidate}/real-reports not found: put shared/ beside the checkout "
                                "or set XXGK_SHARED_DIR")
    return candidate


REAL = shared_dir() / "real-reports"
NAMES = sorted(p.name for p in REAL.iterdir() if (p / "truth.json").is_file())


@cache
def truth(name: str) -> dict:
    return json.loads((REAL / name / "truth.json").read_text(encoding="utf-8"))


def expected_tables(name: str) -> dict[str, dict]:
    """``{table_id: {"version": v, "cells": {row: {col: value}}}}`` from truth.json (JSON numbers)."""
    tables = convert_truth(truth(name))["tables"]
    return json.loads(json.dumps(tables, default=float))


def _t3_code(key: str) -> str:
    parts = key.split("/")
    group = next((labels.match_t3_group(p) for p in parts if labels.match_t3_group(p)), None)
    for cand in labels.t3_candidates(parts[-1]):
        if cand.group in (None, "results", group):
            return cand.code
    raise KeyError(key)


def failed_rules(name: str) -> set[tuple[str, str]]:
    """(rule, where) pairs the truth says the printed report fails."""
    t = truth(name)["checks"]
    cols = {c.label: c.code for c in layout(T3, "gov2021").columns}
    out = set()
    for item in t.get("balance_per_column", []):
        if not item["pass"]:
            out.add(("t3_balance", cols[item["col"]]))
    for item in t.get("row_total_equals_sum", []):
        if not item["pass"]:
            out.add(("t3_row_total", _t3_code(item["row"])))
    for item in t.get("results_sum_equals_total", []):
        if not item["pass"]:
            out.add(("t3_results_sum", cols[item["col"]]))
    groups = {"行政复议": "review", "行政诉讼-未经复议直接起诉": "litigation_direct", "行政诉讼-复议后起诉": "litigation_after_review"}
    for item in t.get("review_litigation_totals", []):
        if not item["pass"]:
            out.add(("t4_group_total", groups[item["group"]]))
    return out
