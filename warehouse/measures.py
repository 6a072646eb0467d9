"""The measure catalog: which cells of the statistics tables become named measures, and how.

Generated from ``transform/schema.yaml`` (never a second copy of the codes). A measure is either
 - a printed cell (``t2_art20_5`` ``admin_licensing.decisions`` -> ``admin_licensing_decisions``),
 - a row total (``t3_requests`` ``granted.total`` -> ``granted``): the printed 总计 when there is one, else
   the sum of the row's printed parts, marked ``derived`` (schema ``null_policy.derive_missing_totals``),
 - a column group (``new_received_legal_person_group``: the five 法人或其他组织 columns), always derived,
 - a derived row (schema ``derived_rows`` and the 行政诉讼 rows): the printed row when the version prints
   it (gov2019 ``other_processing``), else the sum of its part measures.
The warehouse turns the catalog into two small tables (``core_measure_sources``, ``core_measure_parts``)
so one generic SQL statement computes every measure for every report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from transform.schema import T3, T4, VERSIONS, layout, load_schema, t2_table_ids

TOTAL = "total"
LEGAL_PERSON_GROUP = "legal_person_group"
_MONEY_UNITS = {"wan_yuan", "money_unspecified"}


@dataclass
class Measure:
    """One named measure of a report."""

    code: str
    table_id: str
    label: str
    unit: str
    versions: list[str]
    comparable: bool
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # (row, col, role)
    parts: list[str] = field(default_factory=list)  # part measure codes (derived rows)

    @property
    def sql_type(self) -> str:
        return "DOUBLE" if self.unit in _MONEY_UNITS else "BIGINT"

    @property
    def description(self) -> str:
        how = "derived: sum of " + " + ".join(self.parts) if self.parts and not self.sources else self.label
        scope = "/".join(self.versions)
        return (
            f"{how} [{self.table_id}; {scope}{'' if self.comparable else '; not comparable across versions'}]"
        )


def _t3_measures() -> list[Measure]:
    spec = load_schema()["tables"][T3]
    applicant = spec["applicant_columns"]
    org_columns = next(g["children"] for g in spec["column_groups"] if g.get("code") == LEGAL_PERSON_GROUP)
    measures = []
    for row in spec["rows"]:
        sources = [(row["code"], TOTAL, "printed")] + [(row["code"], c, "part") for c in applicant]
        comparable = set(row["versions"]) == set(VERSIONS)
        measures.append(
            Measure(
                row["code"], T3, f"{row['label']} — 总计", spec["unit"], row["versions"], comparable, sources
            )
        )
    new_received = spec["rows"][0]["code"]
    labels = {c["code"]: c["label"] for c in spec["columns"]}
    row_labels = {r["code"]: r["label"] for r in spec["rows"]}
    # Applicant columns of 本年新收 (applicant mix) and of the two rows the cross-year rule compares.
    for row in [new_received, *carry_rows()]:
        for col in applicant:
            measures.append(
                Measure(
                    f"{row}_{col}",
                    T3,
                    f"{row_labels[row]} — {labels[col]}",
                    spec["unit"],
                    list(VERSIONS),
                    True,
                    [(row, col, "printed")],
                )
            )
    measures.append(
        Measure(
            f"{new_received}_{LEGAL_PERSON_GROUP}",
            T3,
            f"{spec['rows'][0]['label']} — 法人或其他组织",
            spec["unit"],
            list(VERSIONS),
            True,
            [(new_received, c, "part") for c in org_columns],
        )
    )
    measures.extend(_t3_derived_rows(spec, {m.code: m for m in measures}))
    return measures


def carry_rows() -> tuple[str, str]:
    """(this year's row, last year's row) of the cross-year rule ``xyear_carry`` in schema.yaml."""
    rule = next(r for r in load_schema()["rules"] if r["id"] == "xyear_carry")
    this_year, last_year = re.findall(rf"{T3}\.([a-z_]+)\.", rule["formula"])
    return this_year, last_year


def _t3_derived_rows(spec: dict, existing: dict[str, Measure]) -> list[Measure]:
    """Subtotals of schema ``derived_rows``; a row printed in one version gets the parts of the other."""
    new = []
    for code, formula in spec["derived_rows"].items():
        expressions = formula.values() if isinstance(formula, dict) else [formula]
        parts = [p for e in expressions if "+" in e for p in re.findall(r"[a-z_]+", e)]
        if code in existing:
            existing[code].parts = parts
            existing[code].versions = list(VERSIONS)
            existing[code].comparable = True
            continue
        new.append(
            Measure(
                code,
                T3,
                f"{code} (sum of {len(parts)} rows)",
                spec["unit"],
                list(VERSIONS),
                True,
                parts=parts,
            )
        )
    return new


def _t4_measures() -> list[Measure]:
    spec = load_schema()["tables"][T4]
    columns = [c["code"] for c in spec["columns"]]
    measures = []
    for row in spec["rows"]:
        for col in spec["columns"]:
            code = f"{row['code']}_{col['code']}"
            if col["code"] == TOTAL:
                sources = [(row["code"], TOTAL, "printed")] + [
                    (row["code"], c, "part") for c in columns if c != TOTAL
                ]
            else:
                sources = [(row["code"], col["code"], "printed")]
            label = f"{row.get('parent_label', '')}{row['label']} — {col['label']}"
            measures.append(Measure(code, T4, label, spec["unit"], list(VERSIONS), True, sources))
    # 行政诉讼 = 未经复议直接起诉 + 复议后起诉 (schema rule t4_litigation_total), for every column.
    litigation_rows = [r["code"] for r in spec["rows"] if r.get("parent_label") == "行政诉讼"]
    for col in spec["columns"]:
        parts = [f"{r}_{col['code']}" for r in litigation_rows]
        measures.append(
            Measure(
                f"litigation_{col['code']}",
                T4,
                f"行政诉讼 — {col['label']}",
                spec["unit"],
                list(VERSIONS),
                True,
                parts=parts,
            )
        )
    return measures


def _t2_comparable(table_id: str, row: str, col: str, versions: list[str]) -> bool:
    if set(versions) != set(VERSIONS):
        return False
    rule = load_schema()["tables"][table_id].get("comparable_across_versions") or {}
    if "cells" in rule:
        return f"{row}.{col}" in rule["cells"]
    return bool(rule.get("rows", False) and rule.get("columns", False))


def _t2_measures() -> list[Measure]:
    by_code: dict[str, Measure] = {}
    for table_id in t2_table_ids():
        for version in VERSIONS:
            lay = layout(table_id, version)
            if lay is None:
                continue
            for row in lay.rows:
                for col in lay.columns:
                    code = f"{row.code}_{col.code}"
                    if code in by_code:
                        by_code[code].versions.append(version)
                        continue
                    label = f"{load_schema()['tables'][table_id]['caption']} {row.label} — {col.label}"
                    by_code[code] = Measure(
                        code,
                        table_id,
                        label,
                        col.unit or "count",
                        [version],
                        False,
                        [(row.code, col.code, "printed")],
                    )
    for m in by_code.values():
        row, col, _ = m.sources[0]
        m.comparable = _t2_comparable(m.table_id, row, col, m.versions)
    return list(by_code.values())


# The measures out_year_over_year sets against the previous year. Only measures comparable across format
# versions (a gov2019 year next to a gov2021 year stays fair), plus out_agency_year's disclosure rate.
YEAR_OVER_YEAR = (
    "new_received", "results_total", "granted", "partially_granted", "denied_subtotal", "unable_subtotal",
    "not_processed_subtotal", "other_processing", "review_total", "litigation_total",
    "admin_licensing_decisions", "admin_penalty_decisions", "disclosure_pct",
)  # fmt: skip


def year_over_year_columns_sql() -> str:
    """``c.<m>, p.<m> AS <m>_prev, c.<m> - p.<m> AS <m>_change`` for every YEAR_OVER_YEAR measure."""
    return ",\n       ".join(f"c.{m}, p.{m} AS {m}_prev, c.{m} - p.{m} AS {m}_change" for m in YEAR_OVER_YEAR)


def carry_mismatch_sql() -> str:
    """One CASE per applicant column (and the total) naming it when this year's carried-over differs from
    last year's carried-forward (rule ``xyear_carry``); blanks count as 0 (schema null_policy)."""
    this_year, last_year = carry_rows()
    pairs = [(f"{this_year}_{c}", f"{last_year}_{c}", c) for c in load_schema()["tables"][T3]["applicant_columns"]]
    pairs.append((this_year, last_year, TOTAL))
    return ",\n        ".join(
        f"CASE WHEN coalesce(c.{mine}, 0) <> coalesce(p.{theirs}, 0) THEN '{name}' END" for mine, theirs, name in pairs
    )


