"""The ``checks`` of ``xxgk extract`` against an independent reading of the schema's rules.

For a report, exactly the rules that fail *as printed* must come out failed (rule id + where), and no
other. The evaluator below reads the formulas and ``null_policy`` of ``spec/schema.yaml`` itself (it
does not call ``transform.checks``); the reports are generated, perturbed the way real ones go wrong,
rendered and extracted.
"""

from __future__ import annotations

import copy
import random
import re
from decimal import Decimal

import pytest
import yaml

from demo.render import render_report
from demo.values import generate_report
from transform.runner import extract_bytes
from tests.realreports import shared_dir

AGENCY, REGION = "淮安市洪泽区人民政府", "江苏省淮安市洪泽区"
SPEC = yaml.safe_load((shared_dir() / "spec" / "schema.yaml").read_text(encoding="utf-8"))
_REF = re.compile(r"t\d_[a-z0-9_]+\.[a-z_]+\.[a-z_]+")
_CMP = re.compile(r"==|<=|>=")


# --- independent evaluator --------------------------------------------------------------------------


def _filled(table: dict) -> bool:
    return any(v is not None for row in table["cells"].values() for v in row.values())


def _value(tables: dict, ref: str) -> Decimal:
    tid, row, col = ref.split(".")
    table = tables.get(tid)
    if table is None or not _filled(table) or col not in table["cells"].get(row, {}):
        raise LookupError(ref)  # absent, not filled (rules skipped) or not in this version
    v = table["cells"][row][col]
    return Decimal(0) if v is None else Decimal(str(v))  # null counts as 0 in a filled table


def _side(expr: str, tables: dict) -> Decimal:
    total = Decimal(0)
    for sign, tok in re.findall(r"([+-]?)\s*(t\d_[a-z0-9_]+\.[a-z_]+\.[a-z_]+|\d+)", expr):
        x = Decimal(tok) if tok.isdigit() else _value(tables, tok)
        total += -x if sign == "-" else x
    return total


def expected_checks(tables: dict) -> dict[tuple[str, str], bool]:
    """{(rule, where): ok} for every rule the printed ``tables`` are evaluated on."""
    t3 = SPEC["tables"]["t3_requests"]
    out = {}
    for rule in SPEC["rules"]:
        rid, formula = rule["id"], rule["formula"]
        if rule.get("requires"):
            continue
        if rid == "nonneg_int":
            for tid, table in tables.items():
                if not _filled(table):
                    continue
                if tid.startswith("t2_"):
                    cols = SPEC["tables"][tid]["versions"][table["version"]]["columns"]
                    counts = {c["code"] for c in cols if c["type"] == "int_nonneg"}
                else:
                    counts = None
                out[(rid, tid)] = not any(
                    v is not None and (counts is None or c in counts) and (Decimal(str(v)) < 0 or Decimal(str(v)) % 1)
                    for row in table["cells"].values() for c, v in row.items())
            continue
        match = _CMP.search(formula)
        if not match or rid == "t2_rules_authority":
            continue
        binds: list[dict] = [{}]
        if rule.get("for_each"):
            (name, src), = rule["for_each"].items()
            if isinstance(src, list):
                binds = [{name: s} for s in src]
            elif src == "t3_requests.all_columns":
                binds = [{name: c} for c in t3["all_columns"]]
            elif src.startswith("all data rows of t3_requests") and "t3_requests" in tables:
                version = tables["t3_requests"]["version"]
                binds = [{name: r["code"]} for r in t3["rows"] if version in r["versions"]]
        for bind in binds:
            f = formula
            for k, v in bind.items():
                f = f.replace("{" + k + "}", v)
            tids = {r.split(".")[0] for r in _REF.findall(f)}
            if not tids or (rule.get("versions") and not {tables[t]["version"] for t in tids if t in tables} & set(rule["versions"])):
                continue
            m = _CMP.search(f)
            try:
                left, right = _side(f[: m.start()], tables), _side(f[m.end():], tables)
            except LookupError:
                continue
            out[(rid, next(iter(bind.values()), rid))] = {"==": left == right, "<=": left <= right, ">=": left >= right}[m.group()]
    return out


# --- perturbations of printed numbers -----------------------------------------------------------------


def _blank_table(rep: dict, tid: str) -> None:
    for row in rep["tables"][tid]["cells"].values():
        for c in row:
            row[c] = None


