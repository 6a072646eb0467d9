"""表三 (applications received and handled) from its tagged rows: rows by label within their group,
applicant columns by header label (on a continued PDF page by the header's x position)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extract.documents.model import Cell, RawTable
from transform import labels
from transform.labels import norm
from transform.result import Issue, Table, Value
from transform.schema import T3, layout, load_schema, normalize_label
from transform.tables import Row, confirm_splits, joined_cell, parse_value
from transform.values import parse_cell


@dataclass
class _T3Columns:
    """Which grid columns of a fragment hold which applicant column."""

    by_col: dict[int, str]
    value_start: int
    n_cols: int
    x_ranges: dict[str, tuple[float, float]] | None = None  # PDF: the header cells' horizontal extent
    extra: frozenset[int] = frozenset()  # grid columns under a header of their own (上年, an organisations' 合计)
    # PDF: the horizontal extent of those extra columns, so a continued page without the header knows them too.
    extra_x: tuple[tuple[float, float], ...] = ()


def _t3_columns(table: RawTable, header_rows: list[int], year: int | None = None) -> _T3Columns | None:
    """The applicant columns of a fragment from its header labels; None unless all seven are named."""
    by_col, owner, extra = _columns_by_label(table, header_rows)
    _drop_comparison_sub_columns(table, header_rows, by_col, owner, extra, year)
    # Word/WPS borders a hair apart add thin grid columns, so a header may cover two grid columns.
    if len(set(by_col.values())) != _n_columns():
        return None
    extra.update(c for c in range(min(by_col), table.n_cols)
                 if c not in by_col and _named_extra_column(table, header_rows, c))
    return _T3Columns(by_col, min(by_col), table.n_cols, _header_x_ranges(table, header_rows), frozenset(extra),
                      _column_x_ranges(table, extra))


def _columns_by_label(table: RawTable, header_rows: list[int]) -> tuple[dict[int, str], dict[int, Cell], set[int]]:
    """(grid column → applicant code, grid column → its header cell, columns of a header of their own)."""
    by_col: dict[int, str] = {}
    owner: dict[int, Cell] = {}
    org_cols: set[int] = set()
    extra: set[int] = set()
    for r in header_rows:
        for cell in table.distinct_cells(r):
            if _organisations_label() in norm(cell.text):
                org_cols.update(range(cell.col, cell.col + cell.colspan))
    for r in header_rows:
        for cell in table.distinct_cells(r):
            text = norm(cell.text)
            for code, rx in labels.t3_column_patterns():
                if rx.search(text):
                    span = range(cell.col, cell.col + cell.colspan)
                    if code == "total" and org_cols.issuperset(span) and r > min(header_rows):
                        # A 合计 of the organisations printed under 法人或其他组织: not the table's 总计.
                        extra.update(span)
                        continue
                    for c in span:
                        if c not in by_col:
                            by_col[c], owner[c] = code, cell
    return by_col, owner, extra


def _drop_comparison_sub_columns(table: RawTable, header_rows: list[int], by_col: dict[int, str],
                                 owner: dict[int, Cell], extra: set[int], year: int | None) -> None:
    """Sub-columns under an applicant header for another period (本年 | 上年, 2023年 | 2022年): only this
    year's are read; two numbers under one header are never joined into one."""
    lowest = max(header_rows, default=None)
    if lowest is None:
        return
    sub_years = {y for c in by_col if (cell := table.grid[lowest][c]) is not None and cell is not owner[c]
                 for y in labels.years_named(cell.text)}
    ref_year = year if year is not None else (max(sub_years) if len(sub_years) > 1 else None)
    for c in list(by_col):
        cell = table.grid[lowest][c]
        if cell is not None and cell is not owner[c] and labels.comparison_label(cell.text, ref_year):
            del by_col[c]
            extra.add(c)


@cache
def _n_columns() -> int:
    """The applicant columns of 表三 (six applicant types and 总计), the same in both versions."""
    return len(layout(T3, "gov2021").columns)


@cache
def _organisations_label() -> str:
    """法人或其他组织: the header over the five organisation columns."""
    groups = load_schema()["tables"][T3]["column_groups"]
    return normalize_label(next(g["label"] for g in groups if g.get("code") == "legal_person_group"))


