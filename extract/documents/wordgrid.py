"""A table read from the positions of its words, for tables printed without inner rules.

WPS and some Word exports lose the inner borders of the statistics tables (only the outer frame and a
rule under the header, or nothing at all), and OCR of a picture has no rulings either when the picture
has none. What is left is text laid out in columns. The grid comes from the words themselves:

* numbers give the value columns: numbers in successive rows that overlap horizontally are one column
  band (header words of a column no number fills add a band of their own);
* everything left of the first band is the row label;
* every other word falls into the band(s) it overlaps — a header word centred over several bands is a
  merged header cell spanning them, a section row (第二十条第（一）项) spans the whole table;
* one line is one row; header lines that wrap (本年新 / 制作数量) under the same bands are one row.

The result is an ordinary ``RawTable``, so the transform maps labels and runs the checks as for a ruled
table. Nothing here knows the statistics labels; a block counts as a table when at least two of its
lines carry separate number words to the right of their first word.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from typing import Any

from extract.documents.model import Cell, RawTable
from extract.hanzi import to_simplified
from extract.sections import STATISTICS_HEADING_LOOSE, may_hold_statistics_heading

NUMBER = re.compile(r"^(?:[-−+]?[\d,，.．]+(?:元|万元|件|个|项|%)?|[-—－/／])$")  # a lone dash or slash: a blank
MIN_TABLE_LINES = 2
MAX_ROW_GAP = 2.5  # line heights: a wider vertical gap ends the table
MIN_COLUMN_GAP = 1.5  # line heights between a label and the first number of a table line
SPAN_SHARE = 0.3  # a word belongs to a column when it covers this share of it


@dataclass(slots=True)  # made per character of a text page: slots make that and reading it cheaper
class Word:
    """A run of text on one line with its box (any unit, y down) and the reader's confidence."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def is_number(self) -> bool:
        return bool(NUMBER.match(self.text.replace(" ", "")))


def group_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines (vertical overlap over half the smaller height), each sorted by x.

    A word joins the first line (in the order lines were started) that it overlaps enough.
    """
    ordered = sorted(words, key=lambda w: (w.y0 + w.y1) / 2)
    upright = all(w.y1 >= w.y0 and math.isfinite(w.y0) and math.isfinite(w.y1) for w in ordered)
    lines = _group_skipping_lines_above(ordered) if upright else _group_by_scan(ordered)
    for line in lines:
        line.sort(key=lambda w: w.x0)
    lines.sort(key=lambda line: min(w.y0 for w in line))
    return lines


def _group_skipping_lines_above(ordered: list[Word]) -> list[list[Word]]:
    """``_group_by_scan`` for upright words with finite boxes, without testing the lines that end above the
    word: ``lowest[k]`` is the lowest bottom of lines 0..k, so every line before the first ``lowest`` under the
    word's top is apart from it (the scan would skip them all)."""
    lines: list[list[Word]] = []
    extents: list[list[float]] = []
    lowest: list[float] = []  # non-decreasing
    for w in ordered:
        y0, y1 = w.y0, w.y1
        height = y1 - y0
        for k in range(bisect.bisect_right(lowest, y0), len(lines)):
            extent = extents[k]
            top, bottom = extent
            if bottom <= y0 or top >= y1:
                continue  # apart: no overlap, and with both heights >= 0 none is needed
            # min()/max() written out as they choose (the first unless the second is strictly beyond): this
            # runs for every character of a text page
            span = bottom - top
            overlap = (y1 if y1 < bottom else bottom) - (y0 if y0 > top else top)
            if overlap > 0.5 * (span if span < height else height):
                lines[k].append(w)
                extent[0], extent[1] = (y0 if y0 < top else top), (y1 if y1 > bottom else bottom)
                j = k
                while j < len(lowest) and lowest[j] < extent[1]:
                    lowest[j] = extent[1]
                    j += 1
                break
        else:
            lines.append([w])
            extents.append([y0, y1])
            lowest.append(max(lowest[-1], y1) if lowest else y1)
    return lines


