"""表三 exported from Word to HTML with a grid that does not line up (issue 10; real 平潭 2021 page markup).

The header's 自然人 spans two grid columns; in the data rows the 商业企业 cell spans two others (`64`, `0` with
colspan 2, …), so the value cells do not fall under the leaf header cells. A row with one value cell per applicant
column is read in order and must be confirmed by its row total (`realigned_row`, warning, raw cells kept); a merged
`0` over several applicant columns is 0 in each (`merged_zero`); any other merged value stays refused
(`merged_value_cell`). Every reading is checked cell for cell against the generated values.
"""

from __future__ import annotations

import re

import pytest

from demo.render import render_report
from tests.extract.variant_html import assert_exact, cell_diffs, issue_codes, make_report, rows_of, replace_table, \
    table_html, word_markup
from transform.runner import extract_bytes

T3 = 1
ROW_NEW = "一、本年新收政府信息公开申请数量"


def word_grid_page(rep: dict, quirks: tuple[str, ...] = ()) -> str:
    return word_markup(render_report(rep, "html", ("word_grid", *quirks)).decode("utf-8"))


def extract(html: str) -> dict:
    return extract_bytes(html.encode("utf-8"), "pingtan-2021.html")


def realigned_raws(out: dict) -> list[str]:
    return [i["raw"] for i in out["issues"] if i["code"] == "realigned_row"]


@pytest.mark.parametrize("version", ["gov2021", "gov2019"])
def test_word_grid_is_read_exactly(version):
    rep = make_report(version, 2023 if version == "gov2021" else 2020)
    out = extract(word_grid_page(rep))
    assert_exact(out, rep, allowed=("realigned_row",))
    assert out["status"] == "warning"
    # every row with a non-zero organisation value was read in order, its printed cells kept
    t3 = rep["tables"]["t3_requests"]["cells"]
    organisations = ("commercial_enterprise", "research_institution", "public_interest_org", "legal_service_org",
                     "other_org")
    in_order = [r for r, cols in t3.items() if any(cols[c] for c in organisations)]
    assert len(realigned_raws(out)) == len(in_order)
    assert realigned_raws(out)[0] == " | ".join(str(t3[in_order[0]][c]) for c in
                                                ("natural_person", *organisations, "total"))


def test_rows_of_zeros_are_one_merged_zero():
    rep = make_report()
    out = extract(word_grid_page(rep))
    zero_rows = [r for r, cols in rep["tables"]["t3_requests"]["cells"].items()
                 if all(v == 0 for c, v in cols.items() if c not in ("natural_person", "total"))]
    merged = [i for i in out["issues"] if i["code"] == "merged_zero"]
    assert zero_rows and len(merged) == len(zero_rows) and {i["severity"] for i in merged} == {"info"}
    assert not cell_diffs(rep["tables"], out["tables"])


def _with_row(html: str, label: str, cells: str) -> str:
    """Replace the value cells of the 表三 row holding ``label`` by ``cells`` (HTML of <td>s)."""
    rows = rows_of(html, T3)
    k = next(i for i, r in enumerate(rows) if label in r)
    rows[k] = re.sub(r"(</td>).*(</tr>)$", lambda m: m.group(1) + cells + m.group(2),
                     rows[k][: rows[k].index(label)] + label + "</td>" + "</tr>", flags=re.S)
    return replace_table(html, T3, table_html(rows))


def test_an_order_the_row_total_does_not_confirm_stays_refused():
    rep = make_report()
    html = render_report(rep, "html", ("word_grid",)).decode("utf-8")
    total = rep["tables"]["t3_requests"]["cells"]["new_received"]["total"]
    html = _with_row(html, ROW_NEW, f'<td>1</td><td colspan="2">2</td><td>0</td><td>0</td><td>0</td><td>0</td>'
                                    f"<td>{total + 5}</td>")
    out = extract(html)
    assert out["status"] == "failed"
    assert "merged_value_cell" in issue_codes(out)
    assert not [i for i in out["issues"] if i["code"] == "realigned_row" and i.get("row") == "new_received"]
    assert out["tables"]["t3_requests"]["cells"]["new_received"]["commercial_enterprise"] is None


def test_a_merged_value_other_than_zero_stays_refused():
    rep = make_report()
    html = render_report(rep, "html", ("word_grid",)).decode("utf-8")
    html = _with_row(html, ROW_NEW, '<td>5</td><td colspan="6">3</td><td>8</td>')
    out = extract(html)
    assert out["status"] == "failed"
    assert "merged_value_cell" in issue_codes(out)
    assert all(out["tables"]["t3_requests"]["cells"]["new_received"][c] is None
               for c in ("commercial_enterprise", "research_institution", "other_org"))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_same_grid_in_word_and_pdf(fmt):
    rep = make_report()
    out = extract_bytes(render_report(rep, fmt, ("word_grid",)), f"pingtan-2021.{fmt}")
    assert_exact(out, rep, allowed=("realigned_row",))
