"""表二 (proactive disclosure, 第二十条 blocks): rows by label, values mapped to the header labels."""

from __future__ import annotations

import re

from extract.documents.model import Cell
from transform import labels
from transform.labels import norm
from transform.result import Issue, Table, Value
from transform.schema import layout, load_schema
from transform.tables import Row, parse_value


def _t2_version(tid: str, headers: list[str], n_values: int,
                hint: str | None) -> tuple[str | None, bool, list[int] | None]:
    """(version, header_ok, column order) of a 表二 block from its header labels, else from the count of values.

    ``column order`` gives, for each printed value position, the index of the layout column its header
    names — a header printed in another order than the template is still read by its labels.
    """
    fits = []
    # A header word only one version prints (本年收费金额, 上一年项目数量…) rules the other version out, even
    # when the other's column count happens to fit: values are never mapped onto another quantity.
    marked = {v for v, words in labels.version_fingerprints().items() if any(w in h for w in words for h in headers)}
    for version in ("gov2019", "gov2021"):
        lay = layout(tid, version)
        if lay is None:
            continue
        order = _header_order(lay.columns, headers)
        if order is not None:
            return version, True, order
        if len(marked) == 1 and version not in marked:
            continue
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


def read_t2(rows: list[Row], issues: list[Issue], version_hint: str | None,
            year: int | None = None) -> dict[str, Table]:
    """Read every 表二 block (第二十条第（一）（五）（六）（八）（九）项).

    Columns and rows printed for another period beside this year's (上年处理决定数量, 2022年, 同比增减;
    "行政规范性文件（2022年）") are left out with a note: they are not this report's numbers.
    """
    headers: dict[str, list[str]] = {}
    current: str | None = None
    data: dict[str, dict[str, tuple[Row, list[Cell]]]] = {}
    pending_header: list[str] | None = None
    cut: Row | None = None
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
        if cut is not None:
            head, cut = cut, None
            joined = _label_continued_over_page(head, row) if pattern is None else None
            if joined is None:
                _extra_row(head, current, issues)
            else:
                # "行政规" | "范性文件": the label goes on at the top of the next page, the numbers stayed above.
                issues.append(Issue("info", "row_continued", "a 表二 row label continues at the top of the next "
                                    "page", joined.table_id, joined.code, page=row.table.page))
                row, texts, pattern = head, head.texts, joined
        if pattern is not None and labels.comparison_label(texts[0], year, anywhere=True):
            issues.append(Issue("info", "extra_row", f"表二 row for another period ignored: {row.cells[0].text!r}",
                                pattern.table_id, pattern.code, page=row.table.page, raw=row.cells[0].text))
            continue
        if pattern is None:
            if any(texts[1:]) and texts[0] and row.ends_pdf_fragment:
                cut = row  # the last row of a PDF page: its label may be cut by the page break
            elif any(texts[1:]) and texts[0]:
                _extra_row(row, current, issues)
            continue
        tid = pattern.table_id
        if tid != current and pending_header is not None and tid not in headers:
            headers[tid] = pending_header
        current = tid
        if pattern.code in data.setdefault(tid, {}):
            first = [norm(c.text) for c in data[tid][pattern.code][1]]
            if [norm(c.text) for c in row.cells[1:]] != first:
                issues.append(Issue("error", "duplicate_row", f"{tid}: {row.cells[0].text!r} printed twice with "
                                    "different numbers", tid, pattern.code, page=row.table.page,
                                    raw=" | ".join(c.text for c in row.cells)))
            continue
        data[tid][pattern.code] = (row, row.cells[1:])
    if cut is not None:
        _extra_row(cut, current, issues)
    return {tid: _t2_table(tid, headers.get(tid, []), rows_, issues, version_hint, year)
            for tid, rows_ in data.items()}


def _extra_row(row: Row, current: str | None, issues: list[Issue]) -> None:
    issues.append(Issue("info", "extra_row", f"表二 row not in the schema: {row.cells[0].text!r}", current,
                        page=row.table.page, raw=row.cells[0].text))


def _label_continued_over_page(head: Row, tail: Row):
    """The 表二 row whose label a page break cut in two: ``head`` ends a PDF page with the numbers, ``tail``
    opens the next page with the rest of the label and nothing else ("行政规" | "范性文件")."""
    if (tail.table is head.table or tail.r != 0 or not tail.texts or not tail.texts[0]
            or any(tail.texts[1:])):
        return None
    return labels.match_t2_row(head.texts[0] + tail.texts[0])


def _drop_note_columns(tid: str, headers: list[str], rows: dict, issues: list[Issue],
                       year: int | None = None) -> tuple[list[str], dict]:
    """Remove a remarks column (备注) or a column for another period (上年…, 2022年, 同比增减) from the header
    and from every row printed with the header's cells."""
    notes = [i for i, h in enumerate(headers) if labels.is_note_column(h) or labels.comparison_label(h, year)]
    if not notes:
        return headers, rows
    kept_rows = {}
    for code, (src_row, cells) in rows.items():
        if len(cells) == len(headers):
            for i in notes:
                if cells[i].text.strip():
                    issues.append(Issue("info", "extra_column", f"{tid}: text under the {headers[i]!r} column "
                                        "ignored", tid, code, page=cells[i].page, raw=cells[i].text))
            cells = [c for i, c in enumerate(cells) if i not in notes]
        kept_rows[code] = (src_row, cells)
    return [h for i, h in enumerate(headers) if i not in notes], kept_rows


def _t2_table(tid: str, headers: list[str], rows: dict, issues: list[Issue], hint: str | None,
              year: int | None = None) -> Table:
    headers, rows = _drop_note_columns(tid, headers, rows, issues, year)
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
            value, parsed = parse_value(cell, tid, row.code, col.code, issues,
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
            elif (parsed.kind == "number" and col.unit == "money_unspecified" and not parsed.unit and parsed.value
                  and not any("元" in h for h in headers)):
                # gov2019 采购总金额: the template prints no unit; reports print 元 in the cell or nothing. The
                # number is exact as printed, so this is a note for the analyst, not a doubt about the report.
                issues.append(Issue("info", "unit_unknown", f"{cell.text.strip()!r}: no unit printed for this "
                                    "amount (元 or 万元?); kept as printed", tid, row.code, col.code, cell.page,
                                    cell.text))
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
