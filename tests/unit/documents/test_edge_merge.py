"""The reader's merge of ruling edges gives exactly pdfplumber's ``merge_edges``, and the table finder's edges are
the same whether it reuses the reader's merge or merges again."""

from __future__ import annotations

import math
import random

import pytest
from pdfplumber.table import TableFinder, TableSettings, merge_edges

from extract.documents import pdfium_page
from extract.documents.pdf import SNAP_TOLERANCE, TABLE_SETTINGS, _closing_edges, _is_visible
from extract.documents.pdfium_page import PdfiumPage, merge_straight_edges

from .test_pdf_equivalence import demo_pdf


def random_edge(rng: random.Random) -> dict:
    """A ruling edge as pdfplumber makes them: positions that coincide, nearly coincide or lie apart, some of
    them shorter than a point, with or without the y0/doctop keys."""
    at = rng.choice([rng.uniform(0, 50), float(round(rng.uniform(0, 50))), rng.choice([10.0, 10.5, 13.2, 16.0])])
    start = rng.uniform(0, 100)
    length = rng.choice([0.0, 0.3, rng.uniform(0, 60)])
    if rng.random() < 0.5:
        edge = {"object_type": "line", "orientation": "v", "x0": at, "x1": at, "top": start, "bottom": start + length,
                "width": 0.0, "height": length}
    else:
        edge = {"object_type": "rect_edge", "orientation": "h", "x0": start, "x1": start + length, "top": at,
                "bottom": at, "width": length, "height": 0.0}
    if rng.random() < 0.7:
        edge.update(doctop=edge["top"], y0=-edge["bottom"], y1=-edge["top"])
    return edge


@pytest.mark.parametrize("seed", range(5))
def test_the_merge_gives_pdfplumber_s_edges_in_pdfplumber_s_order(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        edges = [random_edge(rng) for _ in range(rng.randint(0, 40))]
        tolerance = rng.choice([SNAP_TOLERANCE, 3, 1.0, 0.0])
        expected = merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
        got = merge_straight_edges(edges, tolerance)
        assert got == expected
        assert [list(e) for e in got] == [list(e) for e in expected]  # same keys in the same order


@pytest.mark.parametrize("seed", range(3))
def test_edges_with_an_infinite_coordinate_get_pdfplumber_s_merge(seed: int) -> None:
    # A damaged page can give a rule at infinity: the merge is still exactly pdfplumber's.
    rng = random.Random(seed)
    for _ in range(100):
        edges = [random_edge(rng) for _ in range(rng.randint(1, 20))]
        for edge in rng.sample(edges, rng.randint(1, len(edges))):
            edge[rng.choice(["x0", "x1", "top", "bottom"])] = rng.choice([math.inf, -math.inf])
        # compared as text: pdfplumber's snapping turns inf - inf into NaNs, which equal nothing
        assert repr(merge_straight_edges(edges, SNAP_TOLERANCE)) == repr(merge_edges(edges, *[SNAP_TOLERANCE] * 4))


def test_a_merge_that_moves_and_joins_edges_is_seen() -> None:
    """The comparison above can fail: two rules 2 pt apart snap to their mean and join end to end."""
    a = {"orientation": "h", "x0": 0.0, "x1": 10.0, "top": 5.0, "bottom": 5.0, "width": 10.0, "height": 0.0}
    b = dict(a, x0=11.0, x1=20.0, top=7.0, bottom=7.0, width=9.0)
    (merged,) = merge_straight_edges([a, b], SNAP_TOLERANCE)
    assert (merged["x0"], merged["x1"], merged["top"], merged["width"]) == (0.0, 20.0, 6.0, 20.0)


@pytest.mark.parametrize("quirks", [("split_table",), ("repeat_group_label", "landscape"), ()])
def test_the_finder_s_edges_are_pdfplumber_s_with_and_without_the_reused_merge(quirks) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(demo_pdf("gov2021", quirks))
    try:
        for page in doc:
            visible = pdfium_page.read_page(page).filter(_is_visible, kinds=("rect", "line", "curve"))
            page.close()
            straight = [e for e in visible.edges if e.get("orientation") in {"h", "v"}]
            if len(straight) < 4:
                continue
            edges = merge_straight_edges(straight, SNAP_TOLERANCE)
            settings = TableSettings.resolve(dict(TABLE_SETTINGS, explicit_horizontal_lines=_closing_edges(edges)))
            plain = TableFinder.get_edges(pdfium_page._TableFinder(visible, settings))
            assert pdfium_page._TableFinder(visible, settings, (edges, SNAP_TOLERANCE)).edges == plain
            assert isinstance(visible, PdfiumPage)
    finally:
        doc.close()


@pytest.mark.parametrize("seed", range(3))
def test_the_cell_search_finds_pdfplumber_s_cells_in_pdfplumber_s_order(seed: int) -> None:
    """``_intersections_to_cells`` (linear passes) against pdfplumber's on ruled grids with rules missing."""
    from pdfplumber.table import edges_to_intersections, intersections_to_cells

    rng = random.Random(seed)
    for _ in range(60):
        xs = sorted(rng.sample(range(0, 300, 10), rng.randint(2, 9)))
        ys = sorted(rng.sample(range(0, 300, 10), rng.randint(2, 9)))
        edges = []
        for x in xs:
            for y0, y1 in zip(ys, ys[1:]):
                if rng.random() < 0.85:
                    edges.append({"orientation": "v", "x0": float(x), "x1": float(x), "top": float(y0),
                                  "bottom": float(y1), "width": 0.0, "height": float(y1 - y0)})
        for y in ys:
            for x0, x1 in zip(xs, xs[1:]):
                if rng.random() < 0.85:
                    edges.append({"orientation": "h", "x0": float(x0), "x1": float(x1), "top": float(y),
                                  "bottom": float(y), "width": float(x1 - x0), "height": 0.0})
        intersections = edges_to_intersections(edges, 3, 3)
        assert pdfium_page._intersections_to_cells(intersections) == intersections_to_cells(intersections)