def _perturb(rep: dict, name: str, rng: random.Random) -> None:
    t3, t4 = rep["tables"]["t3_requests"]["cells"], rep["tables"]["t4_review_litigation"]["cells"]
    row = rng.choice(sorted(t3))
    col = rng.choice(sorted(t3[row]))
    if name == "plus1":
        t3[row][col] = (t3[row][col] or 0) + 1
    elif name == "total_blank":
        t3[row]["total"] = None
    elif name == "part_blank":
        t3[row][col if col != "total" else "natural_person"] = None
    elif name == "row_blank":
        t3[row] = dict.fromkeys(t3[row])
    elif name == "t3_blank":
        _blank_table(rep, "t3_requests")
    elif name == "t4_blank":
        _blank_table(rep, "t4_review_litigation")
    elif name == "negative":
        t3[row][col if col != "total" else "other_org"] = -((t3[row][col] or 0) + 2)
    elif name == "decimal":
        t3["granted"]["natural_person"] = Decimal("1.5")
    elif name == "t4_total_0":  # 洪泽 2023: 总计 0 beside non-zero parts
        t4["review"] |= {"maintained": (t4["review"]["maintained"] or 0) + 4, "total": 0}
    elif name == "fee_negative" and rep["tables"]["t2_art20_8"]["version"] == "gov2021":
        rep["tables"]["t2_art20_8"]["cells"]["admin_fees"]["fee_amount"] = Decimal("-12.5")
    elif name == "count_negative":
        docs = rep["tables"]["t2_art20_1"]["cells"]["normative_docs"]
        docs[next(iter(docs))] = -4
    elif name == "all_zero":
        for table in rep["tables"].values():
            for cells in table["cells"].values():
                for c in cells:
                    cells[c] = 0


PERTURBATIONS = ["none", "plus1", "total_blank", "part_blank", "row_blank", "t3_blank", "t4_blank", "negative",
                 "decimal", "t4_total_0", "fee_negative", "count_negative", "all_zero"]
VERSIONS = [("gov2021", None), ("gov2019", None), ("gov2021", "gov2019")]


def _failed(checks) -> set:
    return {k for k, ok in checks.items() if not ok}


@pytest.mark.parametrize(("version", "t3_version"), VERSIONS)
@pytest.mark.parametrize("blanks", [False, True])
def test_failed_checks_are_exactly_those_of_the_printed_numbers(version, t3_version, blanks):
    for seed in (3, 5):
        base = generate_report(AGENCY, REGION, 2023, version, seed, scale=40, t3_version=t3_version, blanks=blanks)
        for name in PERTURBATIONS:
            rep = copy.deepcopy(base)
            _perturb(rep, name, random.Random(f"{seed}{name}{version}{t3_version}{blanks}"))
            expected = expected_checks(rep["tables"])
            out = extract_bytes(render_report(rep, "html"), "report.html")
            got = {(c["rule"], c["where"]): c["ok"] for c in out["checks"] if c["rule"] != "t2_rules_authority"}
            where = f"seed {seed}, {name}"
            assert _failed(got) == _failed(expected), where
            assert set(got) == set(expected), where  # no rule evaluated on a table printed blank, none missing
            has_blank = any(v is None for t in rep["tables"].values() for r in t["cells"].values() for v in r.values())
            if _failed(expected) or has_blank:
                assert out["status"] != "ok", where


# --- the cases the property test found, spelled out ---------------------------------------------------


def _report(version="gov2021") -> dict:
    return generate_report(AGENCY, REGION, 2023, version, seed=11, scale=60)


def _failed_out(out: dict) -> dict:
    return {(c["rule"], c["where"]): c.get("detail") for c in out["checks"] if not c["ok"]}


def test_negative_count_printed_fails_nonneg_and_enters_the_sums():
    rep = _report()
    cells = rep["tables"]["t3_requests"]["cells"]["granted"]
    cells["commercial_enterprise"] = -cells["commercial_enterprise"] - 3  # printed "-N"; the 总计 is unchanged
    out = extract_bytes(render_report(rep, "html"), "report.html")
    failed = _failed_out(out)
    assert "granted.commercial_enterprise=-" in failed[("nonneg_int", "t3_requests")]
    assert ("t3_row_total", "granted") in failed
    assert ("t3_results_sum_2021", "commercial_enterprise") in failed
    assert out["status"] != "ok"


def test_negative_fee_fails_t2_fee_nonneg():
    rep = _report()
    rep["tables"]["t2_art20_8"]["cells"]["admin_fees"]["fee_amount"] = Decimal("-12.5")
    out = extract_bytes(render_report(rep, "docx"), "report.docx")
    assert _failed_out(out) == {("t2_fee_nonneg", "t2_fee_nonneg"): "-12.5 >= 0"}


def test_decimal_in_a_count_column_fails_nonneg():
    rep = _report("gov2019")
    rep["tables"]["t4_review_litigation"]["cells"]["review"] |= {"maintained": Decimal("2.5"), "total": Decimal("2.5")}
    out = extract_bytes(render_report(rep, "html"), "report.html")
    assert ("nonneg_int", "t4_review_litigation") in _failed_out(out)


def test_table_printed_blank_gets_no_check():
    rep = _report()
    _blank_table(rep, "t4_review_litigation")
    out = extract_bytes(render_report(rep, "html"), "report.html")
    assert not [c for c in out["checks"] if c["where"] == "t4_review_litigation" or c["rule"].startswith("t4_")]
    assert any(i["code"] == "not_filled" and i.get("table") == "t4_review_litigation" for i in out["issues"])