def _group_by_scan(ordered: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    extents: list[list[float]] = []  # [top, bottom] of each line, kept up to date (not recomputed per word)
    for w in ordered:
        y0, y1 = w.y0, w.y1  # read once: this loop runs for every word against every line so far
        height, upright = y1 - y0, y1 >= y0
        for line, extent in zip(lines, extents):
            top, bottom = extent
            if (bottom <= y0 or top >= y1) and bottom >= top and upright:
                continue  # apart: no overlap, and with both heights >= 0 none is needed
            overlap = min(bottom, y1) - max(top, y0)
            if overlap > 0.5 * min(height, bottom - top):
                line.append(w)
                extent[0], extent[1] = min(top, y0), max(bottom, y1)
                break
        else:
            lines.append([w])
            extents.append([y0, y1])
    return lines


def words_from_chars(chars: list[dict], gap_share: float = 1.0) -> list[Word]:
    """Characters of a text layer (dicts with text, x0, x1, top, bottom, size) joined into words:
    a gap wider than ``gap_share`` font sizes separates two words (the gap between table columns)."""
    words: list[Word] = []
    by_line = group_lines([Word(c["text"], c["x0"], c["top"], c["x1"], c["bottom"]) for c in chars
                           if c["text"].strip()])
    for line in by_line:
        current: list[Word] = []
        for ch in line:
            if current:
                last = current[-1]
                last_height, height = last.y1 - last.y0, ch.y1 - ch.y0  # .height, read once
                if ch.x0 - last.x1 > gap_share * (height if height > last_height else last_height):
                    words.append(_join(current))
                    current = []
            current.append(ch)
        if current:
            words.append(_join(current))
    return words


def _join(chars: list[Word]) -> Word:
    if len(chars) == 1:  # a character standing alone (a number of one digit, a table's lone dash)
        c = chars[0]
        return Word(c.text, c.x0, c.y0, c.x1, c.y1, c.score)
    text = ""
    for i, c in enumerate(chars):
        if i and c.x0 - chars[i - 1].x1 > 0.25 * c.height and (c.text.isascii() and text[-1:].isascii()):
            text += " "
        text += c.text
    return Word(text, min(c.x0 for c in chars), min(c.y0 for c in chars), max(c.x1 for c in chars),
                max(c.y1 for c in chars), min(c.score for c in chars))


def is_table_line(line: list[Word]) -> bool:
    """A line of a table row: a first word, then number words standing apart from it."""
    if len(line) < 2:
        return False
    height = max(w.height for w in line)
    numbers = [w for w in line[1:] if w.is_number]
    return bool(numbers) and numbers[0].x0 - line[0].x1 >= MIN_COLUMN_GAP * height * 0.5


def table_runs(lines: list[list[Word]], stop: re.Pattern | None = None,
               min_lines: int = MIN_TABLE_LINES) -> list[list[list[Word]]]:
    """Blocks of lines that form a table: from the header above the first table line down to the last
    table line, lines closer than MAX_ROW_GAP line heights; ``stop`` matches a line that ends it."""
    runs: list[list[list[Word]]] = []
    i = 0
    while i < len(lines):
        if not is_table_line(lines[i]):
            i += 1
            continue
        start = i
        # header and section lines directly above the first number row
        while start > 0 and _close(lines[start - 1], lines[start]) and not _is_stop(lines[start - 1], stop) \
                and not _is_paragraph(lines[start - 1], lines):
            start -= 1
        end = i
        while end + 1 < len(lines) and _close(lines[end], lines[end + 1]) and not _is_stop(lines[end + 1], stop):
            end += 1
        while end > i and not is_table_line(lines[end]) and not _short(lines[end]):
            end -= 1
        block = lines[start:end + 1]
        if sum(is_table_line(line) for line in block) >= min_lines:
            runs.append(block)
        i = end + 1
    return runs


def _close(a: list[Word], b: list[Word]) -> bool:
    height = max(w.height for w in a + b)
    return min(w.y0 for w in b) - max(w.y1 for w in a) < MAX_ROW_GAP * height


PAGE_NUMBER = re.compile(r"^(?:[-—－]\d{1,3}[-—－]|第\d{1,3}页(?:共\d{1,3}页)?|\d{1,3}/\d{1,3})$")


def _is_stop(line: list[Word], stop: re.Pattern | None) -> bool:
    """A line that ends a table: a page number at the foot, or what ``stop`` matches."""
    text = "".join(w.text for w in line).replace(" ", "")
    return bool(PAGE_NUMBER.match(text) or (stop and stop.match(text)))


def _short(line: list[Word]) -> bool:
    return sum(len(w.text) for w in line) <= 40


def _is_paragraph(line: list[Word], lines: list[list[Word]]) -> bool:
    """A running-text line: one long word filling most of the text measure."""
    if len(line) != 1:
        return False
    left = min(w.x0 for ln in lines for w in ln)
    right = max(w.x1 for ln in lines for w in ln)
    return line[0].x1 - line[0].x0 > 0.8 * (right - left) and len(line[0].text) > 25


def bands(block: list[list[Word]]) -> list[tuple[float, float]]:
    """Value-column bands: x-extents of number words stacked in rows, merged where they overlap."""
    spans = sorted((w.x0, w.x1) for line in block if is_table_line(line)
                   for k, w in enumerate(line) if w.is_number and (k or len(line) > 1 and line[1].is_number))
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _header_bands(block: list[list[Word]], value_bands: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Add a band for each column printed all blank: short header words (a leaf header, 结果/维持, 总计)
    of the lines above the numbers that no value band covers, stacked ones merged."""
    first = next(i for i, line in enumerate(block) if is_table_line(line))
    if first == 0 or not value_bands:
        return value_bands
    spans = sorted((w.x0, w.x1) for line in block[max(0, first - 3):first] for w in line
                   if len(w.text) <= 8 and w.x0 > value_bands[0][0] - w.height
                   and not any(_overlap((w.x0, w.x1), b) > 0 for b in value_bands))
    extra: list[list[float]] = []
    for x0, x1 in spans:
        if extra and x0 <= extra[-1][1]:
            extra[-1][1] = max(extra[-1][1], x1)
        else:
            extra.append([x0, x1])
    return sorted(value_bands + [(a, b) for a, b in extra])


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _columns_of(word: Word, columns: list[tuple[float, float]]) -> list[int]:
    """The columns a word covers: the one under its centre for a number; for other words every column
    it covers by a good share of its own width (a header over two columns spans both) or almost wholly."""
    centre = (word.x0 + word.x1) / 2
    home = min(range(len(columns)), key=lambda i: 0 if columns[i][0] <= centre < columns[i][1]
               else min(abs(centre - columns[i][0]), abs(centre - columns[i][1])))
    if word.is_number:
        return [home]
    width = max(word.x1 - word.x0, 1e-6)
    hit = [i for i, (a, b) in enumerate(columns)
           if (o := _overlap((word.x0, word.x1), (a, b))) >= SPAN_SHARE * width or o >= 0.8 * (b - a)]
    return list(range(min(hit), max(hit) + 1)) if hit else [home]


def _territories(block: list[list[Word]], value_bands: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Column territories: the label column up to midway between the longest label and the first band,
    then each band out to midway to its neighbours; the outer ones reach the ends of the block."""
    left = min(w.x0 for line in block for w in line)
    right = max(w.x1 for line in block for w in line)
    labels = [line[0].x1 for line in block if is_table_line(line) and not line[0].is_number
              and line[0].x1 < value_bands[0][0]]
    label_end = max(labels, default=value_bands[0][0])
    cuts = [(label_end + value_bands[0][0]) / 2]
    cuts += [(a[1] + b[0]) / 2 for a, b in zip(value_bands, value_bands[1:])]
    edges = [left, *cuts, max(right, value_bands[-1][1]) + 1e-6]
    return list(zip(edges, edges[1:]))


def block_table(block: list[list[Word]], page: int | None = None, continued: bool = False) -> RawTable:
    """One table block → a RawTable laid out like its ruled twin.

    Columns: label sub-columns (left edges of the label words: group, sub-group, item), then one per
    value band. Rows: the header lines become header rows (a word spanning columns above, the leaf
    headers below, a leaf reaching up where nothing spans it); every line holding numbers is one body
    row, and a label line without numbers (a wrapped label, printed above and below its numbers'
    line) joins the number line nearest to it. Letters stacked one per line at the left (a merged group
    label printed vertically) are one cell spanning the rows they stand beside. A block ``continued`` from
    the page before may start with label lines only (a label wrapped over the page break, or rows printed
    blank): no header line stands above them there, so they are body lines, not header.
    """
    caption = block[0] if len(block) > 1 and T2_CAPTION.match(_text(block[0])) else None
    if caption is not None:
        block = block[1:]  # 第二十条第（X）项 above its part of 表二: a row across the table, as when ruled
    first = next(i for i, line in enumerate(block) if is_table_line(line))
    value_bands = _header_bands(block, bands(block))
    territories = _territories(block, value_bands)
    label_end = territories[0][1]
    # Label-only lines just above the first row of numbers, below the last header word over a value
    # column, are rows printed blank (规章 with no numbers), not header.
    while first > 0 and all((w.x0 + w.x1) / 2 <= label_end for w in block[first - 1]) and (continued or any(
            (w.x0 + w.x1) / 2 > label_end for line in block[:first - 1] for w in line)):
        first -= 1
    body = block[first:]
    stacked = _stacked_letters(body, label_end)
    label_cols = _label_columns(body, label_end, stacked)
    columns = label_cols + territories[1:]
    n_label = len(label_cols)
    header = _header_rows(block[:first], columns, n_label)
    if caption is not None:
        header.insert(0, [(0, len(columns) - 1, caption, 1)])
    rows = _body_rows(body, columns, n_label, stacked)
    grid = [[None] * len(columns) for _ in range(len(header) + len(rows))]
    for r, placed in enumerate(header + rows):
        for c0, c1, words, rowspan in placed:
            cell = _cell(words, r, c0, c1 - c0 + 1, page)
            cell.rowspan = rowspan
            for rr in range(r, r + rowspan):
                for c in range(c0, c1 + 1):
                    if grid[rr][c] is None:
                        grid[rr][c] = cell
    for r, slots in enumerate(grid):
        line_words = [w for c in slots if c is not None for w in [c]]
        top = min((c.bbox[1] for c in line_words if c.bbox), default=0.0)
        bottom = max((c.bbox[3] for c in line_words if c.bbox), default=0.0)
        for c in range(len(columns)):
            if slots[c] is None:  # a printed blank: an empty cell of the column, so the row keeps its width
                slots[c] = Cell(text="", row=r, col=c, page=page, bbox=(columns[c][0], top, columns[c][1], bottom))
    if all(row[0] is not None and not row[0].text for row in grid) and all(
            row[1] is not row[0] for row in grid if len(row) > 1):
        grid = _without_first_column(grid)  # no row labels at all (表四): no label column either
    return RawTable(grid=grid, page=page, last_page=page)


def _without_first_column(grid: list[list[Cell | None]]) -> list[list[Cell | None]]:
    for cell in {id(c): c for row in grid for c in row[1:] if c is not None}.values():
        cell.col -= 1
    return [row[1:] for row in grid]


def _is_value_line(line: list[Word], label_end: float) -> bool:
    return any(w.is_number and (w.x0 + w.x1) / 2 > label_end for w in line)


def _stacked_letters(body: list[list[Word]], label_end: float) -> list[Word]:
    """One- or two-letter label words standing in one narrow column over three or more lines: a label
    printed vertically in a merged cell (三、本年度办理结果)."""
    singles = [w for line in body for w in line if len(w.text) <= 2 and not w.is_number and w.x1 <= label_end]
    best: list[Word] = []
    for w in singles:
        column = [v for v in singles if abs(v.x0 - w.x0) <= 0.5 * w.height]
        if len(column) > len(best):
            best = column
    return best if len(best) >= 3 else []


def _label_columns(body: list[list[Word]], label_end: float, stacked: list[Word]) -> list[tuple[float, float]]:
    """Label sub-columns from the left edges where label words start (each edge used by a label)."""
    lefts = sorted(w.x0 for line in body for w in line if (w.x0 + w.x1) / 2 <= label_end and w not in stacked)
    if stacked:
        lefts = sorted(lefts + [min(w.x0 for w in stacked)])
    if not lefts:
        return [(min(w.x0 for line in body for w in line) - 1, label_end)]
    tolerance = max(w.height for line in body for w in line)
    starts: list[float] = []
    for x in lefts:
        if not starts or x - starts[-1] > tolerance:
            starts.append(x)
    edges = [starts[0] - 1e-6, *starts[1:], label_end]
    return list(zip(edges, edges[1:]))


def _label_cols_of(word: Word, columns: list[tuple[float, float]], n_label: int) -> tuple[int, int]:
    """A label word sits in the sub-column of its left edge and spans those it runs over."""
    c0 = max(i for i in range(n_label) if columns[i][0] <= word.x0 + 1e-6) if word.x0 >= columns[0][0] else 0
    c1 = c0
    while c1 + 1 < n_label and word.x1 > columns[c1 + 1][0] + 0.5 * word.height:
        c1 += 1
    return c0, c1


def _header_rows(lines: list[list[Word]], columns: list[tuple[float, float]], n_label: int) -> list[list]:
    """Header lines → rows of (first col, last col, words, rowspan), shaped like the ruled header.

    A header word with more header text under it in its column, after a gap wider than a wrapped line
    (申请人情况, 法人或其他组织), is a group header. It spans the columns around it whose first text below
    it starts no higher than in its own column: 法人或其他组织 covers 商业企业…其他 but not 自然人, whose
    cell reaches up beside it. Leaves (wrapped lines joined) are the last row, reaching up to the group
    above them.
    """
    if not lines:
        return []
    label_words: list[Word] = []
    by_col: dict[int, list[Word]] = {}
    for line in lines:
        for w in line:
            if (w.x0 + w.x1) / 2 <= columns[n_label - 1][1]:
                label_words.append(w)
            else:
                home = max(n_label, _columns_of(Word("0", w.x0, w.y0, w.x1, w.y1), columns)[0])
                by_col.setdefault(home, []).append(w)
    groups: list[tuple[int, Word]] = []
    leaves: dict[int, list[Word]] = {}
    for c, words in by_col.items():
        words.sort(key=lambda w: w.y0)
        for i, w in enumerate(words):
            below = words[i + 1:]
            if below and below[0].y0 - w.y1 > 0.6 * w.height and not any(g is w for _, g in groups):
                groups.append((c, w))
            else:
                leaves.setdefault(c, []).append(w)
    spans: list[tuple[int, int, Word]] = []
    for home, g in sorted(groups, key=lambda item: -item[1].y0):  # deepest group first

        # The two helpers are closures over this iteration's group and are only called inside it.
        def first_below(c: int) -> float:  # noqa: B023
            tops = [w.y0 for w in leaves.get(c, []) if w.y0 > g.y1]  # noqa: B023
            tops += [h.y0 for a, b, h in spans if a <= c <= b and h.y0 > g.y1]  # noqa: B023
            return min(tops, default=float("inf"))

        level = first_below(home) - 0.3 * g.height
        # A group on the same line as another stops halfway to the other's column.
        rivals = [h for h, other in groups if other is not g and abs(other.y0 - g.y0) < 0.5 * g.height]

        def free(c: int) -> bool:
            return (first_below(c) >= level and c not in _columns_at(spans, g)  # noqa: B023
                    and all(abs(c - home) < abs(c - r) for r in rivals))  # noqa: B023

        c0 = c1 = home
        while c0 - 1 >= n_label and free(c0 - 1):
            c0 -= 1
        while c1 + 1 < len(columns) and free(c1 + 1):
            c1 += 1
        spans.append((c0, c1, g))
    levels: list[list[tuple[int, int, Word]]] = []
    for item in sorted(spans, key=lambda t: t[2].y0):
        if levels and abs(levels[-1][0][2].y0 - item[2].y0) < 0.5 * item[2].height:
            levels[-1].append(item)
        else:
            levels.append([item])
    n_rows = len(levels) + 1
    rows: list[list] = [[] for _ in range(n_rows)]
    covered: dict[int, int] = {}  # column → lowest level spanning it
    for level, items in enumerate(levels):
        for c0, c1, w in items:
            rows[level].append((c0, c1, [w], 1))
            for c in range(c0, c1 + 1):
                covered[c] = level
    if label_words:
        rows[0].append((0, n_label - 1, label_words, n_rows))
    for c, words in sorted(leaves.items()):
        top = covered.get(c, -1) + 1
        rows[top].append((c, c, words, n_rows - top))
    for row in rows:
        row.sort(key=lambda t: t[0])
    return rows


def _columns_at(spans: list[tuple[int, int, Word]], g: Word) -> set[int]:
    """Columns already spanned by another group on the same header line as ``g``."""
    return {c for a, b, h in spans if abs(h.y0 - g.y0) < 0.5 * g.height for c in range(a, b + 1)}


def _body_rows(body: list[list[Word]], columns: list[tuple[float, float]], n_label: int,
               stacked: list[Word]) -> list[list]:
    """Body lines → one row per line holding numbers; label-only lines join the nearest such line."""
    label_end = columns[n_label - 1][1]
    centre = [(min(w.y0 for w in line) + max(w.y1 for w in line)) / 2 for line in body]
    value_lines, blank_owner = _blank_rows([i for i, line in enumerate(body) if _is_value_line(line, label_end)],
                                           body, centre, stacked)
    attached: dict[int, list[Word]] = {i: [] for i in value_lines}
    for i, line in enumerate(body):
        words = [w for w in line if w not in stacked]
        if not words:
            continue
        owner = blank_owner.get(i, i if i in attached else
                                min(value_lines, key=lambda v: (abs(centre[v] - centre[i]), v < i)))
        attached[owner].extend(words)
    rows: list[list] = []
    for i in value_lines:
        cells: dict[tuple[int, int], list[Word]] = {}
        for w in sorted(attached[i], key=lambda w: (w.y0, w.x0)):
            if (w.x0 + w.x1) / 2 <= label_end and not w.is_number:
                c0, c1 = _label_cols_of(w, columns, n_label)
            else:
                cols = [c for c in _columns_of(w, columns) if c >= n_label] or [n_label]
                c0, c1 = (cols[0], cols[0]) if w.is_number else (cols[0], cols[-1])
            key = next((k for k in cells if k[0] <= c0 <= k[1] or c0 <= k[0] <= c1), (c0, c1))
            merged = (min(key[0], c0), max(key[1], c1))
            cells[merged] = cells.pop(key, []) + [w]
        rows.append([(c0, c1, words, 1) for (c0, c1), words in sorted(cells.items())])
    if stacked and rows:
        _place_stacked(rows, stacked, body, value_lines, centre)
    return rows


def _blank_rows(value_lines: list[int], body: list[list[Word]], centre: list[float],
                stacked: list[Word]) -> tuple[list[int], dict[int, int]]:
    """Rows printed all blank: runs of label lines (lines closer than a row apart) as far from every
    line with numbers as two rows are apart. Returns every row's first line, and the row each line of
    a blank run belongs to. A wrapped label's lines sit within a row of their numbers and are not rows."""
    if not value_lines:
        return value_lines, {}
    words = sorted(w.height for line in body for w in line)
    height = words[len(words) // 2]
    pitch = sorted(b - a for a, b in zip((centre[i] for i in value_lines), (centre[i] for i in value_lines[1:])))
    # A single-line row: the lower quartile of the distances (tall wrapped rows are fewer); with one row
    # of numbers, a line and a half.
    row_pitch = pitch[len(pitch) // 4] if pitch else 1.5 * height
    runs: list[list[int]] = []
    for i, line in enumerate(body):
        if i in value_lines or all(w in stacked for w in line):
            continue
        if runs and runs[-1][-1] == i - 1 and centre[i] - centre[i - 1] < 1.45 * height:
            runs[-1].append(i)
        else:
            runs.append([i])
    rows, owner = list(value_lines), {}
    for run in runs:
        middle = sum(centre[i] for i in run) / len(run)
        if min(abs(middle - centre[v]) for v in value_lines) >= 0.8 * row_pitch:
            rows.append(run[0])
            owner.update({i: run[0] for i in run})
    return sorted(rows), owner


def _place_stacked(rows: list[list], stacked: list[Word], body: list[list[Word]], value_lines: list[int],
                   centre: list[float]) -> None:
    """The vertical label as one cell in the first label column over the rows it stands beside."""
    top, bottom = min(w.y0 for w in stacked), max(w.y1 for w in stacked)
    inside = [k for k, i in enumerate(value_lines) if top - 1 <= centre[i] <= bottom + 1]
    if not inside:
        return
    first = inside[0]
    word = Word("".join(w.text for w in sorted(stacked, key=lambda w: w.y0)), min(w.x0 for w in stacked), top,
                max(w.x1 for w in stacked), bottom, min(w.score for w in stacked))
    rows[first].insert(0, (0, 0, [word], len(inside)))


def _cell(words: list[Word], row: int, col: int, colspan: int, page: int | None) -> Cell:
    lines = group_lines(words)
    text = "\n".join(_line_text(line) for line in lines)
    box = (min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words), max(w.y1 for w in words))
    cell = Cell(text=text, row=row, col=col, colspan=colspan, page=page, bbox=box)
    if any(w.score < 1.0 for w in words):
        cell.ocr = {"confidence": round(min(w.score for w in words), 4)}
    return cell


def _line_text(line: list[Word]) -> str:
    """Words of one line in a cell; two numbers side by side keep a space (660 663 stays two numbers)."""
    text = ""
    for w in line:
        if text and (w.is_number or w.text[:1].isascii()) and text[-1:].isascii():
            text += " "
        text += w.text
    return text


def tables_from_lines(lines: list[list[Word]], page: int | None = None,
                      stop: re.Pattern | None = None) -> list[tuple[RawTable, list[list[Word]]]]:
    """Every word-laid table among the lines, with the lines it used."""
    return [(block_table(block, page), block) for block in table_runs(lines, stop)]


# --- PDF pages whose statistics tables have no inner rules ----------------------------------------------

# Numbered section headings of the report: a statistics table starts under one and ends at the next.
SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*(总体情况|主动公开政府信息|收到和处理政府信息公开申请|"
                     r"政府信息公开行政复议|存在的主要问题|其他需要报告)")
# The separator may be misread by OCR as a comma, or lost.
STATISTICS_SECTION = STATISTICS_HEADING_LOOSE
T2_CAPTION = re.compile(r"^第二十条")


def add_unruled_tables(chars: list[dict], page_no: int, doc: Any,
                       placed: list) -> list[tuple[float, float, float, float]]:
    """Statistics tables of a text page printed without inner rules, read from the word positions.

    Called for a page where the ruled-table finder found no table. Only the part of the page under a
    statistics heading is looked at (or the top of the page when the previous page ended inside such a
    table), and a block counts only with two or more lines of separate numbers. Each table found is
    appended to ``placed`` as (top, 0, RawTable); the boxes returned keep its text out of the paragraphs.

    Triage: most pages that get here are running text. A page that does not continue a table and whose
    characters do not even include a statistics heading's numeral and every character of its section name
    cannot hold the heading line this search starts under (that line is made of the page's characters), so
    it is passed over before its words are laid out: it gives no table here, as the full search would.
    """
    continued = _continues_a_table(doc, page_no)
    if not continued and not may_hold_statistics_heading(ch["text"] for ch in chars):
        return []
    lines = group_lines(words_from_chars(chars))
    texts = [_text(line) for line in lines]
    start = -1 if continued else next((i for i, t in enumerate(texts) if STATISTICS_SECTION.match(t)), None)
    if start is None:
        return []
    boxes = []
    for segment in _segments(lines[start + 1:], texts[start + 1:]):
        for block in table_runs(segment, min_lines=1):  # under a statistics heading one number row is a table
            table = block_table(block, page_no, continued=continued and block[0] is lines[0])
            words = [w for line in block for w in line]
            box = (min(w.x0 for w in words) - 1, min(w.y0 for w in words) - 1, max(w.x1 for w in words) + 1,
                   max(w.y1 for w in words) + 1)
            placed.append((box[1], 0, table))
            boxes.append(box)
    return boxes


def tables_in_picture(lines: list[list[Word]], page: int | None = None,
                      continued: bool = False) -> list[tuple[RawTable, list[list[Word]]]]:
    """Word-laid tables of an OCR'd picture, with the lines each used: cut at section headings and
    表二 captions like a text page (the headings stay text); under a statistics heading or caption, or on
    a page continuing one, one row of numbers is a table, elsewhere two are needed."""
    texts = [_text(line) for line in lines]
    captioned = continued or any(STATISTICS_SECTION.match(t) or T2_CAPTION.match(t) for t in texts)
    found = []
    for segment in _segments(lines, texts, resume=True):
        for block in table_runs(segment, min_lines=1 if captioned else MIN_TABLE_LINES):
            found.append((block_table(block, page), block))
    return found


def _text(line: list[Word]) -> str:
    """A line's text for matching headings and captions: no spaces, in simplified script (a 繁體 report's
    三、收到和處理政府信息公開申請情況 is the same heading)."""
    return to_simplified("".join(w.text for w in line).replace(" ", ""))


def _segments(lines: list[list[Word]], texts: list[str], resume: bool = False) -> list[list[list[Word]]]:
    """Lines cut into one segment per table: at every section heading that is not a statistics one
    (the tables end there; with ``resume`` — a whole page — reading starts again at the next statistics
    heading) and at each 第二十条 caption (表二's parts have columns of their own)."""
    segments: list[list[list[Word]]] = [[]]
    outside = False
    for line, text in zip(lines, texts):
        if SECTION.match(text) and not is_table_line(line):
            if not STATISTICS_SECTION.match(text):
                if not resume:
                    break
                outside = True
                continue
            outside = False
            segments.append([])
            continue
        if outside:
            continue
        if T2_CAPTION.match(text) and segments[-1]:
            segments.append([])
        segments[-1].append(line)
    return [s for s in segments if s]


def _continues_a_table(doc: Any, page_no: int) -> bool:
    """The previous page ended inside a statistics table or with a statistics heading (only its page
    number or nothing after it)."""
    for block in reversed(doc.blocks[-3:]):
        if isinstance(block, RawTable):
            return block.last_page == page_no - 1
        text = to_simplified(re.sub(r"\s+", "", block.text))
        if STATISTICS_SECTION.match(text):  # the heading ended the page, its table starts here
            return block.page == page_no - 1
        if len(text) > 12 or block.page != page_no - 1:
            return False
    return False