@cache
def _results_label() -> re.Pattern:
    """本年度办理结果: the group label over the result rows."""
    return re.compile(load_schema()["tables"][T3]["groups"]["results"]["match"])


def _column_x_ranges(table: RawTable, cols: set[int]) -> tuple[tuple[float, float], ...]:
    """The horizontal extent of grid columns (from their single-column cells), for PDF tables."""
    ranges = []
    for c in sorted(cols):
        cell = next((row[c] for row in table.grid if row[c] is not None and row[c].colspan == 1 and row[c].bbox), None)
        if cell is not None:
            ranges.append((cell.bbox[0], cell.bbox[2]))
    return tuple(ranges)


def _header_x_ranges(table: RawTable, header_rows: list[int]) -> dict[str, tuple[float, float]] | None:
    ranges: dict[str, tuple[float, float]] = {}
    for r in header_rows:
        for cell in table.distinct_cells(r):
            if cell.bbox is None:
                continue
            for code, rx in labels.t3_column_patterns():
                if rx.search(norm(cell.text)):
                    ranges.setdefault(code, (cell.bbox[0], cell.bbox[2]))
    return ranges if len(ranges) == _n_columns() else None


def _geometric_t3_columns(table: RawTable, header: _T3Columns) -> _T3Columns | None:
    """Columns of a continued PDF fragment whose grid differs from the header's: matched by x position."""
    if not header.x_ranges:
        return None
    by_col: dict[int, str] = {}
    extra: set[int] = set()
    for c in range(table.n_cols):
        cells = [row[c] for row in table.grid if row[c] is not None and row[c].colspan == 1 and row[c].bbox]
        if not cells:
            continue
        x0, x1 = cells[0].bbox[0], cells[0].bbox[2]
        centre = (x0 + x1) / 2
        code = next((k for k, (h0, h1) in header.x_ranges.items() if h0 - 1 <= centre <= h1 + 1), None)
        if code:
            by_col[c] = code
        elif any(h0 - 1 <= centre <= h1 + 1 for h0, h1 in header.extra_x):
            extra.add(c)  # under the 小计 / 合计 / 上年 column of the header page
    if len(set(by_col.values())) != _n_columns():
        return None
    return _T3Columns(by_col, min(by_col), table.n_cols, header.x_ranges, frozenset(extra), header.extra_x)


def _positional_t3_columns(table: RawTable) -> _T3Columns | None:
    codes = [c.code for c in layout(T3, "gov2021").columns]
    if table.n_cols < len(codes) + 1:
        return None
    start = table.n_cols - len(codes)
    return _T3Columns({start + i: code for i, code in enumerate(codes)}, start, table.n_cols)


def _row_identity(label_cells: list[Cell], prev_code: str | None) -> tuple[str | None, str | None]:
    """(row code, group) from the label cells, most specific (rightmost) label first."""
    group = None
    for cell in label_cells:
        g = labels.match_t3_group(cell.text)
        if g:
            group = g
    if prev_code and prev_code.startswith("other_overdue") and group is None:
        group = "other_processing_group"
    # Only the most specific printed label names the row: an unknown sub-item under （六）其他处理 must
    # not fall back to its group cell's code.
    specific = next((c for c in reversed(label_cells) if norm(c.text)), None)
    if specific is not None:
        for cand in labels.t3_candidates(specific.text):
            if cand.group in (None, "results") or cand.group == group or group is None:
                if cand.code == "other_other" and group != "other_processing_group":
                    continue
                return cand.code, group
    return None, group


def read_t3(rows: list[Row], issues: list[Issue], version_hint: str | None, year: int | None = None) -> Table | None:
    """Map the 表三 rows to codes; None when no 表三 row was found.

    Three steps per row: the applicant columns of its table fragment (``_T3Reader.columns``), its identity
    by label (``_row_identity``), its value cells (``_value_slots``) — and a row cut by a page break is
    joined across it (``_T3Reader.continue_pending`` / ``_join_row_continued_over_page``).
    """
    if not rows:
        return None
    reader = _T3Reader(rows, issues, year)
    for row in rows:
        reader.read_row(row)
    reader.finish()
    if not reader.found:
        return None
    version = _t3_version(reader.found, issues, version_hint)
    return _t3_table(reader.found, version, issues)


