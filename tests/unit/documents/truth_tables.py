"""Read the statistics tables of a ``Document`` back into truth.json's shape, for comparing.

This is a deliberately small, test-only reading of the grids (no label matching): it finds rows by
their position and by their printed label shape, so a wrong grid (lost row, shifted cell, text
pulled out of its cell) shows up as a mismatch with the hand-checked truth.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from extract.documents.model import Cell, Document, RawTable
from tests.realreports import shared_dir

N_APPLICATION_VALUES = 7
N_REVIEW_VALUES = 15
# Row labels of table 三 start with a section number: 一、 / （一） / 1. / 1、
ROW_LABEL = re.compile(r"^(?:[一二三四]、|[（(][一二三四五六七][）)]|\d+[.、．])")


def real_reports_dir() -> Path:
    """``shared/real-reports`` (located once, by ``tests.realreports.shared_dir``)."""
    return shared_dir() / "real-reports"


@cache
def truth(folder: str) -> dict:
    return json.loads((real_reports_dir() / folder / "truth.json").read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def value_of(text: str) -> int | float | str | None:
    """A printed value cell as truth.json writes it: blank → None, a number → int/float."""
    text = squash(text)
    if not text:
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def is_value(text: str) -> bool:
    return value_of(text) is None or isinstance(value_of(text), (int, float))


def application_rows(doc: Document) -> list[tuple[RawTable, int, list]]:
    """(table, row index, 7 values) for every data row of table 三, across page fragments, in order."""
    rows = []
    for table in doc.tables:
        if table.n_cols <= N_APPLICATION_VALUES:
            continue
        for r, slots in enumerate(table.grid):
            values = slots[-N_APPLICATION_VALUES:]
            # The row's own label is the rightmost label cell with text (洪泽 2024 draws an empty
            # cell between （六）其他处理 and its numbers).
            label = next((c.text for c in reversed(slots[:-N_APPLICATION_VALUES]) if c and c.text), "")
            if any(c is None for c in values):
                continue
            if ROW_LABEL.match(squash(label)) and all(is_value(c.text) for c in values):
                rows.append((table, r, [value_of(c.text) for c in values]))
    return rows


def review_row(doc: Document) -> list | None:
    """The 15 values of table 四 (the first all-number 15-column row after the 行政复议 header)."""
    seen_header = False
    for table in doc.tables:
        seen_header = seen_header or any("行政复议" in squash(c.text) for c in table.grid[0] if c is not None)
        if not seen_header or table.n_cols != N_REVIEW_VALUES:
            continue
        for slots in table.grid:
            texts = [c.text if c is not None else "" for c in slots]
            if all(is_value(t) for t in texts) and any(squash(t) for t in texts):
                return [value_of(t) for t in texts]
    return None


def proactive_values(doc: Document, label: str) -> list | None:
    """The distinct value cells printed right of a 主动公开 row label such as 行政许可."""
    for table in doc.tables:
        for r in range(table.n_rows):
            cells = table.distinct_cells(r)
            if cells and squash(cells[0].text) == label:
                return [value_of(c.text) for c in cells[1:]]
    return None


def find_cell(doc: Document, startswith: str) -> tuple[RawTable, Cell]:
    for table in doc.tables:
        for row in table.grid:
            for cell in row:
                if cell is not None and squash(cell.text).startswith(startswith):
                    return table, cell
    raise AssertionError(f"no cell starting with {startswith!r}")


def assert_cell_covers_its_slots(table: RawTable, cell: Cell) -> None:
    """A merged cell is the very same object in every slot of its span, and in no other slot."""
    for r, row in enumerate(table.grid):
        for c, slot in enumerate(row):
            inside = cell.row <= r < cell.row + cell.rowspan and cell.col <= c < cell.col + cell.colspan
            assert (slot is cell) == inside, (r, c, cell)


def fails_fast(reader, data: bytes, code: str):
    """``reader(data)`` raises DocumentError ``code`` with a message, within 5 s; returns the error."""
    import time

    import pytest

    from extract.documents.model import DocumentError

    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        reader(data)
    assert time.perf_counter() - started < 5
    assert caught.value.code == code and caught.value.message
    return caught.value
