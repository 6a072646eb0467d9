"""The consistency rules (勾稽关系) of schema.yaml, evaluated on the cells as printed.

Rules are data: each has ``for_each`` bindings and a ``formula`` of cell references joined by + and -
around one comparison. Null policy (schema ``null_policy``): a blank counts as 0 when its table has at
least one number; a table with no numbers at all is "not filled" and its rules are skipped. Totals are
NOT derived here: the checks say whether the report adds up *as printed* (上海 2019 leaves 总计 blank
and fails ``t3_row_total`` — that is the finding, not something to paper over).

"As printed" includes numbers the cell rules refuse: a count printed ``-3`` or ``1.5`` (or a fee printed
``-12.5``) is kept as null with an ``unreadable_cell`` issue, but it is what the report prints, so the rules
see it — ``nonneg_int`` / ``t2_fee_nonneg`` fail on it and the sums use it — instead of passing on a 0.
"""

from __future__ import annotations

import re
from decimal import Decimal

from transform.result import Issue, Table, Value
from transform.schema import T3, T4, layout, load_schema, rules
from transform.values import parse_cell

_REF = re.compile(r"(t\d_[a-z0-9_]+)\.([a-z_]+)\.([a-z_]+)")
_CMP = re.compile(r"(==|<=|>=)")
_PROSE_RULES = {"t2_rules_authority"}  # heuristic rules with a prose formula, evaluated by hand below
# Bodies that can make 规章 (国务院部门, 省级政府, 设区的市/自治州 government and their offices).
_RULE_MAKERS = re.compile(r"(省|自治区|^北京市|^上海市|^天津市|^重庆市|[^区县]市|自治州)"
                          r"(人民政府)?(办公厅|办公室|司法局|司法厅)?$")


def _printed(v: Value | None) -> int | Decimal | None:
    """The number the cell prints: its value, or for a refused cell (a sign or decimals where the
    column allows none) the signed/decimal number its raw text reads as; None for a blank."""
    if v is None:
        return None
    if v.value is not None:
        return v.value
    if not v.raw or not v.raw.strip():
        return None
    parsed = parse_cell(v.raw, decimal_ok=True, signed_ok=True)
    if parsed.kind != "number":
        return None
    value = parsed.value
    return int(value) if value == value.to_integral_value() and "." not in str(value) else value


def _filled(table: Table) -> bool:
    """Schema null_policy: a table with at least one printed number (its blanks count as 0)."""
    return any(_printed(v) is not None for row in table.cells.values() for v in row.values())


def _bindings(rule: dict, versions: dict[str, str]) -> list[dict[str, str]]:
    spec = rule.get("for_each")
    if not spec:
        return [{}]
    (name, source), = spec.items()
    if isinstance(source, list):
        return [{name: s} for s in source]
    if source == "t3_requests.all_columns":
        return [{name: c} for c in load_schema()["tables"][T3]["all_columns"]]
    if source.startswith("all data rows of t3_requests"):
        version = versions.get(T3)
        lay = layout(T3, version) if version else None
        return [{name: r} for r in (lay.row_codes if lay else ())]
    return []


def _side_value(expr: str, tables: dict[str, Table]) -> tuple[Decimal | None, list[str]]:
    """Sum of a ``ref + ref - ref`` expression over the filled tables, None if a referenced one is not there."""
    total = Decimal(0)
    refs = []
    for sign, ref in re.findall(r"([+\-]?)\s*(t\d_[a-z0-9_]+\.[a-z_]+\.[a-z_]+|\d+)", expr):
        if ref.isdigit():
            value: Decimal | int | None = int(ref)
        else:
            tid, row, col = ref.split(".")
            table = tables.get(tid)
            if table is None or row not in table.cells or col not in table.cells[row]:
                return None, refs
            value = _printed(table.cells[row][col])
            refs.append(ref)
            value = 0 if value is None else value
        total += -Decimal(value) if sign == "-" else Decimal(value)
    return total, refs


