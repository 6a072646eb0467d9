"""How far a report read by OCR can be trusted: every OCR'd number marked, `ok` only when proven.

A number read from a picture can be wrong in ways a text layer never is (7 read as 1, a faint digit
dropped). Two things make it trustworthy: the recogniser's confidence for that cell, and the 勾稽 rules
of the format, which tie most cells of 表三/表四 to each other. So:

* every OCR'd cell in ``cells_source`` says so: ``ocr: true``, its confidence, the picture and the box;
* the report stays ``ok`` only when every OCR'd cell was read with high confidence AND every rule the
  format defines holds; otherwise it is a ``warning`` naming the cells (``ocr_low_confidence``,
  ``ocr_check_failed``);
* when rules fail and exactly one change of one OCR'd cell within the usual confusions (1/7, 0/8/6,
  3/8, a dropped digit) makes every rule hold, that change is proposed (``ocr_suggestion``) — never
  applied: the printed picture is the evidence, the suggestion only says where to look.
"""

from __future__ import annotations

from decimal import Decimal

from extract.documents.model import Document
from transform.checks import run_checks
from transform.result import Issue, Table, Value

HIGH_CONFIDENCE = 0.97  # lowest word score of a cell for the cell to count as surely read
MAX_LISTED = 12  # cells named in one issue message
# Digits OCR mistakes for one another in these fonts (both directions).
CONFUSIONS = {"1": "7", "7": "1", "0": "86", "8": "063", "6": "08", "3": "8"}


def review(result: dict, tables: dict[str, Table], doc: Document, agency: str | None) -> dict:
    """Mark OCR'd cells in ``result`` and lower its status when the OCR numbers are not proven."""
    ocr_cells = _mark_sources(result, tables)
    if doc.ocr_pages:
        result["issues"].append(Issue("info", "ocr", f"pages {doc.ocr_pages} have no text layer and were read "
                                      "by OCR").as_json())
    if doc.ocr_pictures:
        result["issues"].append(Issue("info", "ocr", f"tables read by OCR from the pictures "
                                      f"{', '.join(doc.ocr_pictures[:6])}").as_json())
    if not ocr_cells:
        return result
    new: list[Issue] = []
    low = [src for src in ocr_cells if src["confidence"] < HIGH_CONFIDENCE]
    if low:
        new.append(Issue("warning", "ocr_low_confidence", f"{len(low)} cells read by OCR with low confidence: "
                         + _listing(low)))
    failing = [c for c in result["checks"] if not c["ok"]]
    if failing:
        related = _related_cells(failing, tables, ocr_cells)
        rules = ", ".join(sorted({f"{c['rule']}({c['where']})" for c in failing}))
        new.append(Issue("warning", "ocr_check_failed", f"rules {rules} fail on numbers read by OCR; "
                         f"cells to verify against the picture: {_listing(related) or 'none identified'}"))
        suggestion = _single_fix(tables, agency, related)
        if suggestion is not None:
            src, raw, proposed = suggestion
            new.append(Issue("info", "ocr_suggestion", f"reading {src['table']}.{src['row']}.{src['col']} as "
                             f"{proposed} instead of {raw or 'blank'} would make every rule hold (a usual OCR "
                             "confusion); not applied", src["table"], src["row"], src["col"], src.get("page"),
                             raw))
    result["issues"] += [i.as_json() for i in new]
    if result["status"] == "ok" and any(i.severity == "warning" for i in new):
        result["status"] = "warning"
    return result


def _mark_sources(result: dict, tables: dict[str, Table]) -> list[dict]:
    marked = []
    for src in result["cells_source"]:
        value = tables[src["table"]].cells.get(src["row"], {}).get(src["col"])
        cell = value.cell if value else None
        if cell is None or cell.ocr is None:
            continue
        src["ocr"] = True
        src["confidence"] = cell.ocr.get("confidence")
        if cell.ocr.get("box") is not None:
            src["image_box"] = cell.ocr["box"]
        if cell.ocr.get("image"):
            src["image"] = cell.ocr["image"]
        marked.append(src)
    return marked


def _listing(sources: list[dict]) -> str:
    names = [f"{s['table']}.{s['row']}.{s['col']}={s.get('raw', '')!s}".rstrip("=") +
             (f" (p{s['page']}, {s['confidence']:.2f})" if s.get("page") else f" ({s['confidence']:.2f})")
             for s in sources[:MAX_LISTED]]
    more = f" and {len(sources) - MAX_LISTED} more" if len(sources) > MAX_LISTED else ""
    return "; ".join(names) + more


def _related_cells(failing: list[dict], tables: dict[str, Table], ocr_cells: list[dict]) -> list[dict]:
    """OCR'd cells that a failing rule can involve: its row or column where the rule names one, else its
    table; cells tied to every failing rule first (a single misread explains them all)."""
    def touches(src: dict, check: dict) -> bool:
        rule, where = check["rule"], check["where"]
        table = rule.split("_")[0] if rule.startswith("t") else None
        if where in tables:  # nonneg_int names its table
            return src["table"] == where
        if table and not src["table"].startswith(table):
            return False
        return where in (src["row"], src["col"]) or where not in _all_codes(tables)

    hits = [s for s in ocr_cells if any(touches(s, c) for c in failing)]
    hits.sort(key=lambda s: -sum(touches(s, c) for c in failing))
    return hits


def _all_codes(tables: dict[str, Table]) -> set[str]:
    codes = set()
    for table in tables.values():
        for row, cols in table.cells.items():
            codes.add(row)
            codes.update(cols)
    return codes


def _single_fix(tables: dict[str, Table], agency: str | None, related: list[dict]) -> tuple[dict, str, str] | None:
    """The one (cell, value) within OCR's usual confusions that makes every rule hold, if exactly one."""
    found: list[tuple[dict, str, str]] = []
    for src in related:
        value = tables[src["table"]].cells[src["row"]][src["col"]]
        raw = (value.raw or "").strip()
        if value.value is None and raw:
            continue  # a refused cell (text, a unit): not a digit confusion
        for candidate in _confusions(raw):
            if _all_rules_hold(tables, agency, value, candidate):
                found.append((src, raw, candidate))
                if len(found) > 1:
                    return None
    return found[0] if found else None


def _confusions(raw: str) -> list[str]:
    """Numbers one usual OCR mistake away from ``raw``: one confusable digit swapped, or a digit that
    was dropped put back (a blank may be a single dropped digit)."""
    digits = raw.replace(",", "")
    if digits and not digits.isdigit():
        return []
    out: set[str] = set()
    for i, d in enumerate(digits):
        for alt in CONFUSIONS.get(d, ""):
            out.add(digits[:i] + alt + digits[i + 1:])
    for i in range(len(digits) + 1):
        for d in "0123456789":
            out.add(digits[:i] + d + digits[i:])
    return sorted(c for c in out if c != digits and (len(c) == 1 or not c.startswith("0")))


def _all_rules_hold(tables: dict[str, Table], agency: str | None, value: Value, candidate: str) -> bool:
    saved = value.value
    value.value = int(candidate) if candidate.isdigit() else Decimal(candidate)
    try:
        checks, _ = run_checks(tables, agency)
    finally:
        value.value = saved
    return all(c["ok"] for c in checks)