class _T3Reader:
    """The state of one pass over the 表三 rows in document order."""

    def __init__(self, rows: list[Row], issues: list[Issue], year: int | None) -> None:
        self.rows, self.issues, self.year = rows, issues, year
        self.found: dict[str, tuple[Row, dict[str, Cell | None], set[str]]] = {}
        self.header_rows: dict[int, list[int]] = {}
        for row in rows:
            if any(labels.is_t3_header_text(c.text) for c in row.cells):
                self.header_rows.setdefault(id(row.table), []).append(row.r)
        self.columns_by_table: dict[int, _T3Columns] = {}
        self.foreign: set[int] = set()
        self.last_columns: _T3Columns | None = None
        self.prev_code: str | None = None
        self.pending: tuple | None = None  # an unknown last row of a PDF page, whose label may continue overleaf

    # -- column resolution -------------------------------------------------------------------------

    def columns(self, row: Row) -> _T3Columns | None:
        """The applicant columns of the row's table fragment, resolved once per fragment."""
        key = id(row.table)
        if key in self.foreign:
            return None
        if key not in self.columns_by_table:
            cols = self._resolve_columns(row)
            if cols is None:
                return None
            self.columns_by_table[key] = cols
        self.last_columns = self.columns_by_table[key]
        return self.last_columns

    def _resolve_columns(self, row: Row) -> _T3Columns | None:
        """By header labels; else as the fragment before (same grid, or by x position); else the last 7."""
        key, issues = id(row.table), self.issues
        cols = _t3_columns(row.table, self.header_rows.get(key, []), self.year)
        if cols is None and _other_table([r for r in self.rows if r.table is row.table]):
            self.foreign.add(key)
            issues.append(Issue("info", "extra_table", "a table of its own beside 表三 (by department, month, "
                                f"channel…: {' | '.join(row.texts[:4])}) ignored", T3, page=row.table.page))
            return None
        last = self.last_columns
        if cols is None and last is not None and last.n_cols == row.table.n_cols:
            cols = last
        if cols is None and last is not None:
            cols = _geometric_t3_columns(row.table, last)
        if cols is None:
            cols = _positional_t3_columns(row.table)
            if cols is not None:
                issues.append(Issue("warning", "columns_by_position",
                                    "表三 continuation without header: applicant columns taken as the last 7",
                                    T3, page=row.table.page))
        if cols is None:
            issues.append(Issue("error", "unreadable_table", f"表三 fragment with {row.table.n_cols} columns",
                                T3, page=row.table.page))
        return cols

    # -- one row ---------------------------------------------------------------------------------------

    def read_row(self, row: Row) -> None:
        cols = self.columns(row)
        if cols is None:
            return
        if any(labels.is_t3_header_text(c.text) for c in row.cells):
            return
        label_cells = [c for c in row.cells if c.col < cols.value_start]
        code, _group = _row_identity(label_cells, self.prev_code)
        table_header = self.header_rows.get(id(row.table), [])
        slots, split_cols = _value_slots(row, cols, table_header, code, self.issues)
        if self.pending is not None:
            code, row, slots, split_cols = self.continue_pending(code, row, label_cells, slots, split_cols)
        has_values = _has_values(slots)
        if code is None and row.ends_pdf_fragment and any(norm(c.text) for c in label_cells):
            # Its label may go on at the top of the next page ("5.属于三类内部事" | "务信息"): decided there.
            self.pending = (row, label_cells, slots, split_cols, has_values)
            return
        if code is None and has_values and self.prev_code and _opens_fragment(row, self.header_rows):
            _join_row_continued_over_page(self.found[self.prev_code], slots, self.issues, self.prev_code)
            return
        if code is None:
            _unknown_row(label_cells, has_values, row, self.issues)
            return
        self.accept(code, row, slots, split_cols, has_values)

    def accept(self, code: str, row: Row, slots: dict[str, Cell | None], split_cols: set[str],
               has_values: bool) -> None:
        if code in self.found:
            prev_slots = self.found[code][1]
            if [_txt(prev_slots.get(c)) for c in slots] != [_txt(slots.get(c)) for c in slots] and has_values:
                self.issues.append(Issue("error", "duplicate_row", "表三 row printed twice with different numbers",
                                         T3, code, page=row.table.page))
            return
        self.found[code] = (row, slots, split_cols)
        self.prev_code = code

    # -- page continuation -----------------------------------------------------------------------------

    def continue_pending(self, code: str | None, row: Row, label_cells: list[Cell], slots: dict[str, Cell | None],
                         split_cols: set[str]) -> tuple:
        """The unknown last row of the previous page joined with this one when their labels make one."""
        head, self.pending = self.pending, None
        joined = None
        if code is None and _opens_fragment(row, self.header_rows):
            joined = _label_continued_over_page(head[1], label_cells, self.prev_code)
        if joined is None:
            _unknown_row(head[1], head[4], head[0], self.issues)
            return code, row, slots, split_cols
        slots, split_cols = _slots_continued_over_page(head[2], slots, head[3] | split_cols)
        self.issues.append(Issue("info", "row_continued", "a 表三 row label continues at the top of the next "
                                 "page", T3, joined, page=head[0].table.page))
        return joined, head[0], slots, split_cols

    def finish(self) -> None:
        if self.pending is not None:
            _unknown_row(self.pending[1], self.pending[4], self.pending[0], self.issues)


