"""Rows and tables broken by page breaks, as office suites print them."""

from __future__ import annotations


from demo.render import render_report
from demo.values import generate_report
from extract.documents.webpage import read_html
from extract.documents.model import Cell, RawTable
from transform.report import build_report

AGENCY = "某某市某某区民政局"


def _paged_t3(row_label: str, tail: dict[int, str], stray: dict[int, str] | None = None) -> tuple[dict, dict]:
    """Render a report, then break 表三 after the row ``row_label`` onto a second page.

    ``tail`` maps value-column index → text moved from the end of that row's cell to a continuation
    row at the top of page 2 (what LibreOffice/WPS print when a tall row straddles the break).
    """
    rep = generate_report(AGENCY, "", 2023, "gov2021", seed=5, scale=400)
    doc = read_html(render_report(rep, "html"))
    t3 = next(t for t in doc.tables if any("本年新收" in x for r in range(t.n_rows) for x in t.row_texts(r)))
    k = next(r for r in range(t3.n_rows) if row_label in t3.row_texts(r)[-8])
    for r, row in enumerate(t3.grid):
        for cell in row:
            if cell is not None:
                cell.page = 1 if r <= k else 2
    head, rest = t3.grid[: k + 1], t3.grid[k + 1:]
    value_cells = head[k][-7:]
    cont = [None] * len(head[k])
    for i, cell in enumerate(head[k]):
        if cell is not None and i < len(head[k]) - 7:
            cont[i] = Cell("", 0, i, page=2)
    for i in range(7):
        moved = tail.get(i, "")
        cell = value_cells[i]
        if moved:
            assert cell.text.endswith(moved)
            cell.text = cell.text[: -len(moved)]
        text = moved + (stray or {}).get(i, "")
        cont[len(head[k]) - 7 + i] = Cell(text, 0, len(head[k]) - 7 + i, page=2)
    page1 = RawTable(head, page=1, index=t3.index)
    page2 = RawTable([cont] + [list(r) for r in rest], page=2, index=t3.index + 1)
    at = doc.blocks.index(t3)
    doc.blocks[at:at + 1] = [page1, page2]
    return rep, build_report(doc)


def test_row_tail_with_units_only_is_dropped():
    rep, out = _paged_t3("（一）予以公开", {})
    assert out["tables"]["t3_requests"]["cells"] == rep["tables"]["t3_requests"]["cells"]
    assert out["status"] == "ok"


def test_digits_continued_on_the_next_page_are_joined_and_flagged():
    rep = generate_report(AGENCY, "", 2023, "gov2021", seed=5, scale=400)
    total = str(rep["tables"]["t3_requests"]["cells"]["granted"]["total"])
    assert len(total) >= 2
    rep, out = _paged_t3("（一）予以公开", {6: total[-1]})
    assert out["tables"]["t3_requests"]["cells"]["granted"]["total"] == int(total)
    repaired = [i for i in out["issues"] if i["code"] == "repaired"]
    assert [(i["row"], i["col"]) for i in repaired] == [("granted", "total")]
    assert out["status"] == "warning"


def test_continued_digits_that_the_total_contradicts_are_not_guessed():
    rep = generate_report(AGENCY, "", 2023, "gov2021", seed=5, scale=400)
    natural = rep["tables"]["t3_requests"]["cells"]["granted"]["natural_person"]
    # A stray digit at the top of page 2 under 自然人: joined it would read natural*10+7, which the
    # row total does not confirm, so the cell is left empty and the report fails instead of guessing.
    rep, out = _paged_t3("（一）予以公开", {}, stray={0: "7"})
    got = out["tables"]["t3_requests"]["cells"]["granted"]
    assert got["natural_person"] is None
    assert got["total"] == rep["tables"]["t3_requests"]["cells"]["granted"]["total"]
    bad = [i for i in out["issues"] if i["code"] == "unreadable_cell"]
    assert [(i["row"], i["col"], i["raw"]) for i in bad] == [("granted", "natural_person", f"{natural}\n7")]
    assert out["status"] == "failed"


def test_header_not_repeated_after_the_break():
    rep, out = _paged_t3("5.属于三类内部事务信息", {})
    assert out["tables"]["t3_requests"]["cells"] == rep["tables"]["t3_requests"]["cells"]
    assert not [i for i in out["issues"] if i["severity"] in ("warning", "error")]


def _split_column(table: RawTable, col: int, row: int, head: str, tail: str) -> None:
    """Insert a thin grid column after ``col`` (a stray rule): every cell there widens, except in ``row``,
    where the printed number is cut in two cells ``head`` | ``tail``."""
    cells = {id(c): c for grid_row in table.grid for c in grid_row if c is not None}.values()
    for cell in cells:
        if cell.col > col:
            cell.col += 1
    for r, grid_row in enumerate(table.grid):
        target = grid_row[col]
        if r == row:
            target.text = head
            grid_row.insert(col + 1, Cell(tail, r, col + 1, page=target.page))
        else:
            if target is not None and target.row == r:
                target.colspan += 1
            grid_row.insert(col + 1, target)


def _doc_and_table(rep: dict, marker: str):
    doc = read_html(render_report(rep, "html"))
    table = next(t for t in doc.tables if any(marker in x for r in range(t.n_rows) for x in t.row_texts(r)))
    return doc, table


def test_number_cut_by_a_stray_rule_is_joined_when_the_total_agrees():
    rep = generate_report(AGENCY, "", 2023, "gov2021", seed=5, scale=400)
    value = rep["tables"]["t3_requests"]["cells"]["new_received"]["natural_person"]
    text = str(value)
    assert len(text) >= 2
    doc, t3 = _doc_and_table(rep, "本年新收")
    r = next(i for i in range(t3.n_rows) if "本年新收" in t3.row_texts(i)[0])
    _split_column(t3, 3, r, text[:1], text[1:])
    out = build_report(doc)
    assert out["tables"]["t3_requests"]["cells"] == rep["tables"]["t3_requests"]["cells"]
    assert [(i["row"], i["col"]) for i in out["issues"] if i["code"] == "repaired"] == [("new_received", "natural_person")]


def test_t4_number_cut_by_a_stray_rule_that_the_total_contradicts_stays_null():
    rep = generate_report(AGENCY, "", 2023, "gov2021", seed=5, scale=400)
    doc, t4 = _doc_and_table(rep, "复议后起诉")
    r = t4.n_rows - 1
    _split_column(t4, 0, r, t4.grid[r][0].text, "9")  # a stray "9" beside 行政复议/结果维持
    out = build_report(doc)
    assert out["tables"]["t4_review_litigation"]["cells"]["review"]["maintained"] is None
    assert out["status"] == "failed"
    assert any(i["code"] == "unreadable_cell" and i["row"] == "review" for i in out["issues"])
