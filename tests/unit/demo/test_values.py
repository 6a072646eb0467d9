"""The value generator obeys the schema's consistency rules, for any seed, version and size.

The rules are evaluated from the formulas in ``schema.yaml`` (not re-typed here), so the test checks
the generator against the same contract the validator uses.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from demo.values import BALANCE_ROWS, generate_report, title_for
from transform import schema

AGENCY, REGION = "淮安市洪泽区人民政府", "江苏省淮安市洪泽区"
ERROR_RULES = ("t3_balance", "t3_row_total", "t3_results_sum_2019", "t3_results_sum_2021", "t4_group_total")
VERSION_COMBOS = [("gov2019", None), ("gov2021", None), ("gov2021", "gov2019")]
_REF = re.compile(r"(t\d\w*?)\.(\w+)\.(\w+)")


def _evaluate(expr: str, tables: dict) -> int:
    """Sum of the cell references in ``expr`` (only ``+`` occurs in these rules); None counts as 0."""
    return sum(tables[t]["cells"][r][c] or 0 for t, r, c in _REF.findall(expr))


def _bindings(rule: dict, tables: dict) -> list[dict]:
    t3 = schema.load_schema()["tables"][schema.T3]
    for_each = rule.get("for_each", {})
    if "c" in for_each:
        return [{"c": c} for c in t3["all_columns"]]
    if isinstance(for_each.get("r"), list):
        return [{"r": r} for r in for_each["r"]]
    return [{"r": r} for r in tables[schema.T3]["cells"]]  # "all data rows of t3_requests"


def failed_rules(report: dict) -> list[str]:
    """Names of the error rules (with their binding) that ``report`` violates."""
    tables = report["tables"]
    failures = []
    for rule in schema.rules():
        if rule["id"] not in ERROR_RULES or tables[schema.T3]["version"] not in rule["versions"]:
            continue
        for binding in _bindings(rule, tables):
            formula = rule["formula"]
            for name, value in binding.items():
                formula = formula.replace("{" + name + "}", value)
            left, right = formula.split("==")
            if _evaluate(left, tables) != _evaluate(right, tables):
                failures.append(f"{rule['id']}[{binding}]")
    return failures


@pytest.mark.parametrize("version,t3_version", VERSION_COMBOS)
@pytest.mark.parametrize("scale", [3, 100, 3000])
def test_error_rules_hold_for_many_seeds(version, t3_version, scale):
    for seed in range(25):
        report = generate_report(AGENCY, REGION, 2020 + seed % 5, version, seed, scale=scale, t3_version=t3_version)
        assert failed_rules(report) == [], (seed, scale)


def test_rule_checker_catches_an_edited_cell():
    # Guards the checker itself: one edited cell must break exactly the rules that read it.
    report = generate_report(AGENCY, REGION, 2023, "gov2021", 7)
    report["tables"][schema.T3]["cells"]["granted"]["natural_person"] += 1
    failed = failed_rules(report)
    assert "t3_row_total[{'r': 'granted'}]" in failed
    assert "t3_results_sum_2021[{'c': 'natural_person'}]" in failed
    assert not any(f.startswith("t3_balance") for f in failed)


@pytest.mark.parametrize("version,t3_version", VERSION_COMBOS)
def test_every_schema_cell_is_present_with_its_type(version, t3_version):
    report = generate_report(AGENCY, REGION, 2022, version, 3, scale=500, t3_version=t3_version)
    tables = report["tables"]
    expected_ids = set(schema.tables_in_version(version))
    assert set(tables) == expected_ids
    for table_id, table in tables.items():
        want_version = t3_version if (table_id == schema.T3 and t3_version) else version
        assert table["version"] == want_version
        lay = schema.layout(table_id, want_version)
        assert list(table["cells"]) == list(lay.row_codes)
        for row, values in table["cells"].items():
            assert list(values) == list(lay.col_codes), (table_id, row)
            for col, value in values.items():
                kind = lay.column(col).type
                if kind == "decimal_nonneg":
                    assert isinstance(value, Decimal) and value >= 0
                elif kind == "int_signed":
                    assert isinstance(value, int)
                else:
                    assert isinstance(value, int) and not isinstance(value, bool) and value >= 0, (table_id, row, col)


def test_gov2019_items_never_drop_below_zero():
    for seed in range(40):
        tables = generate_report(AGENCY, REGION, 2020, "gov2019", seed, scale=800)["tables"]
        for table_id in ("t2_art20_5", "t2_art20_6", "t2_art20_8"):
            for row, cells in tables[table_id]["cells"].items():
                assert cells["prev_year_items"] + cells["change"] >= 0, (seed, table_id, row)


def test_signed_change_and_money_occur():
    reports = [generate_report(AGENCY, REGION, 2020, "gov2019", s, scale=3000) for s in range(20)]
    changes = [c["change"] for r in reports for t in ("t2_art20_5", "t2_art20_6")
               for c in r["tables"][t]["cells"].values()]
    assert min(changes) < 0 < max(changes)
    amount = reports[0]["tables"]["t2_art20_9"]["cells"]["gov_central_procurement"]["procurement_amount"]
    assert amount.as_tuple().exponent == -2  # printed with fen, like 75394432.52元


def test_only_large_bodies_make_rules():
    town = generate_report("某镇人民政府", "某省某县某镇", 2023, "gov2021", 1, scale=5)
    assert set(town["tables"]["t2_art20_1"]["cells"]["rules"].values()) == {0}
    cities = [generate_report("某市人民政府", "某省某市", 2023, "gov2021", s, scale=5000) for s in range(10)]
    assert any(c["tables"]["t2_art20_1"]["cells"]["rules"]["issued"] > 0 for c in cities)


def test_scale_drives_the_size():
    totals = {}
    for scale in (5, 100, 3000):
        totals[scale] = sum(
            generate_report(AGENCY, REGION, 2023, "gov2021", s, scale=scale)["tables"][schema.T3]["cells"]
            ["new_received"]["total"] for s in range(10)) / 10
    assert totals[5] < totals[100] < totals[3000]
    assert 1000 < totals[3000] < 6000


def test_deterministic_and_seed_sensitive():
    a = generate_report(AGENCY, REGION, 2023, "gov2021", 11, scale=200)
    b = generate_report(AGENCY, REGION, 2023, "gov2021", 11, scale=200)
    c = generate_report(AGENCY, REGION, 2023, "gov2021", 12, scale=200)
    assert a == b
    assert a["tables"] != c["tables"]


def test_report_metadata():
    meta = generate_report(AGENCY, REGION, 2023, "gov2021", 1)["report"]
    assert meta == {"agency": AGENCY, "region": REGION, "year": 2023, "format_version": "gov2021",
                    "title": "淮安市洪泽区人民政府2023年政府信息公开工作年度报告"}
    assert title_for("平潭综合实验区", 2019) == "平潭综合实验区2019年政府信息公开工作年度报告"


@pytest.mark.parametrize("version,t3_version", VERSION_COMBOS)
def test_blanks_replace_only_zeros_outside_balance_rows(version, t3_version):
    seen_blank = False
    for seed in range(5):
        plain = generate_report(AGENCY, REGION, 2021, version, seed, t3_version=t3_version)
        blank = generate_report(AGENCY, REGION, 2021, version, seed, t3_version=t3_version, blanks=True)
        for table_id, table in plain["tables"].items():
            for row, values in table["cells"].items():
                for col, value in values.items():
                    printed = blank["tables"][table_id]["cells"][row][col]
                    if printed is None:
                        seen_blank = True
                        assert value == 0 and not (table_id == schema.T3 and row in BALANCE_ROWS)
                    else:
                        assert printed == value
                        # every zero outside the balance rows is blanked, as 上海 2019 prints them
                        assert value != 0 or (table_id == schema.T3 and row in BALANCE_ROWS)
    assert seen_blank


def test_unknown_version_is_refused():
    with pytest.raises(ValueError):
        generate_report(AGENCY, REGION, 2023, "gov2025", 1)
