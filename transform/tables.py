"""Raw table grids → the canonical statistics tables (表二 blocks, 表三, 表四).

The rows of all physical tables are read as one stream in document order, each tagged with the table it
belongs to by its labels (a caption, a header word, a row label) or, for rows of bare numbers, by the
context before it. That is what joins a table continued on the next page (header not repeated, or the
row-group label repeated) without guessing from the page layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.documents.model import Cell, Document, RawTable, TextBlock
from transform import labels
from transform.labels import norm
from transform.result import Issue, Table, Value
from transform.schema import T3, T4, layout, load_schema, t4_physical_order
from transform.values import Parsed, parse_cell

# A heading of section 一/五/六 between two tables ends whatever table context was open.
_CLOSING_HEADING = re.compile(r"^[一五六1 56][、.．]|存在的?主要问题|其他需要报告的事项|总体情况")


@dataclass
class Row:
    """One grid row of a physical table, with its distinct cells left to right."""

    table: RawTable
    r: int
    cells: list[Cell]

    @property
    def texts(self) -> list[str]:
        return [norm(c.text) for c in self.cells]


def classify(row: Row) -> str | None:
    """Which table a row announces by its own labels, or None for rows that carry no label."""
    texts = row.texts
    if not any(texts):
        return None
    if any(labels.match_t2_caption(t) for t in texts) or texts[0].startswith("信息内容"):
        return "t2"
    if any(labels.is_t4_text(t) for t in texts):
        return "t4"
    if any(labels.is_t3_header_text(t) or _t3_label(t) or labels.match_t3_group(t) for t in texts):
        return "t3"
    if labels.match_t2_row(texts[0]):
        return "t2"
    return None


def _t3_label(text: str) -> bool:
    # A bare "其他" is also the applicant column and 表四's 其他结果 header; it names no 表三 row by itself.
    return any(c.code != "other_other" for c in labels.t3_candidates(text))


def split_rows(doc: Document) -> dict[str, list[Row]]:
    """Tag every table row with t2 / t3 / t4 (or drop it), in document order."""
    out: dict[str, list[Row]] = {"t2": [], "t3": [], "t4": []}
    context: str | None = None
    for block in doc.blocks:
        if isinstance(block, TextBlock):
            if _CLOSING_HEADING.search(norm(block.text)[:20]):
                context = None
            continue
        for r in range(block.n_rows):
            row = Row(block, r, block.distinct_cells(r))
            kind = classify(row) or context
            if kind:
                out[kind].append(row)
                context = kind
    return out


def _parse(cell: Cell | None, table_id: str, row: str, col: str, issues: list[Issue], **kw) -> tuple[Value, Parsed]:
    raw = cell.text if cell else ""
    parsed = parse_cell(raw, **kw)
    page = cell.page if cell else None
    if parsed.kind == "null":
        issues.append(Issue("warning", "blank_cell", f"printed {parsed.note}; kept as null", table_id, row, col, page, raw))
        return Value(None, raw, cell), parsed
    if parsed.kind == "invalid":
        issues.append(Issue("error", "unreadable_cell", parsed.note or "unreadable", table_id, row, col, page, raw))
        return Value(None, raw, cell), parsed
    if parsed.unit or (parsed.note and "thousands" in parsed.note):
        issues.append(Issue("info", "unit_in_cell" if parsed.unit else "formatted_number",
                            f"printed {raw!r}: {parsed.note}", table_id, row, col, page, raw))
    return Value(parsed.value, raw, cell), parsed


# ---------------------------------------------------------------- 表三


@dataclass
class _T3Columns:
    """Which grid columns of a fragment hold which applicant column."""

    by_col: dict[int, str]
    value_start: int
    n_cols: int
    x_ranges: dict[str, tuple[float, float]] | None = None  # PDF: the header cells' horizontal extent


def _t3_columns(table: RawTable, header_rows: list[int]) -> _T3Columns | None:
    by_col: dict[int, str] = {}
    for r in header_rows:
        for cell in table.distinct_cells(r):
            text = norm(cell.text)
            for code, rx in labels.t3_column_patterns():
                if rx.search(text):
                    for c in range(cell.col, cell.col + cell.colspan):
                        by_col.setdefault(c, code)
    # Word/WPS borders a hair apart add thin grid columns, so a header may cover two grid columns.
    if len(set(by_col.values())) != 7:
        return None
    return _T3Columns(by_col, min(by_col), table.n_cols, _header_x_ranges(table, header_rows))


def _header_x_ranges(table: RawTable, header_rows: list[int]) -> dict[str, tuple[float, float]] | None:
    ranges: dict[str, tuple[float, float]] = {}
    for r in header_rows:
        for cell in table.distinct_cells(r):
            if cell.bbox is None:
                continue
            for code, rx in labels.t3_column_patterns():
                if rx.search(norm(cell.text)):
                    ranges.setdefault(code, (cell.bbox[0], cell.bbox[2]))
    return ranges if len(ranges) == 7 else None


def _geometric_t3_columns(table: RawTable, header: _T3Columns) -> _T3Columns | None:
    """Columns of a continued PDF fragment whose grid differs from the header's: matched by x position."""
    if not header.x_ranges:
        return None
    by_col: dict[int, str] = {}
    for c in range(table.n_cols):
        cells = [row[c] for row in table.grid if row[c] is not None and row[c].colspan == 1 and row[c].bbox]
        if not cells:
            continue
        x0, x1 = cells[0].bbox[0], cells[0].bbox[2]
        centre = (x0 + x1) / 2
        code = next((k for k, (h0, h1) in header.x_ranges.items() if h0 - 1 <= centre <= h1 + 1), None)
        if code:
            by_col[c] = code
    if len(set(by_col.values())) != 7:
        return None
    return _T3Columns(by_col, min(by_col), table.n_cols, header.x_ranges)


