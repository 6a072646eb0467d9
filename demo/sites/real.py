"""The six real reports embedded in the demo world, and their truth as extract-JSON report dicts.

``python -m demo.sites.real SHARED_DIR`` converts each ``truth.json`` of ``shared/real-reports`` into
``demo/data/real/<key>.json`` (committed, so the demo never needs ../shared at run time) and copies
the served files (the three WPS-made 淮安 PDFs, the three published HTML pages). Truth labels are mapped
to schema codes through the label regexes of ``transform.schema`` — never a second list of codes.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path

from transform import schema

REAL_DIR = Path(__file__).resolve().parent.parent / "data" / "real"
SERVED = {  # key -> the file the demo serves
    "js-huaian-city-2024": "report.pdf",
    "js-huaian-hongze-2023": "report.pdf",
    "js-huaian-hongze-2024": "report.pdf",
    "sh-city-office-2019": "source.html",
    "fj-pingtan-2019": "source.html",
    "fj-pingtan-2022": "source.html",
}
_T3_VERSION = {"single_row": "gov2019", "split_3": "gov2021"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?")


def convert_truth(truth: dict) -> dict:
    """truth.json (labels as printed) -> {"report": {...}, "tables": {...}} with schema codes."""
    version = "gov2019" if str(truth["format"]) == "2019" else "gov2021"
    agency, title = _agency_and_title(truth["agency"], truth["year"])
    tables: dict[str, dict] = {}
    for table_id in schema.t2_table_ids():
        lay = schema.layout(table_id, version)
        if lay is not None:
            tables[table_id] = {"version": version, "cells": _t2_cells(lay, truth["proactive"])}
    t3_version = _T3_VERSION[truth["table3_other_processing_rows"]]
    tables[schema.T3] = {"version": t3_version, "cells": _t3_cells(schema.layout(schema.T3, t3_version), truth)}
    tables[schema.T4] = {"version": version, "cells": _t4_cells(truth["review_litigation"])}
    return {"report": {"agency": agency, "region": truth["region"], "year": truth["year"],
                       "format_version": version, "title": title},
            "tables": tables}


def _agency_and_title(agency: str, year: int) -> tuple[str, str]:
    # 平潭's truth names the agency and, in brackets, the printed title.
    m = re.match(r"^(.*?)（(.*年度报告)）$", agency)
    if m:
        return m.group(1), m.group(2)
    return agency, f"{agency}{year}年政府信息公开工作年度报告"


def _match(fields, label: str, what: str, *, path: bool = False):
    # 表三 truth keys are paths ("三/(三)不予公开/1.属于国家秘密"): the printed label is the last part.
    norm = schema.normalize_label(label.split("/")[-1] if path else label)
    hits = [f for f in fields if re.search(f.match, norm)]
    if len(hits) != 1:
        raise ValueError(f"{what} label {label!r} matches {[f.code for f in hits]}")
    return hits[0]


def to_number(value):
    """A printed value as a number: ``251000元`` -> 251000, ``7730.28`` -> Decimal, None stays None."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    m = _NUMBER.match(str(value).replace(",", "").strip())
    if not m:
        raise ValueError(f"not a number: {value!r}")
    text = m.group(0)
    return Decimal(text) if "." in text else int(text)


def _t2_cells(lay, proactive: dict) -> dict:
    cells = {r.code: {c.code: None for c in lay.columns} for r in lay.rows}
    for row_label, cols in proactive.items():
        row = next((r for r in lay.rows if re.search(r.match, schema.normalize_label(row_label))), None)
        if row is None:
            continue  # that row belongs to another 第二十条 table
        for col_label, value in cols.items():
            col = _match(lay.columns, col_label, "t2 column")
            cells[row.code][col.code] = to_number(value)
    return cells


def _t3_cells(lay, truth: dict) -> dict:
    cols = [_match(lay.columns, label, "t3 column").code for label in truth["applications_columns"]]
    cells = {}
    for label, values in truth["applications"].items():
        row = _match(lay.rows, label, "t3 row", path=True)
        if row.code in cells:
            raise ValueError(f"two truth rows map to {row.code}")
        cells[row.code] = {c: to_number(v) for c, v in zip(cols, values)}
    missing = set(lay.row_codes) - set(cells)
    if missing:
        raise ValueError(f"truth lacks rows {sorted(missing)}")
    return {code: cells[code] for code in lay.row_codes}


def _t4_cells(values: list) -> dict:
    order = schema.t4_physical_order()
    if len(values) != len(order):
        raise ValueError(f"表四 needs {len(order)} values, truth has {len(values)}")
    cells: dict[str, dict] = {}
    for (row, col), v in zip(order, values):
        cells.setdefault(row, {})[col] = to_number(v)
    return cells


def expected_status(truth: dict) -> str:
    """ok when every standard check passes and nothing is blank, else warning (as printed, never fixed)."""
    passes = truth["checks"].get("standard_checks_all_pass", True)
    return "ok" if passes and not truth["blank_cells"] else "warning"


@cache
def _load(key: str) -> dict:
    return json.loads((REAL_DIR / f"{key}.json").read_text(encoding="utf-8"), parse_float=Decimal)


def load_real_values(key: str) -> dict:
    """The committed truth of one real report (a fresh copy: callers may edit it)."""
    data = _load(key)
    return copy.deepcopy({k: data[k] for k in ("report", "tables")})


def real_extract_status(key: str) -> str:
    return _load(key)["demo"]["expected_status"]


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)  # written as a JSON number; read back with parse_float=Decimal
    raise TypeError(type(value))


def build(shared_dir: Path, out_dir: Path = REAL_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for key, served in SERVED.items():
        truth = json.loads((shared_dir / key / "truth.json").read_text(encoding="utf-8"))
        doc = convert_truth(truth)
        doc["demo"] = {"source": f"shared/real-reports/{key}/truth.json", "served_file": served,
                       "expected_status": expected_status(truth)}
        (out_dir / f"{key}.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=1, default=_json_default) + "\n", encoding="utf-8")
        suffix = ".pdf" if served.endswith(".pdf") else ".html"
        shutil.copyfile(shared_dir / key / served, out_dir / f"{key}{suffix}")


if __name__ == "__main__":
    # python -m demo.sites.real [REAL_REPORTS_DIR]; default: $XXGK_SHARED_DIR or shared/ beside the checkout
    shared = Path(os.environ.get("XXGK_SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared")
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else shared / "real-reports")