def _has_values(slots: dict[str, Cell | None]) -> bool:
    return any(c is not None and c.text.strip() for c in slots.values())


def _value_slots(row: Row, cols: _T3Columns, table_header: list[int], code: str | None,
                 issues: list[Issue]) -> tuple[dict[str, Cell | None], set[str]]:
    """The printed cell of each applicant column, by the header grid above it.

    A value cell spanning several applicant columns is read only in two cases, both recorded: the row
    has one value cell per column (Word exports whose grid does not line up with the header: read in
    order, confirmed by the row total), or the merged cell is printed 0 (0 for each column it covers —
    no other non-negative reading exists). Any other merged value is refused (``merged_value_cell``).
    """
    slots: dict[str, Cell | None] = {}
    split_cols: set[str] = set()
    notes: list[Issue] = []
    merged: list[tuple[Cell, set[str], Issue | None]] = []
    in_template: list[Cell] = []
    for cell in (c for c in row.cells if c.col >= cols.value_start):
        codes = {cols.by_col.get(c) for c in range(cell.col, cell.col + cell.colspan)} - {None}
        if not codes and (cell.col in cols.extra or _named_extra_column(row.table, table_header, cell.col)):
            # A column the template does not have (小计 of the organisations): not ours to read.
            if cell.text.strip():
                notes.append(Issue("info", "extra_column", "value under a column not in the template "
                                   "ignored", T3, code, page=cell.page, raw=cell.text))
            continue
        in_template.append(cell)
        if len(codes) != 1:
            if cell.text.strip() and not codes:
                # No header above it at all: a column the template does not have, or a header that was
                # not printed — either way this number belongs to no known column.
                notes.append(Issue("error", "unnamed_column", "text in a column that has no applicant "
                                   "header", T3, code, page=cell.page, raw=cell.text))
            elif cell.text.strip():
                issue = Issue("error", "merged_value_cell", "a value cell spans several applicant columns", T3,
                              code, page=cell.page, raw=cell.text)
                notes.append(issue)
                merged.append((cell, codes, issue))
            else:
                merged.append((cell, codes, None))  # printed blank across several columns
            continue
        (col_code,) = codes
        if slots.get(col_code) is not None and slots[col_code].text.strip() and cell.text.strip():
            # A number drawn across a spurious rule ("1" | "362"): joined, then the row total must agree.
            slots[col_code] = joined_cell(slots[col_code], cell)
            split_cols.add(col_code)
            continue
        if slots.get(col_code) is None or cell.text.strip():
            slots[col_code] = cell
    if merged:
        in_order = _slots_in_order(in_template)
        if in_order is not None:
            issues.extend(n for n in notes if n.code != "merged_value_cell")
            issues.append(Issue("warning", "realigned_row", "表三 value cells do not line up with the header grid "
                                "(a Word export); one cell per column, read in order and confirmed by the row "
                                "total", T3, code, page=row.table.page,
                                raw=" | ".join(c.text.strip() for c in in_template)))
            return in_order, set()
        _spread_merged_zeros_and_blanks(merged, slots, notes, code)
    issues.extend(notes)
    return slots, split_cols