def _evaluate(formula: str, tables: dict[str, Table]) -> tuple[bool, str] | None:
    lhs, op, rhs = _CMP.split(formula, maxsplit=1)
    left, _ = _side_value(lhs, tables)
    right, _ = _side_value(rhs, tables)
    if left is None or right is None:
        return None
    ok = {"==": left == right, "<=": left <= right, ">=": left >= right}[op]
    return ok, f"{_fmt(left)} {op} {_fmt(right)}"


def _fmt(d: Decimal) -> str:
    return str(int(d)) if d == d.to_integral_value() else str(d.normalize())


def run_checks(tables: dict[str, Table], agency: str | None) -> tuple[list[dict], list[Issue]]:
    """Evaluate every applicable rule; return the contract's ``checks`` list and info issues."""
    versions = {tid: t.version for tid, t in tables.items() if t.version}
    checks: list[dict] = []
    issues: list[Issue] = []
    filled = {tid: table for tid, table in tables.items() if _filled(table)}  # null_policy: only these are checked
    for tid in (t for t in tables if t not in filled):
        issues.append(Issue("info", "not_filled", f"{tid} has no numbers at all; its rules are skipped", tid))
    present_versions = set(versions.values())
    for rule in rules():
        if rule.get("requires") or rule["id"] == "nonneg_int":
            continue
        applies = rule.get("versions")
        if applies and not _rule_applies(rule, versions, present_versions):
            continue
        if rule["id"] in _PROSE_RULES:
            checks.extend(_rules_authority(filled, agency))
            continue
        if not _CMP.search(rule["formula"]):
            continue
        for binding in _bindings(rule, versions):
            formula = rule["formula"]
            for name, value in binding.items():
                formula = formula.replace("{" + name + "}", value)
            if not _REF.search(formula):
                continue
            result = _evaluate(formula, filled)
            if result is None:
                continue
            ok, detail = result
            where = next(iter(binding.values()), rule["id"])
            entry = {"rule": rule["id"], "where": where, "ok": ok}
            if not ok:
                entry["detail"] = detail
                entry["severity"] = rule.get("severity", "error")
            checks.append(entry)
    checks.extend(_nonneg(filled))
    return checks, issues


def _rule_applies(rule: dict, versions: dict[str, str], present: set[str]) -> bool:
    refs = set(re.findall(r"(t\d_[a-z0-9_]+)\.", rule["formula"] + str(rule.get("for_each", ""))))
    relevant = {versions[t] for t in refs if t in versions} or present
    return bool(relevant & set(rule["versions"]))


def _nonneg(tables: dict[str, Table]) -> list[dict]:
    """``nonneg_int``: every count is an integer >= 0 (signed 本年增/减 and money excepted)."""
    out = []
    for tid, table in tables.items():
        if not table.version:
            continue
        lay = layout(tid, table.version)
        bad = []
        for row, cols in table.cells.items():
            for col, v in cols.items():
                ctype = lay.column(col).type if tid not in (T3, T4) else "int_nonneg"
                value = _printed(v)
                if value is None or ctype != "int_nonneg":
                    continue
                if value < 0 or value != int(value):
                    bad.append(f"{row}.{col}={v.raw.strip() if v.value is None else value}")
        entry = {"rule": "nonneg_int", "where": tid, "ok": not bad}
        if bad:
            entry["detail"] = ", ".join(bad)
            entry["severity"] = "error"
        out.append(entry)
    return out


def _rules_authority(tables: dict[str, Table], agency: str | None) -> list[dict]:
    table = tables.get("t2_art20_1")
    if table is None or not agency:
        return []
    counts = [_printed(v) for v in table.cells.get("rules", {}).values() if _printed(v)]
    ok = not counts or bool(_RULE_MAKERS.search(agency))
    entry = {"rule": "t2_rules_authority", "where": "rules", "ok": ok}
    if not ok:
        entry["detail"] = f"{agency} reports 规章 counts {counts} but is not a body that makes 规章"
        entry["severity"] = "warning"
    return [entry]
