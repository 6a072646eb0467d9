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

import re
from dataclasses import dataclass

from extract.documents.model import Cell, RawTable

NUMBER = re.compile(r"^[-−+]?[\d,，.．]+(?:元|万元|件|个|项|%)?$")
MIN_TABLE_LINES = 2
MAX_ROW_GAP = 2.5  # line heights: a wider vertical gap ends the table
MIN_COLUMN_GAP = 1.5  # line heights between a label and the first number of a table line
SPAN_SHARE = 0.3  # a word belongs to a column when it covers this share of it


@dataclass
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
    """Words grouped into lines (vertical overlap over half the smaller height), each sorted by x."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.y0 + w.y1) / 2):
        for line in lines:
            top = min(x.y0 for x in line)
            bottom = max(x.y1 for x in line)
            overlap = min(bottom, w.y1) - max(top, w.y0)
            if overlap > 0.5 * min(w.height, bottom - top):
                line.append(w)
                break
        else:
            lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w.x0)
    lines.sort(key=lambda line: min(w.y0 for w in line))
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
            if current and ch.x0 - current[-1].x1 > gap_share * max(current[-1].height, ch.height):
                words.append(_join(current))
                current = []
            current.append(ch)
        if current:
            words.append(_join(current))
    return words


def _join(chars: list[Word]) -> Word:
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


def table_runs(lines: list[list[Word]], stop: re.Pattern | None = None) -> list[list[list[Word]]]:
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
        if sum(is_table_line(line) for line in block) >= MIN_TABLE_LINES:
            runs.append(block)
        i = end + 1
    return runs


def _close(a: list[Word], b: list[Word]) -> bool:
    height = max(w.height for w in a + b)
    return min(w.y0 for w in b) - max(w.y1 for w in a) < MAX_ROW_GAP * height


def _is_stop(line: list[Word], stop: re.Pattern | None) -> bool:
    return bool(stop and stop.match("".join(w.text for w in line).replace(" ", "")))


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
    spans = sorted((w.x0, w.x1) for line in block if is_table_line(line) for w in line[1:] if w.is_number)
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _header_bands(block: list[list[Word]], value_bands: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Add a band for each header word of the last line above the numbers that no value band covers
    (a column printed all blank still has its header)."""
    first = next(i for i, line in enumerate(block) if is_table_line(line))
    if first == 0 or not value_bands:
        return value_bands
    extra = [(w.x0, w.x1) for w in block[first - 1] if w.x0 > value_bands[0][0] - 1
             and not any(_overlap((w.x0, w.x1), b) > 0 for b in value_bands)]
    return sorted(value_bands + extra)


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
    labels = [line[0].x1 for line in block if is_table_line(line) and line[0].x1 < value_bands[0][0]]
    label_end = max(labels, default=value_bands[0][0])
    cuts = [(label_end + value_bands[0][0]) / 2]
    cuts += [(a[1] + b[0]) / 2 for a, b in zip(value_bands, value_bands[1:])]
    edges = [left, *cuts, max(right, value_bands[-1][1]) + 1e-6]
    return list(zip(edges, edges[1:]))


def block_table(block: list[list[Word]], page: int | None = None) -> RawTable:
    """One table block → a RawTable: label column plus one column per band, one row per line."""
    columns = _territories(block, _header_bands(block, bands(block)))
    rows = _merge_wrapped_headers([_place(line, columns) for line in block], block)
    grid: list[list[Cell | None]] = []
    for r, (placed, words_of_row) in enumerate(rows):
        slots: list[Cell | None] = [None] * len(columns)
        for c0, c1, words in placed:
            cell = _cell(words, r, c0, c1 - c0 + 1, page)
            for c in range(c0, c1 + 1):
                slots[c] = cell
        for c in range(len(columns)):
            if slots[c] is None:  # a printed blank: an empty cell of the band, so the row keeps its width
                slots[c] = Cell(text="", row=r, col=c, page=page, bbox=(columns[c][0], min(w.y0 for w in words_of_row),
                                                                         columns[c][1], max(w.y1 for w in words_of_row)))
        grid.append(slots)
    return RawTable(grid=grid, page=page, last_page=page)


def _place(line: list[Word], columns: list[tuple[float, float]]) -> tuple[list[tuple[int, int, list[Word]]], list[Word]]:
    """Words of one line grouped per cell: (first column, last column, words)."""
    placed: list[tuple[int, int, list[Word]]] = []
    for w in line:
        cols = _columns_of(w, columns)
        c0, c1 = cols[0], cols[-1]
        if placed and placed[-1][1] >= c0:  # same or overlapping cell: one cell, the union of both spans
            p0, p1, words = placed[-1]
            placed[-1] = (min(p0, c0), max(p1, c1), words + [w])
        else:
            placed.append((c0, c1, [w]))
    return placed, line


def _merge_wrapped_headers(rows: list, block: list[list[Word]]) -> list:
    """Header lines above the first number row that occupy exactly the same cells are one wrapped row."""
    first = next(i for i, line in enumerate(block) if is_table_line(line))
    merged: list = []
    for i, (placed, words) in enumerate(rows):
        if i < first and merged and i - 1 < first and _same_cells(merged[-1][0], placed) \
                and _close(merged[-1][1], words):
            prev_placed, prev_words = merged[-1]
            joined = [(a0, a1, aw + bw) for (a0, a1, aw), (_, _, bw) in zip(prev_placed, placed)]
            merged[-1] = (joined, prev_words + words)
        else:
            merged.append((placed, words))
    return merged


def _same_cells(a: list, b: list) -> bool:
    return len(a) > 1 and [(c0, c1) for c0, c1, _ in a] == [(c0, c1) for c0, c1, _ in b]


def _cell(words: list[Word], row: int, col: int, colspan: int, page: int | None) -> Cell:
    lines = group_lines(words)
    text = "\n".join(_line_text(line) for line in lines)
    box = (min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words), max(w.y1 for w in words))
    cell = Cell(text=text, row=row, col=col, colspan=colspan, page=page, bbox=box)
    cell.ocr = {"confidence": round(min(w.score for w in words), 4)} if any(w.score < 1.0 for w in words) else None
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
