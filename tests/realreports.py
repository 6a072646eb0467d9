"""The real published reports of ``shared/real-reports`` and their hand-checked truth, in canonical codes."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from transform import labels
from transform.schema import T3, T4, layout, normalize_label, t2_table_ids, t4_physical_order


def shared_dir() -> Path:
    """``shared/`` beside the checkout (CI lays it there), else the workplace copy."""
    here = Path(__file__).resolve().parents[1]
    for cand in (here.parent / "shared", Path("/work/shared")):
        if (cand / "real-reports").is_dir():
            return cand
    raise FileNotFoundError("shared/real-reports not found beside the checkout")


REAL = shared_dir() / "real-reports"
NAMES = sorted(p.name for p in REAL.iterdir() if (p / "truth.json").is_file())


@cache
def truth(name: str) -> dict:
    return json.loads((REAL / name / "truth.json").read_text(encoding="utf-8"))


def _number(value):
    if isinstance(value, str):
        m = re.fullmatch(r"([\d.]+)(元|万元|件|个|项)?", value)
        value = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    return value


def expected_tables(name: str) -> dict[str, dict]:
    """``{table_id: {"version": v, "cells": {row: {col: value}}}}`` from truth.json."""
    t = truth(name)
    out: dict[str, dict] = {}
    single_other = t.get("table3_other_processing_rows") == "single_row" or any(
        k.endswith("(六)其他处理") for k in t["applications"]
    )
    t3_version = "gov2019" if single_other else "gov2021"
    t3_cols = layout(T3, t3_version).col_codes
    cells: dict[str, dict] = {}
    for key, values in t["applications"].items():
        code = _t3_code(key)
        cells[code] = {c: _number(v) for c, v in zip(t3_cols, values)}
    out[T3] = {"version": t3_version, "cells": cells}
    t4: dict[str, dict] = {}
    for (row, col), v in zip(t4_physical_order(), t["review_litigation"]):
        t4.setdefault(row, {})[col] = _number(v)
    t2_version = "gov2019" if t["format"] == "2019" else "gov2021"
    out[T4] = {"version": t2_version, "cells": t4}
    for row_label, cols in t["proactive"].items():
        pattern = labels.match_t2_row(row_label)
        lay = layout(pattern.table_id, t2_version)
        table = out.setdefault(pattern.table_id, {"version": t2_version, "cells": {}})
        row = table["cells"].setdefault(pattern.code, {})
        for col_label, v in cols.items():
            col = next(c.code for c in lay.columns if re.search(c.match, normalize_label(col_label)))
            row[col] = _number(v)
    assert set(out) == set(t2_table_ids()) & set(out) | {T3, T4}
    return out


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