def _positional_t3_columns(table: RawTable) -> _T3Columns | None:
    codes = [c.code for c in layout(T3, "gov2021").columns]
    if table.n_cols < 8:
        return None
    start = table.n_cols - 7
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


def read_t3(rows: list[Row], issues: list[Issue], version_hint: str | None) -> Table | None:
    """Map the 表三 rows to codes; None when no 表三 row was found."""
    if not rows:
        return None
    found: dict[str, tuple[Row, dict[str, Cell | None]]] = {}
    header_rows: dict[int, list[int]] = {}
    for row in rows:
        if any(labels.is_t3_header_text(c.text) for c in row.cells):
            header_rows.setdefault(id(row.table), []).append(row.r)
    columns_by_table: dict[int, _T3Columns] = {}
    last_columns: _T3Columns | None = None
    prev_code = None
    for row in rows:
        key = id(row.table)
        if key not in columns_by_table:
            cols = _t3_columns(row.table, header_rows.get(key, []))
            if cols is None and last_columns is not None and last_columns.n_cols == row.table.n_cols:
                cols = last_columns
            if cols is None and last_columns is not None:
                cols = _geometric_t3_columns(row.table, last_columns)
            if cols is None:
                cols = _positional_t3_columns(row.table)
                if cols is not None:
                    issues.append(Issue("warning", "columns_by_position",
                                        "表三 continuation without header: applicant columns taken as the last 7",
                                        T3, page=row.table.page))
            if cols is None:
                issues.append(Issue("error", "unreadable_table", f"表三 fragment with {row.table.n_cols} columns",
                                    T3, page=row.table.page))
                continue
            columns_by_table[key] = cols
        cols = columns_by_table[key]
        last_columns = cols
        label_cells = [c for c in row.cells if c.col < cols.value_start]
        value_cells = [c for c in row.cells if c.col >= cols.value_start]
        if any(labels.is_t3_header_text(c.text) for c in row.cells):
            continue
        code, _group = _row_identity(label_cells, prev_code)
        slots: dict[str, Cell | None] = {}
        split_cols: set[str] = set()
        for cell in value_cells:
            codes = {cols.by_col.get(c) for c in range(cell.col, cell.col + cell.colspan)} - {None}
            if not codes and _named_extra_column(row.table, header_rows.get(key, []), cell.col):
                # A column the template does not have (小计 of the organisations): not ours to read.
                if cell.text.strip():
                    issues.append(Issue("info", "extra_column", "value under a column not in the template "
                                        "ignored", T3, code, page=cell.page, raw=cell.text))
                continue
            if len(codes) != 1:
                if cell.text.strip():
                    issues.append(Issue("error", "merged_value_cell", "a value cell spans several applicant "
                                        "columns", T3, code, page=cell.page, raw=cell.text))
                continue
            (col_code,) = codes
            if slots.get(col_code) is not None and slots[col_code].text.strip() and cell.text.strip():
                # A number drawn across a spurious rule ("1" | "362"): joined, then the row total must agree.
                slots[col_code] = joined_cell(slots[col_code], cell)
                split_cols.add(col_code)
                continue
            if slots.get(col_code) is None or cell.text.strip():
                slots[col_code] = cell
        has_values = any(c is not None and c.text.strip() for c in slots.values())
        if code is None and has_values and prev_code and _opens_fragment(row, header_rows):
            _join_row_continued_over_page(found[prev_code], slots, issues, prev_code)
            continue
        if code is None:
            label = " / ".join(c.text for c in label_cells if c.text.strip())
            if has_values and label:
                issues.append(Issue("warning", "unknown_row", f"表三 row not in the schema: {label!r}", T3,
                                    page=row.table.page, raw=label))
            continue
        if code in found:
            prev_slots = found[code][1]
            if [_txt(prev_slots.get(c)) for c in slots] != [_txt(slots.get(c)) for c in slots] and has_values:
                issues.append(Issue("error", "duplicate_row", "表三 row printed twice with different numbers",
                                    T3, code, page=row.table.page))
            continue
        found[code] = (row, slots, split_cols)
        prev_code = code
    if not found:
        return None
    version = _t3_version(found, issues, version_hint)
    return _t3_table(found, version, issues)


