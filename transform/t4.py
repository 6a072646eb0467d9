"""表四 (administrative review and litigation): its single 15-value row read through the stacked header."""

from __future__ import annotations

import re

from extract.documents.model import Cell
from transform import labels
from transform.labels import norm
from transform.result import Issue, Table, Value
from transform.schema import T4, t4_physical_order
from transform.tables import Row, confirm_splits, joined_cell, parse_value
from transform.values import parse_cell


def _t4_column_map(header: dict[int, list[Cell]]) -> dict[int, tuple[str, str]]:
    """Grid column → (row_code, col_code) from the header texts stacked above it.

    The texts of a column are joined top to bottom, because a header row can itself be broken by a page
    break ("结果" at the foot of one page, "维持" at the top of the next).
    """
    by_col: dict[int, tuple[str, str]] = {}
    for c, cells in header.items():
        joined = "".join(norm(cell.text) for cell in cells)
        group = next((g for g, rx in labels.t4_group_patterns() if re.search(rx.pattern.lstrip("^"), joined)), None)
        sub = next((code for code, rx in labels.t4_column_patterns()
                    if re.search(rx.pattern.strip("^$"), joined)), None)
        if group and sub:
            by_col[c] = (group, sub)
    return by_col


def _is_t4_header_row(row: Row) -> bool:
    texts = [c.text for c in row.cells if c.text.strip()]
    if len(row.cells) >= 15 and all(labels.current_label(t) or labels.comparison_label(t, anywhere=True)
                                    or re.fullmatch(r"(19|20)\d\d年度?", norm(t)) for t in texts):
        return False  # a data row with a period label (本年, 上年, 2023年) and no numbers: blank, not a header
    return bool(texts) and all(parse_cell(t).kind == "invalid" for t in texts)


def read_t4(rows: list[Row], issues: list[Issue], year: int | None = None) -> Table | None:
    """Read 表四's single data row through its two-level header.

    A row labelled for another period (上年, 2022年) beside this year's is left out, even when this year's
    row is blank; among several rows of numbers one labelled 本年 / the report year is the one read.
    """
    if not rows:
        return None
    header: dict[int, list[Cell]] = {}
    header_cols = 0
    candidates: list[tuple[Row, dict[tuple[str, str], Cell]]] = []
    for row in rows:
        if _is_t4_header_row(row):
            if row.table.n_cols != header_cols:
                header, header_cols = {}, row.table.n_cols
            for c, cell in enumerate(row.table.grid[row.r]):
                stack = header.setdefault(c, [])
                if cell is not None and (not stack or stack[-1] is not cell):
                    stack.append(cell)
            continue
        col_map = _t4_column_map(header) if header_cols == row.table.n_cols else {}
        slots = _t4_slots(row, col_map, issues, header)
        if slots is not None:
            label = _row_label(row, slots)
            if label and labels.comparison_label(label, year, anywhere=True):
                issues.append(Issue("info", "extra_row", f"表四 row for another period ignored: {label!r}", T4,
                                    page=row.table.page, raw=label))
                continue
            candidates.append((row, slots))
    filled = [(r, s) for r, s in candidates if any(c.text.strip() for c in s.values())]
    if not candidates:
        issues.append(Issue("error", "missing_row", "表四 has a header but no data row", T4))
        return None
    current = [(r, s) for r, s in candidates if labels.current_label(_row_label(r, s), year)]
    if len(filled) > 1 and len(current) == 1:
        filled = current
    if len(filled) > 1:
        issues.append(Issue("warning", "extra_rows", f"表四 has {len(filled)} rows of numbers; the first is used", T4,
                            page=filled[0][0].table.page))
    row, slots = (filled or candidates)[0]
    table = Table(T4, None)
    for row_code, col in t4_physical_order():
        cell = slots.get((row_code, col))
        value, parsed = parse_value(cell, T4, row_code, col, issues)
        if parsed.kind == "split" or (getattr(cell, "split", False) and parsed.kind == "number"):
            value = Value(parsed.value, cell.text, cell)
            value.split = True  # type: ignore[attr-defined]
        table.cells.setdefault(row_code, {})[col] = value
    confirm_splits(table, T4, ["maintained", "corrected", "other", "pending"], issues)
    return table


def _row_label(row: Row, slots: dict) -> str:
    """The text of a data row's cells outside the 15 value slots (a label column: 本年, 上年, 2023年)."""
    used = {id(c) for c in slots.values()}
    return "".join(norm(c.text) for c in row.cells if id(c) not in used and parse_cell(c.text).kind == "invalid")


def _report_unmapped(cell: Cell, header: dict[int, list[Cell]], issues: list[Issue]) -> None:
    """A filled cell of the data row under none of the 15 headers.

    Under a header of its own (an extra 合计 column) it is ignored with a note. Under no header text at all,
    the row holds more cells than the header has columns: a cell was added (or the header lost one), so the
    values may sit one column off — never read as if they were aligned.
    """
    named = any(norm(h.text) for c in range(cell.col, cell.col + cell.colspan) for h in header.get(c, []))
    if named:
        issues.append(Issue("info", "extra_column", "value under a column not in the template ignored", T4,
                            page=cell.page, raw=cell.text))
    else:
        issues.append(Issue("warning", "unnamed_column", "表四 data row has a filled cell under no header: the values "
                            "may be shifted against the header", T4, page=cell.page, raw=cell.text))


def _t4_slots(row: Row, col_map: dict[int, tuple[str, str]], issues: list[Issue],
              header: dict[int, list[Cell]] | None = None) -> dict | None:
    """The 15 cells of a candidate data row keyed by (row_code, col), or None if it is not one."""
    if len(set(col_map.values())) == 15:
        slots: dict[tuple[str, str], Cell] = {}
        unmapped: list[Cell] = []
        for cell in row.cells:
            keys = {col_map.get(c) for c in range(cell.col, cell.col + cell.colspan)}
            if keys == {None} and cell.text.strip():
                unmapped.append(cell)
            if len(keys) == 1 and None not in keys:
                key = keys.pop()
                if key in slots and slots[key].text.strip() and cell.text.strip():
                    slots[key] = joined_cell(slots[key], cell)
                    slots[key].split = True  # type: ignore[attr-defined]
                elif key not in slots or cell.text.strip():
                    slots[key] = cell
        if len(slots) == 15:
            for cell in unmapped:
                _report_unmapped(cell, header or {}, issues)
            return slots
    value_cells = [c for c in row.cells if not norm(c.text) or parse_cell(c.text).kind != "invalid"]
    if len(row.cells) == 15 and len(value_cells) == 15:
        issues.append(Issue("warning", "columns_by_position", "表四 header not recognised; the 15 values were "
                            "mapped in the official physical order", T4, page=row.table.page))
        return dict(zip(t4_physical_order(), row.cells))
    return None