def _spread_merged_zeros_and_blanks(merged: list[tuple[Cell, set[str], Issue | None]],
                                    slots: dict[str, Cell | None], notes: list[Issue], code: str | None) -> None:
    """A 0 or a blank printed across several applicant columns stands for each column it covers that has no
    cell of its own (non-negative counts summing to 0 are all 0); its refusal becomes an info note."""
    for cell, codes, issue in merged:
        parsed = parse_cell(cell.text)
        if issue is not None and not (parsed.kind == "number" and parsed.value == 0):
            continue
        if issue is not None:
            notes[notes.index(issue)] = Issue("info", "merged_zero", f"a 0 printed across {len(codes)} "
                                              "applicant columns read as 0 in each", T3, code, page=cell.page,
                                              raw=cell.text)
        for col_code in codes:
            if slots.get(col_code) is None or not slots[col_code].text.strip():
                slots[col_code] = cell


def _slots_in_order(cells: list[Cell]) -> dict[str, Cell | None] | None:
    """One printed cell per applicant column, in the template's order, when the row total confirms it."""
    codes = [c.code for c in layout(T3, "gov2021").columns]
    if len(cells) != len(codes):
        return None
    *parts, total = (parse_cell(c.text) for c in cells)
    # A blank counts as 0 in the sum, as the schema's null policy says; it stays a blank cell.
    if total.kind != "number" or any(p.kind not in ("number", "null") for p in parts):
        return None
    if sum(p.value for p in parts if p.kind == "number") != total.value:
        return None
    return dict(zip(codes, cells, strict=True))


def _other_table(frag: list[Row]) -> bool:
    """Is this table without the 表三 header a table of its own (汇总表 by department, by agency, by month)?

    Its first row is a header of labels, a later row opens with a name that is no 表三 row label and carries
    numbers, and no row opens with a 表三 row label. A 表三 continued on the next page opens with its row
    labels (or with a bare tail of numbers, which has no header row), so it is never taken for one.
    """
    if len(frag) < 2 or frag[0].table.grid is None:
        return False
    head = [t for t in frag[0].texts if t]
    if len(head) < 2 or len(head) != len(frag[0].texts) or any(parse_cell(t).kind != "invalid" for t in head):
        return False
    named = False
    for row in frag:
        first = row.texts[0] if row.texts else ""
        if first and (_t3_label(first) or labels.match_t3_group(first)):
            return False
        if row is not frag[0] and first and any(parse_cell(t).kind == "number" for t in row.texts[1:]):
            named = True
    return named


def _t3_label(text: str) -> bool:
    return any(c.code != "other_other" for c in labels.t3_candidates(text)) or bool(_results_label().search(norm(text)))


def _unknown_row(label_cells: list[Cell], has_values: bool, row: Row, issues: list[Issue]) -> None:
    label = " / ".join(c.text for c in label_cells if c.text.strip())
    if has_values and label:
        issues.append(Issue("warning", "unknown_row", f"表三 row not in the schema: {label!r}", T3,
                            page=row.table.page, raw=label))


def _label_continued_over_page(head: list[Cell], tail: list[Cell], prev_code: str | None) -> str | None:
    """The row code of a label printed partly at the foot of one page and partly at the top of the next.

    Office suites let a tall row break across pages, so a long label in a narrow column is cut mid-word
    ("5.属于三类内部事" | "务信息"). The most specific (rightmost) printed label of each part is joined.
    """
    head_label = next((c for c in reversed(head) if norm(c.text)), None)
    tail_label = next((c for c in reversed(tail) if norm(c.text)), None)
    if head_label is None or tail_label is None:
        return None
    whole = Cell(f"{head_label.text}{tail_label.text}", head_label.row, head_label.col, head_label.rowspan,
                 head_label.colspan, head_label.page, head_label.bbox, head_label.path)
    code, _ = _row_identity([whole if c is head_label else c for c in head], prev_code)
    return code