def joined_cell(head: Cell, tail: Cell) -> Cell:
    """One cell holding the texts of two printed cells (a number split across cells), head's lineage."""
    return Cell(f"{head.text.strip()}\n{tail.text.strip()}", head.row, head.col, head.rowspan,
                head.colspan + tail.colspan, head.page, head.bbox, head.path)


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
            issues.append(Issue("warning", "mixed_layout", "表三 prints （六）其他处理 both as a row and as sub-rows", T3))
        found.pop("other_processing", None)
        return "gov2021"
    if "other_processing" in found:
        return "gov2019"
    issues.append(Issue("warning", "version_unknown", "表三 has no （六）其他处理 rows; version taken from the report", T3))
    return hint or "gov2021"


def _t3_table(found: dict, version: str, issues: list[Issue]) -> Table:
    lay = layout(T3, version)
    table = Table(T3, version)
    for row_code in lay.row_codes:
        table.cells[row_code] = {}
        if row_code not in found:
            issues.append(Issue("error", "missing_row", f"表三 row not found: {lay.rows[lay.row_codes.index(row_code)].label}",
                                T3, row_code))
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
            value, parsed = _parse(cell, T3, row_code, col, issues)
            if parsed.kind == "split" or (col in joined and parsed.kind == "number"):
                value = Value(parsed.value, cell.text, cell)
                value.split = True  # type: ignore[attr-defined]
            table.cells[row_code][col] = value
    _confirm_splits_t3(table, issues)
    return table


def _confirm_splits_t3(table: Table, issues: list[Issue]) -> None:
    _confirm_splits(table, T3, [c.code for c in layout(T3, table.version).columns][:-1], issues)


def _confirm_splits(table: Table, table_id: str, parts: list[str], issues: list[Issue]) -> None:
    """Keep a number broken over lines or cells only when its row's 总计 (sum of ``parts``) confirms it."""
    for row_code, row in table.cells.items():
        for col, value in row.items():
            if not getattr(value, "split", False):
                continue
            others = [row[c].value for c in parts if c != col]
            total = row["total"].value
            if col == "total":
                ok = all(v is not None for v in others) and sum(others) == value.value
            else:
                ok = total is not None and all(v is not None for v in others) and total - sum(others) == value.value
            if ok:
                issues.append(Issue("warning", "repaired", f"digits broken over lines or cells read as {value.value} "
                                    "(confirmed by the row total)", table_id, row_code, col, value.page, value.raw))
            else:
                issues.append(Issue("error", "unreadable_cell", "digits broken over lines or cells and the row total "
                                    "does not confirm a reading; kept as null", table_id, row_code, col, value.page,
                                    value.raw))
                row[col] = Value(None, value.raw, value.cell)


# ---------------------------------------------------------------- 表四


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
    return bool(texts) and all(parse_cell(t).kind == "invalid" for t in texts)


