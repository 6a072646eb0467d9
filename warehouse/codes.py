"""The codes and rules tables: every row and column of the statistics tables with its Chinese label and
printed order, and every consistency rule (勾稽关系) in words. Generated from ``transform/schema.yaml``,
never a second copy: the warehouse (``core_codes``, ``core_rules``), the CSV dictionary and the report site
all read them from here.
"""

from __future__ import annotations

import re
from functools import cache

from transform.schema import T3, T4, VERSIONS, layout, load_schema, t2_table_ids

_REF = re.compile(r"\b(t[234][a-z0-9_]*)\.(\{\w\}|[a-z_]+)\.(\{\w\}|[a-z_]+)")


def _entry(table_id: str, version: str, axis: str, order: int, code: str, label: str) -> dict:
    return {"table_id": table_id, "format_version": version, "axis": axis, "code": code,
            "label": label, "printed_order": order}


@cache
def codes() -> tuple[dict, ...]:
    """One entry per (table, version, axis, code): the Chinese label and the 1-based printed order."""
    out = []
    for table_id in t2_table_ids():
        for version in VERSIONS:
            lay = layout(table_id, version)
            if lay is None:
                continue
            out += [_entry(table_id, version, "row", i, r.code, r.label) for i, r in enumerate(lay.rows, 1)]
            out += [_entry(table_id, version, "column", i, c.code, c.label) for i, c in enumerate(lay.columns, 1)]
    tables = load_schema()["tables"]
    for version in VERSIONS:
        rows = [r for r in tables[T3]["rows"] if version in r["versions"]]
        out += [_entry(T3, version, "row", i, r["code"], r["label"]) for i, r in enumerate(rows, 1)]
        out += [_entry(T3, version, "column", i, c["code"], c["label"]) for i, c in enumerate(tables[T3]["columns"], 1)]
        out += [_entry(T4, version, "row", i, r["code"], f"{r.get('parent_label', '')}{r['label']}")
                for i, r in enumerate(tables[T4]["rows"], 1)]
        out += [_entry(T4, version, "column", i, c["code"], c["label"]) for i, c in enumerate(tables[T4]["columns"], 1)]
    return tuple(out)


def label_of(table_id: str, axis: str, code: str, version: str | None = None) -> str:
    """The Chinese label of a row or column code (the given version's, else either version's)."""
    for entry in codes():
        if (entry["table_id"], entry["axis"], entry["code"]) == (table_id, axis, code) and (
            version is None or entry["format_version"] == version
        ):
            return entry["label"]
    return code if version is None else label_of(table_id, axis, code)


def table_caption(table_id: str) -> str:
    spec = load_schema()["tables"][table_id]
    return spec.get("caption") or {T3: "收到和处理政府信息公开申请情况", T4: "政府信息公开行政复议、行政诉讼情况"}.get(
        table_id, table_id)


def rule_in_words(formula: str) -> str:
    """``t3_requests.new_received.{c} + … == …`` → ``一、本年新收… (每一列) + … = …`` with the printed labels."""

    def name(match: re.Match) -> str:
        table_id, row, col = match.groups()
        column = "每一列" if col.startswith("{") else label_of(table_id, "column", col)
        return f"{'每一行' if row.startswith('{') else label_of(table_id, 'row', row)}（{column}）"

    text = _REF.sub(name, formula)
    return text.replace("==", "=").replace("<=", "≤").replace(">=", "≥")


@cache
def rules() -> tuple[dict, ...]:
    """Every rule of schema.yaml: id, status, severity, versions, the formula and the formula in words."""
    out = []
    for rule in load_schema()["rules"]:
        formula = rule.get("formula") or ""
        out.append({
            "rule_id": rule["id"], "status": rule.get("status"), "severity": rule.get("severity"),
            "versions": ",".join(rule.get("versions") or []), "formula": formula,
            "rule_in_words": rule_in_words(formula) if formula else rule.get("source_text") or "",
            "source_text": rule.get("source_text"),
        })
    return tuple(out)