def measure_columns_sql() -> str:
    """``m.<code>`` for every measure: the values of core_report_measures without their _source columns."""
    return ", ".join(f"m.{m.code}" for m in catalog())


def measure_source_columns_sql() -> str:
    """``m.<code>_source`` for every measure (out_agency_year_sources)."""
    return ", ".join(f"m.{m.code}_source" for m in catalog())


# Placeholders ``{{name}}`` in warehouse/sql/*.sql, filled from the catalog when the SQL is read.
GENERATED_SQL = {
    "year_over_year_columns": year_over_year_columns_sql,
    "carry_mismatch_cases": carry_mismatch_sql,
    "measure_columns": measure_columns_sql,
    "measure_source_columns": measure_source_columns_sql,
    "registry_first_year": lambda: str(_registry_first_year()),
}


def _registry_first_year() -> int:
    from warehouse.agencies import rules

    return int(rules()["registry_first_year"])


@cache
def catalog() -> tuple[Measure, ...]:
    """Every measure, in a stable order (表二, 表三, 表四)."""
    measures = _t2_measures() + _t3_measures() + _t4_measures()
    codes = [m.code for m in measures]
    duplicates = {c for c in codes if codes.count(c) > 1}
    if duplicates:
        raise ValueError(f"measure codes are not unique: {sorted(duplicates)}")
    return tuple(measures)


def measure(code: str) -> Measure:
    return next(m for m in catalog() if m.code == code)


def source_rows() -> list[dict]:
    """Rows of ``core_measure_sources``: which fact feeds which measure, as printed value or part."""
    return [
        {"measure_code": m.code, "table_id": m.table_id, "row_code": r, "col_code": c, "role": role}
        for m in catalog()
        for r, c, role in m.sources
    ]


def part_rows() -> list[dict]:
    """Rows of ``core_measure_parts``: derived measures and the measures they sum."""
    return [{"measure_code": m.code, "part_measure_code": p} for m in catalog() for p in m.parts]