def read_t4(rows: list[Row], issues: list[Issue]) -> Table | None:
    """Read 表四's single data row through its two-level header."""
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
        slots = _t4_slots(row, col_map, issues)
        if slots is not None:
            candidates.append((row, slots))
    filled = [(r, s) for r, s in candidates if any(c.text.strip() for c in s.values())]
    if not candidates:
        issues.append(Issue("error", "missing_row", "表四 has a header but no data row", T4))
        return None
    if len(filled) > 1:
        issues.append(Issue("warning", "extra_rows", f"表四 has {len(filled)} rows of numbers; the first is used", T4,
                            page=filled[0][0].table.page))
    row, slots = (filled or candidates)[0]
    table = Table(T4, None)
    for row_code, col in t4_physical_order():
        cell = slots.get((row_code, col))
        value, parsed = _parse(cell, T4, row_code, col, issues)
        if parsed.kind == "split" or (getattr(cell, "split", False) and parsed.kind == "number"):
            value = Value(parsed.value, cell.text, cell)
            value.split = True  # type: ignore[attr-defined]
        table.cells.setdefault(row_code, {})[col] = value
    _confirm_splits(table, T4, ["maintained", "corrected", "other", "pending"], issues)
    return table


def _t4_slots(row: Row, col_map: dict[int, tuple[str, str]], issues: list[Issue]) -> dict | None:
    """The 15 cells of a candidate data row keyed by (row_code, col), or None if it is not one."""
    if len(set(col_map.values())) == 15:
        slots: dict[tuple[str, str], Cell] = {}
        for cell in row.cells:
            keys = {col_map.get(c) for c in range(cell.col, cell.col + cell.colspan)}
            if len(keys) == 1 and None not in keys:
                key = keys.pop()
                if key in slots and slots[key].text.strip() and cell.text.strip():
                    slots[key] = joined_cell(slots[key], cell)
                    slots[key].split = True  # type: ignore[attr-defined]
                elif key not in slots or cell.text.strip():
                    slots[key] = cell
        if len(slots) == 15:
            return slots
    value_cells = [c for c in row.cells if not norm(c.text) or parse_cell(c.text).kind != "invalid"]
    if len(row.cells) == 15 and len(value_cells) == 15:
        issues.append(Issue("warning", "columns_by_position", "表四 header not recognised; the 15 values were "
                            "mapped in the official physical order", T4, page=row.table.page))
        return dict(zip(t4_physical_order(), row.cells))
    return None


# ---------------------------------------------------------------- 表二


def _t2_version(tid: str, headers: list[str], n_values: int,
                hint: str | None) -> tuple[str | None, bool, list[int] | None]:
    """(version, header_ok, column order) of a 表二 block from its header labels, else from the count of values.

    ``column order`` gives, for each printed value position, the index of the layout column its header
    names — a header printed in another order than the template is still read by its labels.
    """
    fits = []
    for version in ("gov2019", "gov2021"):
        lay = layout(tid, version)
        if lay is None:
            continue
        order = _header_order(lay.columns, headers)
        if order is not None:
            return version, True, order
        if len(lay.columns) == (len(headers) or n_values):
            fits.append(version)
    if len(fits) == 1:
        return fits[0], not headers, None
    if hint in fits:
        return hint, not headers, None
    return (fits[0] if fits else None), False, None


def _header_order(columns, headers: list[str]) -> list[int] | None:
    """Each header matched to exactly one column (a permutation), or None."""
    if not headers or len(headers) != len(columns):
        return None
    order = []
    for h in headers:
        hits = [i for i, col in enumerate(columns) if re.search(col.match, h)]
        if len(hits) != 1:
            return None
        order.append(hits[0])
    return order if sorted(order) == list(range(len(columns))) else None


