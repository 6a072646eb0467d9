"""The statistics tables as format-neutral grids with merged cells, built from the schema.

A ``Grid`` lists its rows the way HTML does: each cell takes the next free slot of its row, and a
cell with ``rowspan``/``colspan`` covers the slots below/right of it. The HTML, PDF and DOCX writers
only translate this into their own merge syntax, so the physical layout (which is the hard part of
extraction) is identical in every format. Labels come from ``transform.schema``; the layout follows
the official templates (``spec/annual-report-format.md`` §4–§5, ``schema.yaml`` ``header_layout``).
"""

from __future__ import annotations

from dataclasses import dataclass

from transform import schema

from demo.render.quirks import label_text, value_text

T2_GRID_COLUMNS = 4  # 信息内容 + three value columns; narrower blocks span the value cells
T3_LABEL_COLUMNS = 3
# 平潭 2019/2020 repeat the group label before （四）无法提供, so that is where 表三 breaks.
T3_BREAK_BEFORE_ROW = "unable_not_held"


@dataclass
class GridCell:
    """One printed cell; ``text`` may contain ``\\n`` for a line break inside the cell."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "value"  # caption | header | label | value


@dataclass
class Grid:
    """A physical table: rows of cells in HTML placement order, plus relative column widths."""

    name: str
    n_cols: int
    rows: list[list[GridCell]]
    widths: list[float]
    header_rows: int = 0
    break_before: int | None = None  # row index where a page break is forced (PDF/DOCX)

    def placements(self) -> list[tuple[int, int, GridCell]]:
        """(row, col, cell) of every cell, resolving rowspans exactly as a browser does."""
        taken: set[tuple[int, int]] = set()
        placed = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                placed.append((r, c, cell))
                taken.update((r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan))
                c += cell.colspan
        return placed


@dataclass
class _Ctx:
    quirks: frozenset[str]
    split_mode: str | None = None  # None | "flow" | "repeat": how 三、本年度办理结果 crosses the break


def _values(cells: dict, row: str, cols: list[str], quirks: frozenset[str], spans: list[int]) -> list[GridCell]:
    return [
        GridCell(value_text(cells[row][col], col, quirks), colspan=span)
        for col, span in zip(cols, spans, strict=True)
    ]


# --- 表二 -----------------------------------------------------------------------------------------


def _t2_spans(n_values: int) -> list[int]:
    """How ``n_values`` value cells fill the three value slots (1-column blocks span all three)."""
    return {1: [3], 2: [1, 2], 3: [1, 1, 1]}[n_values]


def t2_grid(tables: dict, quirks: frozenset[str]) -> Grid:
    """Section 2 as one table of caption blocks, as every real report prints it."""
    rows: list[list[GridCell]] = []
    spec = schema.load_schema()["tables"]
    for table_id in schema.t2_table_ids():
        if table_id not in tables:
            continue
        lay = schema.layout(table_id, tables[table_id]["version"])
        spans = _t2_spans(len(lay.columns))
        caption = label_text(table_id, spec[table_id]["caption"], quirks)
        rows.append([GridCell(caption, colspan=T2_GRID_COLUMNS, kind="caption")])
        header = [GridCell(spec[table_id]["label_column_header"], kind="header")]
        header += [
            GridCell(label_text(c.code, c.label, quirks), colspan=s, kind="header")
            for c, s in zip(lay.columns, spans, strict=True)
        ]
        rows.append(header)
        for row in lay.rows:
            label = GridCell(label_text(row.code, row.label, quirks), kind="label")
            rows.append([label, *_values(tables[table_id]["cells"], row.code, list(lay.col_codes), quirks, spans)])
    return Grid("t2", T2_GRID_COLUMNS, rows, widths=[2.2, 1.3, 1.3, 1.3])


# --- 表三 -----------------------------------------------------------------------------------------


def _t3_header(quirks: frozenset[str]) -> list[list[GridCell]]:
    spec = schema.load_schema()["tables"][schema.T3]
    lay = schema.layout(schema.T3, "gov2021")
    groups = spec["column_groups"]
    applicants = next(g for g in groups if "code" not in g)
    legal = next(g for g in groups if g.get("code") == "legal_person_group")
    by_code = {c.code: c for c in lay.columns}
    first, last = applicants["children"][0], applicants["children"][-1]

    def head(code: str, **kw) -> GridCell:
        return GridCell(label_text(code, by_code[code].label, quirks), kind="header", **kw)

    # Word's HTML export (平潭 2021): 自然人 spans two grid columns of its own.
    extra = 1 if "word_grid" in quirks else 0
    return [
        [
            GridCell(label_text("header_note", spec["header_note"], quirks), rowspan=3,
                     colspan=T3_LABEL_COLUMNS, kind="header"),
            GridCell(applicants["label"], colspan=len(lay.columns) + extra, kind="header"),
        ],
        [head(first, rowspan=2, colspan=1 + extra),
         GridCell(legal["label"], colspan=len(legal["children"]), kind="header"), head(last, rowspan=2)],
        [head(code) for code in legal["children"]],
    ]


def _t3_values(cells: dict, row: str, cols: list[str], quirks: frozenset[str]) -> list[GridCell]:
    """The value cells of a 表三 row; with ``word_grid`` they do not line up with the header grid.

    The 商业企业 cell spans two grid columns (the second one of 自然人 and its own), and a row whose five
    organisation columns are all 0 prints them as one merged 0 — as Word's HTML export of 平潭 2021 does.
    """
    if "word_grid" not in quirks:
        return _values(cells, row, cols, quirks, [1] * len(cols))
    natural, *organisations, total = cols
    if all(cells[row][c] == 0 for c in organisations):
        return [*_values(cells, row, [natural], quirks, [1]),
                GridCell(value_text(0, organisations[0], quirks), colspan=len(organisations) + 1),
                *_values(cells, row, [total], quirks, [1])]
    return _values(cells, row, cols, quirks, [1, 2] + [1] * (len(cols) - 2))


def _results_cells(label: str, n_rows: int, k_before: int, ctx: _Ctx) -> tuple[GridCell, GridCell | None]:
    """The merged 三、本年度办理结果 cell, or its two halves when the table breaks inside it."""
    if ctx.split_mode is None:
        return GridCell(label, rowspan=n_rows, kind="label"), None
    if ctx.split_mode == "repeat":
        first, second = label, label
    else:  # "flow": Word keeps writing the vertical text on the next page
        cut = max(1, min(len(label) - 1, round(len(label) * k_before / n_rows)))
        first, second = label[:cut], label[cut:]
    return (GridCell(first, rowspan=k_before, kind="label"),
            GridCell(second, rowspan=n_rows - k_before, kind="label"))


def t3_grid(table: dict, quirks: frozenset[str], split_mode: str | None = None) -> Grid:
    """表三 with its three header rows and the three label columns A/B/C."""
    ctx = _Ctx(quirks, split_mode)
    spec = schema.load_schema()["tables"][schema.T3]
    lay = schema.layout(schema.T3, table["version"])
    cols = list(lay.col_codes)
    grouped = [r for r in lay.rows if r.group]
    group_sizes = {g: sum(1 for r in grouped if r.group == g) for g in {r.group for r in grouped}}
    results_label = label_text("results", spec["groups"]["results"]["label"], quirks)
    k_before = next((i for i, r in enumerate(grouped) if r.code == T3_BREAK_BEFORE_ROW), len(grouped))
    head_a, tail_a = _results_cells(results_label, len(grouped), k_before, ctx)
    rows = _t3_header(quirks)
    break_before = None
    seen_groups: set[str] = set()
    for row in lay.rows:
        cells: list[GridCell] = []
        label = label_text(row.code, row.label, quirks)
        if row.group is None:
            cells.append(GridCell(label, colspan=3, kind="label"))
        else:
            if row is grouped[0]:
                cells.append(head_a)
            if row.code == T3_BREAK_BEFORE_ROW:
                break_before = len(rows)
                if tail_a is not None:
                    cells.append(tail_a)
            if row.group == "results":
                cells.append(GridCell(label, colspan=2, kind="label"))
            else:
                if row.group not in seen_groups:
                    seen_groups.add(row.group)
                    group_label = label_text(row.group, spec["groups"][row.group]["label"], quirks)
                    cells.append(GridCell(group_label, rowspan=group_sizes[row.group], kind="label"))
                cells.append(GridCell(label, kind="label"))
        rows.append(cells + _t3_values(table["cells"], row.code, cols, quirks))
    widths = [0.45, 1.8, 2.9] + [0.95] * len(cols)
    if "word_grid" in quirks:
        widths[T3_LABEL_COLUMNS:T3_LABEL_COLUMNS + 1] = [0.5, 0.45]
    n_cols = T3_LABEL_COLUMNS + len(cols) + ("word_grid" in quirks)
    return Grid(schema.T3, n_cols, rows, widths, header_rows=3, break_before=break_before)


# --- 表四 -----------------------------------------------------------------------------------------


def t4_grid(table: dict, quirks: frozenset[str]) -> Grid:
    """表四: three header rows and one data row of 15 values in the schema's physical order."""
    spec = schema.load_schema()["tables"][schema.T4]
    lay = schema.layout(schema.T4, table["version"])
    rows_spec = {r["code"]: r for r in spec["rows"]}
    review, direct, after = (r.code for r in lay.rows)
    n = len(lay.columns)

    def head(text: str, **kw) -> GridCell:
        return GridCell(label_text("", text, quirks), kind="header", **kw)

    col_heads = [c.label for c in lay.columns]
    rows = [
        [head(rows_spec[review]["label"], colspan=n), head(rows_spec[direct]["parent_label"], colspan=2 * n)],
        [*(head(t, rowspan=2) for t in col_heads), head(rows_spec[direct]["label"], colspan=n),
         head(rows_spec[after]["label"], colspan=n)],
        [head(t) for t in col_heads * 2],
        [GridCell(value_text(table["cells"][r][c], c, quirks)) for r, c in schema.t4_physical_order()],
    ]
    return Grid(schema.T4, 3 * n, rows, widths=[1.0] * (3 * n), header_rows=3)
