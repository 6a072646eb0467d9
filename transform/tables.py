"""Raw table grids → rows tagged 表二 / 表三 / 表四, and the cell helpers the three table readers share.

The readers themselves are ``transform.t2``, ``transform.t3`` and ``transform.t4``. The rows of all
physical tables are read as one stream in document order, each tagged with the table it belongs to
by its labels (a caption, a header word, a row label) or, for rows of bare numbers, by the context
before it. That is what joins a table continued on the next page (header not repeated, or the
row-group label repeated) without guessing from the page layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.documents.model import Cell, Document, RawTable, TextBlock
from transform import labels
from transform.labels import norm
from transform.result import Issue, Table, Value
from transform.schema import vocabulary
from transform.values import Parsed, parse_cell

_SECTION2 = re.compile(vocabulary("section2_heading"))
# A heading of section 一/五/六 between two tables ends whatever table context was open.
_CLOSING_HEADING = re.compile(vocabulary("closing_heading"))


@dataclass
class Row:
    """One grid row of a physical table, with its distinct cells left to right."""

    table: RawTable
    r: int
    cells: list[Cell]

    @property
    def texts(self) -> list[str]:
        return [norm(c.text) for c in self.cells]

    @property
    def ends_pdf_fragment(self) -> bool:
        """The last row of a PDF table fragment: a page break may cut through it (label or digits)."""
        return self.table.page is not None and self.r == self.table.n_rows - 1


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
        return "t2_label"  # 行政许可, 规章…: 表二 only where a 表二 context is open (see split_rows)
    return None


def _t3_label(text: str) -> bool:
    # A bare "其他" is also the applicant column and 表四's 其他结果 header; it names no 表三 row by itself.
    return any(c.code != "other_other" for c in labels.t3_candidates(text))


def split_rows(doc: Document) -> dict[str, list[Row]]:
    """Tag every table row with t2 / t3 / t4 (or drop it), in document order.

    A row that only carries a 表二 row label (行政许可 12) counts as 表二 only inside a 表二 context — a
    第二十条 caption or 信息内容 header in a table, or the section-二 heading or a caption in the text
    before it — so a table of the narrative section that happens to list 行政许可 is never read as 表二.
    """
    out: dict[str, list[Row]] = {"t2": [], "t3": [], "t4": []}
    context: str | None = None
    for block in doc.blocks:
        if isinstance(block, TextBlock):
            text = norm(block.text)
            if _CLOSING_HEADING.search(text[:20]):
                context = None
            elif _SECTION2.search(text[:30]) or labels.match_t2_caption(text[:30]):
                context = "t2"
            continue
        foreign = False
        for r in range(block.n_rows):
            row = Row(block, r, block.distinct_cells(r))
            kind = classify(row)
            if r == 0 and kind is None and _foreign_header(row):
                # A table of its own (栏目 | 条数, 单位名称 | 申请数…, by month or channel) next to the statistics
                # tables: its rows are not 表二/表三/表四 rows, whatever the context before it.
                foreign, context = True, None
            if foreign and kind in (None, "t2_label"):
                continue
            foreign = False
            if kind == "t2_label":
                if context != "t2":
                    continue
                kind = "t2"
            kind = kind or context
            if kind:
                out[kind].append(row)
                context = kind
    return out


def _foreign_header(row: Row) -> bool:
    """A first row of labels naming no column of the statistics tables: the header of another table."""
    texts = [t for t in row.texts if t]
    if len(texts) < 2 or len(texts) != len(row.texts):
        return False
    if any(parse_cell(t).kind != "invalid" for t in texts):
        return False
    return not any(labels.is_statistics_header(t) for t in texts)


def parse_value(cell: Cell | None, table_id: str, row: str, col: str, issues: list[Issue],
                **kw) -> tuple[Value, Parsed]:
    raw = cell.text if cell else ""
    parsed = parse_cell(raw, **kw)
    page = cell.page if cell else None
    if parsed.kind == "null":
        issues.append(Issue("warning", "blank_cell", f"printed {parsed.note}; kept as null", table_id, row, col, page,
                            raw))
        return Value(None, raw, cell), parsed
    if parsed.kind == "invalid":
        issues.append(Issue("error", "unreadable_cell", parsed.note or "unreadable", table_id, row, col, page, raw))
        return Value(None, raw, cell), parsed
    if parsed.annotation:
        issues.append(Issue("info", "annotated_value", f"printed {raw!r}: the leading number is the value, the "
                            f"note ({parsed.annotation}) is kept as printed", table_id, row, col, page, raw))
    if parsed.unit or (parsed.note and "thousands" in parsed.note):
        issues.append(Issue("info", "unit_in_cell" if parsed.unit else "formatted_number",
                            f"printed {raw!r}: {parsed.note}", table_id, row, col, page, raw))
    return Value(parsed.value, raw, cell), parsed


def joined_cell(head: Cell, tail: Cell) -> Cell:
    """One cell holding the texts of two printed cells (a number split across cells), head's lineage."""
    return Cell(f"{head.text.strip()}\n{tail.text.strip()}", head.row, head.col, head.rowspan,
                head.colspan + tail.colspan, head.page, head.bbox, head.path)


def confirm_splits(table: Table, table_id: str, parts: list[str], issues: list[Issue]) -> None:
    """Keep a number broken over lines or cells only when its row's 总计 (sum of ``parts``) confirms it.

    Cells of ``table`` that were read from such a break carry ``split = True``.
    """
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