def read_t2(rows: list[Row], issues: list[Issue], version_hint: str | None) -> dict[str, Table]:
    """Read every 表二 block (第二十条第（一）（五）（六）（八）（九）项)."""
    headers: dict[str, list[str]] = {}
    current: str | None = None
    data: dict[str, dict[str, tuple[Row, list[Cell]]]] = {}
    pending_header: list[str] | None = None
    for row in rows:
        texts = row.texts
        caption = next((labels.match_t2_caption(t) for t in texts if labels.match_t2_caption(t)), None)
        if caption:
            current, pending_header = caption, None
            continue
        if texts and texts[0].startswith("信息内容"):
            pending_header = [t for t in texts[1:]]
            while pending_header and not pending_header[-1]:  # empty padding cells at the row's end
                pending_header.pop()
            # A header after the block's data rows opens the next block (its caption was a paragraph
            # outside the table, or missing): it must not overwrite the finished block's header.
            if current in data:
                current = None
            if current:
                headers[current] = pending_header
            continue
        pattern = labels.match_t2_row(texts[0]) if texts else None
        if pattern is None:
            if any(texts[1:]) and texts[0]:
                issues.append(Issue("info", "extra_row", f"表二 row not in the schema: {row.cells[0].text!r}",
                                    current, page=row.table.page, raw=row.cells[0].text))
            continue
        tid = pattern.table_id
        if tid != current and pending_header is not None and tid not in headers:
            headers[tid] = pending_header
        current = tid
        if pattern.code in data.setdefault(tid, {}):
            continue
        data[tid][pattern.code] = (row, row.cells[1:])
    return {tid: _t2_table(tid, headers.get(tid, []), rows_, issues, version_hint) for tid, rows_ in data.items()}


def _t2_table(tid: str, headers: list[str], rows: dict, issues: list[Issue], hint: str | None) -> Table:
    n_values = max(len(cells) for _, cells in rows.values())
    version, header_ok, order = _t2_version(tid, headers, n_values, hint)
    if version is None:
        issues.append(Issue("error", "unreadable_table", f"{tid}: header {headers!r} fits no format version", tid))
        return Table(tid, None)
    if headers and not header_ok:
        issues.append(Issue("warning", "header_mismatch", f"{tid}: header {headers!r} does not match the {version} "
                            "labels; values mapped by their order", tid))
    lay = layout(tid, version)
    norm_spec = load_schema()["normalization"]["number"]
    table = Table(tid, version)
    for row in lay.rows:
        table.cells[row.code] = {}
        if row.code not in rows:
            issues.append(Issue("error", "missing_row", f"{tid}: row not found: {row.label}", tid, row.code))
            table.cells[row.code] = {c.code: Value(None, "", None) for c in lay.columns}
            continue
        src_row, cells = rows[row.code]
        cells = _fit_t2_cells(cells, len(lay.columns))
        if cells is None:
            issues.append(Issue("error", "unreadable_row", f"{tid}: {len(rows[row.code][1])} value cells for "
                                f"{len(lay.columns)} columns", tid, row.code, page=src_row.table.page))
            table.cells[row.code] = {c.code: Value(None, "", None) for c in lay.columns}
            continue
        columns = [lay.columns[i] for i in order] if order else list(lay.columns)
        for col, cell in zip(columns, cells):
            ref = f"{tid}.{col.code}"
            value, parsed = _parse(cell, tid, row.code, col.code, issues,
                                   decimal_ok=ref in norm_spec["decimal_allowed_only_in"],
                                   signed_ok=ref in norm_spec["signed_allowed_only_in"])
            if parsed.kind == "split":
                issues.append(Issue("error", "unreadable_cell", "digits broken over lines; no total to confirm",
                                    tid, row.code, col.code, cell.page, cell.text))
                value = Value(None, cell.text, cell)
            elif parsed.kind == "number" and col.unit == "wan_yuan" and parsed.unit == "元":
                # The header says 万元 but the cell says 元: kept as printed (never silently rescaled), flagged.
                issues.append(Issue("warning", "unit_mismatch", f"printed {cell.text!r} in 元 under a 万元 header; "
                                    "kept as printed", tid, row.code, col.code, cell.page, cell.text))
            table.cells[row.code][col.code] = value
    return table


def _fit_t2_cells(cells: list[Cell], n: int) -> list[Cell] | None:
    if len(cells) == n:
        return cells
    # Empty padding cells after the values (a grid shared with wider tables) are not columns.
    if len(cells) > n and all(not c.text.strip() for c in cells[n:]):
        return cells[:n]
    # A 1-column gov2021 block drawn as 3 cells with the value in the first and the rest empty.
    if n == 1 and len(cells) > 1 and all(not c.text.strip() for c in cells[1:]):
        return cells[:1]
    return None