def _slots_continued_over_page(head: dict[str, Cell | None], tail: dict[str, Cell | None],
                               split_cols: set[str]) -> tuple[dict[str, Cell | None], set[str]]:
    """Value cells of a row broken by a page break: each part's number, digits in both parts joined (then
    they must be confirmed by the row total, like any number broken over cells)."""
    slots: dict[str, Cell | None] = {}
    joined = set(split_cols)
    for col in {*head, *tail}:
        h, t = head.get(col), tail.get(col)
        h_text, t_text = (h.text.strip() if h else ""), (t.text.strip() if t else "")
        if h_text and re.search(r"\d", t_text) and re.search(r"\d", h_text):
            slots[col] = joined_cell(h, t)
            joined.add(col)
        elif t_text and not h_text:
            slots[col] = t
        else:
            slots[col] = h if h is not None else t
    return slots, joined


def _named_extra_column(table: RawTable, header_rows: list[int], col: int) -> bool:
    """Does the lowest header cell above ``col`` name a column of its own that no applicant pattern matches?"""
    for r in reversed(header_rows):
        cell = table.grid[r][col]
        if cell is None or not norm(cell.text):
            continue
        return cell.colspan == 1 and not any(rx.search(norm(cell.text)) for _, rx in labels.t3_column_patterns())
    return False


def _opens_fragment(row: Row, header_rows: dict[int, list[int]]) -> bool:
    """Is this the first data row of a table fragment that continues an earlier one?"""
    return row.table.page is not None and row.r == len(header_rows.get(id(row.table), []))


def _join_row_continued_over_page(prev: tuple, slots: dict[str, Cell | None], issues: list[Issue], code: str) -> None:
    """A row broken by a page break: its tail ("件", or the last digits) opens the next page.

    Office suites split a tall row across pages. Units and blanks in the tail are dropped; digits are
    joined to the head and must then be confirmed by the row total (they become a split candidate).
    """
    _, head_slots, joined = prev
    for col, tail in slots.items():
        if tail is None or not tail.text.strip():
            continue
        head = head_slots.get(col)
        tail_text = tail.text.strip()
        if not re.search(r"\d", tail_text):
            continue
        head_slots[col] = joined_cell(head, tail) if head else tail
        joined.add(col)
    issues.append(Issue("info", "row_continued", "a 表三 row continues at the top of the next page", T3, code,
                        page=next((c.page for c in slots.values() if c is not None), None)))


def _txt(cell: Cell | None) -> str:
    return norm(cell.text) if cell else ""


def _t3_version(found: dict, issues: list[Issue], hint: str | None) -> str:
    subrows = {"other_overdue_correction", "other_overdue_fee", "other_other"} & set(found)
    if subrows:
        single = found.get("other_processing")
        if single and any(_txt(c) for c in single[1].values()):
            issues.append(Issue("warning", "mixed_layout", "表三 prints （六）其他处理 both as a row and as sub-rows",
                                T3))
        found.pop("other_processing", None)
        return "gov2021"
    if "other_processing" in found:
        return "gov2019"
    issues.append(Issue("warning", "version_unknown", "表三 has no （六）其他处理 rows; version taken from the report",
                        T3))
    return hint or "gov2021"


def _t3_table(found: dict, version: str, issues: list[Issue]) -> Table:
    lay = layout(T3, version)
    table = Table(T3, version)
    for row_code in lay.row_codes:
        table.cells[row_code] = {}
        if row_code not in found:
            label = lay.rows[lay.row_codes.index(row_code)].label
            issues.append(Issue("error", "missing_row", f"表三 row not found: {label}", T3, row_code))
            for col in lay.col_codes:
                table.cells[row_code][col] = Value(None, "", None)
            continue
        row, slots, joined = found[row_code]
        for col in lay.col_codes:
            cell = slots.get(col)
            if cell is None:
                issues.append(Issue("error", "missing_cell", "no cell printed for this column", T3, row_code, col,
                                    row.table.page))
                table.cells[row_code][col] = Value(None, "", None)
                continue
            value, parsed = parse_value(cell, T3, row_code, col, issues)
            if parsed.kind == "split" or (col in joined and parsed.kind == "number"):
                value = Value(parsed.value, cell.text, cell)
                value.split = True  # type: ignore[attr-defined]
            table.cells[row_code][col] = value
    _confirm_splits_t3(table, issues)
    return table


def _confirm_splits_t3(table: Table, issues: list[Issue]) -> None:
    confirm_splits(table, T3, [c.code for c in layout(T3, table.version).columns][:-1], issues)
