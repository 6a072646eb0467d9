"""A page read by PDFium, shaped like the pdfplumber page the PDF reader works on.

pdfplumber is slow because pdfminer interprets every content stream in pure Python (> 90 % of the time of a
report). PDFium reads the same page in C about 30 times faster. This module gives the reader the few things
it takes from a pdfplumber page (``chars``, ``lines``, ``rects``, ``curves``, ``images``, ``edges``,
``width``, ``filter`` and ``find_tables``) built from PDFium's text page and page objects, with the same
geometry pdfminer would give: the same path splitting and line/rect/curve classification, the same
character boxes (origin, advance, font descent, font size), top-left coordinates from the media box.
pdfplumber's own ``TableFinder`` then runs on these objects, so tables are found exactly as before.

Where PDFium's objects are not to be trusted the page is read by pdfminer as before (``Untrusted``): a
turned page (``/Rotate``), glyphs without a Unicode mapping, a font PDFium gives no metrics or widths for.
Pages with more objects than the caps allow raise ``PageLimit`` before any reader parses them.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pypdfium2.raw as pdfium_c
from pdfplumber.table import (Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections,
                              intersections_to_cells, merge_edges)
from pdfplumber.utils import filter_edges, obj_to_bbox, obj_to_edges

# Caps on what one page may hold before its objects are not read at all (issue 15): a real report page
# has a few thousand characters and a few hundred rulings; 1.2 M rectangles is an attack on time and memory.
MAX_PAGE_OBJECTS = 50_000
MAX_PAGE_CHARS = 50_000
MAX_DOCUMENT_OBJECTS = 500_000  # all pages together: 300 pages just under the page cap are no report either
MAX_FORM_DEPTH = 8  # Form XObjects nested deeper than this are a loop or an attack, not a report

_SEGMENT_CODE = {pdfium_c.FPDF_SEGMENT_LINETO: "l", pdfium_c.FPDF_SEGMENT_BEZIERTO: "c",
                 pdfium_c.FPDF_SEGMENT_MOVETO: "m"}
Matrix = tuple[float, float, float, float, float, float]
_BOX = operator.itemgetter("x0", "x1", "top", "bottom")
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class Untrusted(Exception):
    """PDFium's objects for this page cannot stand in for pdfminer's; the reason is the message."""


class PageLimit(Exception):
    """The page holds more objects than a report can; ``limit`` names the cap that was hit."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(message)
        self.limit = limit


class PdfiumPage:
    """The objects of one page in pdfplumber's shape (top-left origin, points)."""

    def __init__(self, width: float, height: float, objects: dict[str, list[dict[str, Any]]],
                 n_objects: int = 0) -> None:
        self.width, self.height = width, height
        self.bbox = (0.0, 0.0, width, height)
        self.objects = objects
        self.n_objects = n_objects  # PDFium's drawing objects on the page, forms counted with their contents
        self._edges: list[dict[str, Any]] | None = None

    @property
    def chars(self) -> list[dict[str, Any]]:
        return self.objects["char"]

    @property
    def lines(self) -> list[dict[str, Any]]:
        return self.objects["line"]

    @property
    def rects(self) -> list[dict[str, Any]]:
        return self.objects["rect"]

    @property
    def curves(self) -> list[dict[str, Any]]:
        return self.objects["curve"]

    @property
    def images(self) -> list[dict[str, Any]]:
        return self.objects["image"]

    @property
    def edges(self) -> list[dict[str, Any]]:
        # pdfplumber's order: rectangle edges, then lines, then curves; built once (the table finder asks twice)
        if self._edges is None:
            self._edges = [e for kind in ("rect", "line", "curve") for obj in self.objects[kind]
                           for e in obj_to_edges(obj)]
        return self._edges

    def filter(self, test: Callable[[dict[str, Any]], bool], kinds: Iterable[str] | None = None) -> PdfiumPage:
        """The page with the objects that pass ``test``; with ``kinds``, only objects of those kinds are
        tested and the others all kept (for a test that passes them anyway: no call per character)."""
        tested = set(self.objects if kinds is None else kinds)
        kept = {kind: [obj for obj in objs if test(obj)] if kind in tested else list(objs)
                for kind, objs in self.objects.items()}
        return PdfiumPage(self.width, self.height, kept)

    def find_tables(self, settings: dict[str, Any],
                    premerged: tuple[list[dict[str, Any]], float] | None = None) -> list[Any]:
        """pdfplumber's tables; ``premerged``: the page's straight edges (orientation h or v, in ``edges``
        order) already merged with ``merge_edges`` at one tolerance for snapping and joining, reused where
        the finder would merge the same edges again."""
        return _TableFinder(self, TableSettings.resolve(settings), premerged).tables

    def close(self) -> None:
        """Nothing is cached beyond the objects themselves (pdfplumber pages need closing)."""


class _TableFinder(TableFinder):
    """pdfplumber's ``TableFinder`` (0.11) step for step, with its cell search done in linear passes.

    pdfplumber looks for each intersection's smallest cell by scanning all later intersections for the ones
    below and to the right, and rebuilds the edge sets of both points for every pair it tests; on a table
    page that was most of the table finder's time. ``_intersections_to_cells`` finds the same cells in the
    same order.
    """

    def __init__(self, page: Any, settings: TableSettings,
                 premerged: tuple[list[dict[str, Any]], float] | None = None) -> None:
        # not super().__init__: it would search too
        self.page = page
        self.settings = settings
        self.premerged = premerged
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance)
        self.cells = _intersections_to_cells(self.intersections)
        self.tables = [Table(self.page, cell_group) for cell_group in cells_to_tables(self.cells)]

    def get_edges(self) -> list[dict[str, Any]]:
        """pdfplumber's ``get_edges`` for the "lines" strategies, merged by ``merge_edges`` below, and not a
        second time where the reader already merged the same edges (to find the rules closing a table at a
        page break).

        The finder merges the page's horizontal and vertical edges at least as long as its pre-filter, plus
        the explicit ones; horizontal and vertical edges are snapped and joined apart, the horizontal groups
        returned first. So when no straight edge is shorter than the pre-filter and the tolerance is the same,
        the vertical part is the reader's, and so is the horizontal part when no explicit edge is added.
        """
        s = self.settings
        tolerance = s.snap_x_tolerance
        if (s.vertical_strategy != "lines" or s.horizontal_strategy != "lines" or s.explicit_vertical_lines
                or not s.snap_y_tolerance == s.join_x_tolerance == s.join_y_tolerance == tolerance):
            return super().get_edges()
        vertical = filter_edges(self.page.edges, "v", min_length=s.edge_min_length_prefilter)
        horizontal = filter_edges(self.page.edges, "h", min_length=s.edge_min_length_prefilter)
        explicit = [e for desc in s.explicit_horizontal_lines or [] for e in _explicit_horizontal(desc, self.page)]
        merged_before, merged_with = self.premerged or (None, None)
        n_straight = sum(1 for e in self.page.edges if e.get("orientation") in ("h", "v"))
        if merged_before is None or merged_with != tolerance or len(vertical) + len(horizontal) != n_straight:
            merged = merge_straight_edges(vertical + horizontal + explicit, tolerance)
        elif explicit:
            merged = (merge_straight_edges(horizontal + explicit, tolerance)
                      + [e for e in merged_before if e["orientation"] == "v"])
        else:
            merged = merged_before
        return filter_edges(merged, min_length=s.edge_min_length)


def merge_straight_edges(edges: list[dict[str, Any]], tolerance: float) -> list[dict[str, Any]]:
    """pdfplumber's ``merge_edges(edges, tolerance, tolerance, tolerance, tolerance)`` for horizontal and vertical
    edges: the same edges, values and order, with a dict made only for each edge of the result (pdfplumber
    copies every edge when it snaps it and again each time a join extends it).

    Snap: the distinct positions (x0 of a vertical edge, top of a horizontal one) sorted and chained where
    they lie within ``tolerance`` of the previous one; every edge of a chain moved by (chain mean - its
    position), the mean summed in the edges' order. Join: per position, edges sorted by their start and
    each extended by the next one starting within ``tolerance`` of its end. Snapping moves an edge across
    its length only, so the join reads the edges' own starts and ends.
    """
    # Every coordinate finite: then their sum is (an infinity or NaN anywhere makes it one, and the rare sum
    # of finite values that overflows only sends the edges the slow way)
    if not tolerance > 0 or not math.isfinite(sum(map(sum, map(_BOX, edges)))):
        return merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
    snapped = (_snap_shifts([e for e in edges if e["orientation"] == "v"], "x0", tolerance)
               + _snap_shifts([e for e in edges if e["orientation"] == "h"], "top", tolerance))
    snapped.sort(key=operator.itemgetter(0))  # by (orientation, snapped position), as pdfplumber groups them
    merged: list[dict[str, Any]] = []
    for (orientation, _), group in itertools.groupby(snapped, key=operator.itemgetter(0)):
        merged += _joined([(e, shift) for _, e, shift in group], orientation, tolerance)
    return merged


def _snap_shifts(edges: list[dict[str, Any]], attr: str,
                 tolerance: float) -> list[tuple[tuple[str, float], dict[str, Any], float]]:
    """pdfplumber's ``snap_objects(edges, attr, tolerance)`` as ((orientation, position after), edge, shift) in
    its order: clusters in order of position, each in edge order."""
    cluster_of: dict[float, int] = {}
    n_clusters, last = 0, None
    for value in sorted({e[attr] for e in edges}):
        if last is None or not value <= last + tolerance:
            n_clusters += 1
        cluster_of[value] = n_clusters - 1
        last = value
    clusters: list[list[dict[str, Any]]] = [[] for _ in range(n_clusters)]
    for e in edges:
        clusters[cluster_of[e[attr]]].append(e)
    orientation = "v" if attr == "x0" else "h"
    shifted = []
    for cluster in clusters:
        mean = sum(e[attr] for e in cluster) / len(cluster)
        for e in cluster:
            shift = mean - e[attr]
            shifted.append(((orientation, e[attr] + shift), e, shift))
    return shifted


def _joined(group: list[tuple[dict[str, Any], float]], orientation: str, tolerance: float) -> list[dict[str, Any]]:
    """pdfplumber's ``join_edge_group`` on snapped edges (edge, shift) of one line: joined where they meet within
    ``tolerance``; each result made as pdfplumber's ``move_object`` then ``resize_object`` calls would make it."""
    start, end = ("x0", "x1") if orientation == "h" else ("top", "bottom")
    group.sort(key=lambda item: item[0][start])
    joined: list[list[Any]] = []  # [edge, shift, end, width or (height, y0) once extended]
    for e, shift in group:
        if joined:
            last = joined[-1]
            if e[start] <= last[2] + tolerance:
                if e[end] > last[2]:
                    if orientation == "h":
                        last[3] = e[end] - last[0]["x0"]
                    else:
                        height, y0 = last[3] if last[3] is not None else (last[0]["height"], last[0].get("y0"))
                        diff = e[end] - last[2]
                        last[3] = (height + diff, None if y0 is None else y0 - diff)
                    last[2] = e[end]
                continue
        joined.append([e, shift, e[end], None])
    return [_made_edge(e, shift, orientation, extended_to, extension) for e, shift, extended_to, extension in joined]


def _made_edge(e: dict[str, Any], shift: float, orientation: str, extended_to: float, extension: Any) -> dict[str, Any]:
    new = dict(e)
    if orientation == "v":
        new["x0"], new["x1"] = e["x0"] + shift, e["x1"] + shift
    else:
        new["top"], new["bottom"] = e["top"] + shift, e["bottom"] + shift
        if "doctop" in e:
            new["doctop"] = e["doctop"] + shift
        if "y0" in e:
            new["y0"], new["y1"] = e["y0"] - shift, e["y1"] - shift
    if extension is not None:
        if orientation == "h":
            new["x1"], new["width"] = extended_to, extension
        else:
            new["bottom"], new["height"] = extended_to, extension[0]
            if "y0" in e:
                new["y0"] = extension[1]
    return new


def _explicit_horizontal(desc: Any, page: Any) -> list[dict[str, Any]]:
    """pdfplumber's horizontal edges for one ``explicit_horizontal_lines`` entry (an object or a y)."""
    if isinstance(desc, dict):
        return [e for e in obj_to_edges(desc) if e["orientation"] == "h"]
    return [{"x0": page.bbox[0], "x1": page.bbox[2], "width": page.bbox[2] - page.bbox[0], "top": desc,
             "bottom": desc, "orientation": "h"}]


def _intersections_to_cells(intersections: dict[tuple[float, float], dict[str, list]]) -> list[tuple]:
    """pdfplumber's ``intersections_to_cells``: for each intersection (in sorted order) the first cell, in
    its order of search, that has the point as its top-left corner and all four sides drawn."""
    points = sorted(intersections)
    if any(x != x or y != y for x, y in points):  # NaN: no sorted order to rely on
        return intersections_to_cells(intersections)
    vertical = {p: {obj_to_bbox(e) for e in intersections[p]["v"]} for p in points}
    horizontal = {p: {obj_to_bbox(e) for e in intersections[p]["h"]} for p in points}

    def connects(p1: tuple[float, float], p2: tuple[float, float]) -> bool:
        return ((p1[0] == p2[0] and not vertical[p1].isdisjoint(vertical[p2]))
                or (p1[1] == p2[1] and not horizontal[p1].isdisjoint(horizontal[p2])))

    # Points sharing a y, left to right: the points after one of them are the ones right of it.
    on_row: dict[float, list[tuple[float, float]]] = {}
    for point in points:
        on_row.setdefault(point[1], []).append(point)
    place_on_row = {point: k for row in on_row.values() for k, point in enumerate(row)}
    # sorted by (x, y): the points below a point (same x) directly follow it, up to its column's end
    column_end = [0] * len(points)
    for i in range(len(points) - 1, -1, -1):
        same_column = i + 1 < len(points) and points[i + 1][0] == points[i][0]
        column_end[i] = column_end[i + 1] if same_column else i + 1
    cells = []
    for i, pt in enumerate(points):
        below = points[i + 1:column_end[i]]
        right = on_row[pt[1]][place_on_row[pt] + 1:]
        cell = _smallest_cell(pt, below, right, intersections, connects)
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(pt: tuple[float, float], below: list, right: list, intersections: dict,
                   connects: Callable[[tuple[float, float], tuple[float, float]], bool]) -> tuple | None:
    for below_pt in below:
        if not connects(pt, below_pt):
            continue
        for right_pt in right:
            if not connects(pt, right_pt):
                continue
            bottom_right = (right_pt[0], below_pt[1])
            if bottom_right in intersections and connects(bottom_right, right_pt) and connects(bottom_right, below_pt):
                return (pt[0], pt[1], bottom_right[0], bottom_right[1])
    return None


def count_objects(page: Any) -> int:
    """Drawing objects on a page, forms counted with their contents; ``PageLimit`` past the caps.

    Checked before any reader looks at the page (pdfminer too): a page of 1.2 M rectangles or 200 k text
    runs is refused in milliseconds instead of taking the whole time and memory budget.
    """
    count = [0]
    for _ in _page_objects(page.raw, count):
        pass
    return count[0]


def read_page(page: Any) -> PdfiumPage:
    """The objects of a PDFium page; ``Untrusted`` where pdfminer must read it instead."""
    if page.get_rotation() % 360:
        raise Untrusted("page has /Rotate")
    left, bottom, right, top = page.get_mediabox()
    width, height = right - left, top - bottom
    to_top_left = (1.0, 0.0, 0.0, -1.0, -left, top)  # PDF space -> pdfplumber's x, top
    objects: dict[str, list[dict[str, Any]]] = {"char": [], "line": [], "rect": [], "curve": [], "image": []}
    count = [0]
    values = _Values()
    for obj, kind, matrix in _page_objects(page.raw, count, values):
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            objects_of_path = _path_objects(obj, _multiply(matrix, to_top_left), values)
            for item in objects_of_path:
                objects[item["object_type"]].append(item)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            objects["image"].append(_image_object(obj, matrix, to_top_left, values))
    textpage = page.get_textpage()
    try:
        objects["char"] = _chars(textpage.raw, left, top)
    finally:
        textpage.close()
    return PdfiumPage(width, height, objects, count[0])


# --- page objects ------------------------------------------------------------------------------------------


class _Values:
    """The ctypes values PDFium's getters write into, made once per page instead of once per object."""

    def __init__(self) -> None:
        self.matrix = pdfium_c.FS_MATRIX()
        self.ints = [ctypes.c_int() for _ in range(2)]
        self.colour = [ctypes.c_uint() for _ in range(4)]
        self.point = [ctypes.c_float() for _ in range(2)]
        self.matrix_ref = ctypes.byref(self.matrix)
        self.int_refs = [ctypes.byref(v) for v in self.ints]
        self.colour_refs = [ctypes.byref(v) for v in self.colour]
        self.point_refs = [ctypes.byref(v) for v in self.point]


def _page_objects(page_raw: Any, count: list[int],
                  values: _Values | None = None) -> Iterator[tuple[_Handle, int, Matrix]]:
    """Every object but text and forms (forms are opened: their objects count and are listed), its type and
    the matrix from its form's space to PDF page space. Characters are read from the text page instead."""
    page_raw = ctypes.cast(page_raw, ctypes.c_void_p)
    n = _count_page_objects(page_raw)
    yield from _objects(_get_page_object, page_raw, n, IDENTITY, 0, count, values or _Values())


def _objects(get: Callable[[Any, int], Any], container: Any, n: int, outer: Matrix, depth: int,
             count: list[int], values: _Values) -> Iterator[tuple[_Handle, int, Matrix]]:
    count[0] += n
    if count[0] > MAX_PAGE_OBJECTS:
        raise PageLimit("page_objects", f"more than {MAX_PAGE_OBJECTS} drawing objects on one page")
    get_type, form_type, text_type = _object_type, pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_TEXT
    for i in range(n):  # every object of the page: mostly text (WPS puts each character in one of its own)
        obj = get(container, i)
        kind = get_type(obj)
        if kind == text_type:
            continue
        if kind == form_type:
            if depth >= MAX_FORM_DEPTH:
                raise PageLimit("form_depth", f"forms nested deeper than {MAX_FORM_DEPTH}")
            inner = _multiply(_object_matrix(obj, values), outer)
            m = _count_form_objects(obj)
            yield from _objects(_get_form_object, obj, m, inner, depth + 1, count, values)
        else:
            yield obj, kind, outer


def _object_matrix(obj: _Handle, values: _Values) -> Matrix:
    if not _get_matrix(obj, values.matrix_ref):
        return IDENTITY
    m = values.matrix
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _multiply(first: Matrix, then: Matrix) -> Matrix:
    """The matrix applying ``first``, then ``then`` (PDF row-vector convention)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = then
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _colour(getter: Callable[..., Any], obj: _Handle, values: _Values) -> tuple[float, ...] | None:
    if not getter(obj, *values.colour_refs):
        return None
    r, g, b, _ = values.colour
    return (r.value / 255, g.value / 255, b.value / 255)


def _path_objects(obj: _Handle, to_page: Matrix, values: _Values) -> list[dict[str, Any]]:
    """pdfminer's objects for one painted path: split at every moveto, each classified as pdfminer does."""
    fill_mode, stroke = values.ints
    if not _draw_mode(obj, *values.int_refs):
        return []
    fill, stroked = fill_mode.value != pdfium_c.FPDF_FILLMODE_NONE, bool(stroke.value)
    a, b, c, d, e, f = _multiply(_object_matrix(obj, values), to_page)
    style = {
        "stroke": stroked, "fill": fill,
        "stroking_color": _colour(_stroke_colour, obj, values),
        "non_stroking_color": _colour(_fill_colour, obj, values),
    }
    subpaths: list[list[Any]] = []  # [shape, points] per moveto
    x, y = values.point
    x_ref, y_ref = values.point_refs
    bezier = 0
    segment_code, path_segment, segment_type, segment_point, segment_close = (
        _SEGMENT_CODE, _path_segment, _segment_type, _segment_point, _segment_close)
    for i in range(_count_segments(obj)):  # every segment of every path: the matrix applied inline
        segment = path_segment(obj, i)
        code = segment_code.get(segment_type(segment), "l")
        if code == "c":  # PDFium lists a Bézier as three points; pdfminer keeps only the end point
            bezier += 1
            if bezier % 3:
                continue
        segment_point(segment, x_ref, y_ref)
        px, py = x.value, y.value
        point = (a * px + c * py + e, b * px + d * py + f)  # _apply
        if code == "m" or not subpaths:
            subpaths.append(["", []])
        subpath = subpaths[-1]
        points = subpath[1]
        subpath[0] += code if points or code == "m" else "m"
        points.append(point)
        if segment_close(segment):
            subpath[0] += "h"
            points.append(points[0])
    return [item for shape, points in subpaths if (item := _classify(shape, points, style)) is not None]


def _classify(shape: str, pts: list[tuple[float, float]], style: dict[str, Any]) -> dict[str, Any] | None:
    """pdfminer's ``paint_path`` for one subpath: a line, a rectangle or a curve (points top-left)."""
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts = pts[:-1]
    if shape in {"mlh", "ml"}:
        kind, points = "line", pts[:2]
    elif shape in {"mlllh", "mllll"}:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        kind, points = ("rect", [pts[0], pts[2]]) if pts[0] == pts[4] and square else ("curve", pts)
    elif shape.startswith("m") and len(pts) > 1:
        kind, points = "curve", pts
    else:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    item = {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "y0": -bottom, "y1": -top, **style}
    if kind != "rect":
        item["pts"] = pts if kind == "curve" else points
    return item


def _image_object(obj: _Handle, matrix: Matrix, to_top_left: Matrix, values: _Values) -> dict[str, Any]:
    m = _multiply(_multiply(_object_matrix(obj, values), matrix), to_top_left)
    corners = [_apply(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return {"object_type": "image", "x0": min(xs), "x1": max(xs), "top": min(ys), "bottom": max(ys)}


# --- characters ---------------------------------------------------------------------------------------------


# What the PDF reader reads of a character: pdfminer's boxes carry more keys (object_type, doctop, width,
# height, upright), which these leave out; building and freeing them was ≈ 8 % of reading the characters.
CHAR_KEYS = ("text", "fontname", "size", "x0", "x1", "top", "bottom", "matrix")


def _chars(textpage: Any, left: float, top: float) -> list[dict[str, Any]]:
    """Characters as pdfminer boxes them (``CHAR_KEYS`` of them): advance wide, font size tall, bottom at the
    font's descent."""
    textpage = ctypes.cast(textpage, ctypes.c_void_p)
    n = _count_chars(textpage)
    if n > MAX_PAGE_CHARS:
        raise PageLimit("page_chars", f"more than {MAX_PAGE_CHARS} characters on one page")
    box, matrix = pdfium_c.FS_RECTF(), (ctypes.c_float * 6)()  # FS_MATRIX's six floats
    # a, b, c, d as 16 bytes: a key that tells -0.0 from 0.0 (the sign decides a turned glyph's angle)
    turn = (ctypes.c_float * 4).from_buffer(matrix)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    box_ref, ox_ref, oy_ref, matrix_ref = ctypes.byref(box), ctypes.byref(ox), ctypes.byref(oy), ctypes.byref(matrix)
    # Hot loop (every character of every page): the C functions and the style cache are bound to locals.
    is_generated, unicode_of, has_map_error, text_object = _is_generated, _unicode, _has_map_error, _text_object
    loose_box, origin, char_matrix, text_font, font_size = _loose_box, _origin, _char_matrix, _text_font, _font_size
    styles: dict[int, tuple] = {}  # per text object (WPS gives nearly every character its own)
    shared: dict[tuple, tuple] = {}  # per matrix, size and font, which those objects mostly share
    fonts: dict[int, _Font] = {}
    chars: list[dict[str, Any]] = []
    for i in range(n):
        obj = text_object(textpage, i)
        if not obj:  # the spaces and line breaks PDFium inserts (and only those) belong to no text object
            if is_generated(textpage, i) == 1:
                continue
            raise Untrusted("a character without a text object")
        code = unicode_of(textpage, i)
        if has_map_error(textpage, i) == 1 or code in (0, 0xFFFE, 0xFFFD):
            raise Untrusted("a glyph without a Unicode mapping")
        if code in (10, 13):
            continue
        style = styles.get(obj)
        if style is None:  # matrix, size and font belong to the text object, shared by its characters
            char_matrix(textpage, i, matrix_ref)
            key = (bytes(turn), font_size(textpage, i), text_font(obj) or 0)
            style = shared.get(key)
            if style is None:
                font = fonts.get(key[2])
                if font is None:
                    font = fonts[key[2]] = _Font(key[2])
                style = shared[key] = _style(*turn, key[1], font)
            styles[obj] = style
        a, b, c, d, size, font, turned, height, vertical_possible, descent = style
        origin(textpage, i, ox_ref, oy_ref)
        x, y = ox.value, oy.value
        if turned:  # turned, mirrored or at an angle: pdfminer's box of the turned em box
            chars.append(_turned_char(code, (a, b, c, d), size, font, x, y, left, top))
            continue
        # The loose box is read only where it is used: embedded fonts' advance, the vertical-writing test.
        if font.embedded or vertical_possible:
            loose_box(textpage, i, box_ref)
        # a glyph of a vertical font (Identity-V), see _is_vertical_writing: pdfminer boxes it as one em
        # square from its origin
        if vertical_possible and abs((box.right - box.left) - size) < 1e-2:
            x0, x1, y0 = x, x + height, y
        else:
            if font.embedded:
                advance = box.right - box.left
            else:
                width = font.widths.get(code)
                advance = (font.advance(code) if width is None else width) * size * a
            y0 = y + descent
            x0, x1 = x, x + advance
            if c:  # slanted (synthetic italic): pdfminer boxes the sheared em box
                low, high = font.descent * size * c, (font.descent + 1) * size * c
                x0, x1 = x + min(0.0, low, high), x + advance + max(0.0, low, high)
        char_top = top - (y0 + height)
        chars.append({  # CHAR_KEYS
            "text": chr(code), "fontname": font.id, "size": height,
            "x0": x0 - left, "x1": x1 - left, "top": char_top, "bottom": top - y0,
            "matrix": (a, 0.0, c, d, x - left, y),
        })
    return chars


def _style(a: float, b: float, c: float, d: float, size: float, font: _Font) -> tuple:
    """What the characters of one text object share: its matrix, font size and font, whether it is turned,
    the box height, whether it may be vertical writing (``_is_vertical_writing``) and the descent's offset."""
    height = size * d
    return (a, b, c, d, size, font, bool(b or a <= 0 or d <= 0), height, c == 0 and abs(a - 1.0) > 1e-3,
            font.descent * height)


def _turned_char(code: int, m: tuple[float, float, float, float], size: float, font: _Font, ox: float, oy: float,
                 left: float, top: float) -> dict[str, Any]:
    """A character whose text matrix turns or mirrors it: the corners of its advance-by-em box (from the
    font's descent) through the matrix, their bounding box, and pdfminer's ``size``, that box's height."""
    a, b, c, d = m
    advance = font.advance(code) * size
    low, high = font.descent * size, (font.descent + 1) * size
    xs = [a * u + c * v for u in (0.0, advance) for v in (low, high)]
    ys = [b * u + d * v for u in (0.0, advance) for v in (low, high)]
    x0, x1, y0, y1 = ox + min(xs), ox + max(xs), oy + min(ys), oy + max(ys)
    return {  # CHAR_KEYS
        "text": chr(code), "fontname": font.id, "size": y1 - y0,
        "x0": x0 - left, "x1": x1 - left, "top": top - y1, "bottom": top - y0, "matrix": (a, b, c, d, ox - left, oy),
    }


class _Font:
    """What the character boxes need of a font: its descent, and for a font not embedded its widths."""

    def __init__(self, handle: int) -> None:
        self.id = handle
        self.embedded = bool(_font_is_embedded(handle))
        value = ctypes.c_float()
        if not _font_descent(handle, ctypes.c_float(1.0), ctypes.byref(value)):
            raise Untrusted("a font without metrics")
        self.descent = -value.value if value.value > 0 else value.value  # pdfminer's sign rule
        self.widths: dict[int, float] = {}

    def advance(self, code: int) -> float:
        """A glyph's advance per unit of font size from the font's /W or /Widths, as pdfminer takes it.

        Needed for fonts the PDF does not embed: PDFium's loose box of their glyphs is the substitute
        font's ink box, not the advance.
        """
        width = self.widths.get(code)
        if width is None:
            value = ctypes.c_float()
            if code > 0xFFFF or not _glyph_width(self.id, code, ctypes.c_float(1.0), ctypes.byref(value)):
                raise Untrusted("a glyph without a width")
            width = self.widths[code] = value.value
        return width


def _raw_function(name: str, restype: Any, *argtypes: Any) -> Any:
    """A PDFium function with plain ctypes types: pypdfium2's typed wrappers cost more than the call."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


class _Handle(ctypes.c_void_p):
    """A PDFium handle returned as a pointer object (a subclass is not turned into an int), so it can be
    handed back to a function declared without argument types."""


def _bare_function(name: str, restype: Any) -> Any:
    """A PDFium function declared without argument types, for the calls made per character, object and path
    segment: ctypes then passes pointer objects (``_Handle``, ``c_void_p``, ``byref``) as pointers and
    Python ints as C ints, which is all these take (a handle, an index under 2**31, out-parameters), and a
    call costs about 0.19 instead of 0.30 µs. Never pass one a bare int handle: it would be cut to 32 bits."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype)(address)


_PTR, _INT = ctypes.c_void_p, ctypes.c_int
_is_generated = _bare_function("FPDFText_IsGenerated", _INT)
_unicode = _bare_function("FPDFText_GetUnicode", ctypes.c_uint)
_has_map_error = _bare_function("FPDFText_HasUnicodeMapError", _INT)
_text_object = _bare_function("FPDFText_GetTextObject", _PTR)  # an int: a key, passed on typed
_loose_box = _bare_function("FPDFText_GetLooseCharBox", _INT)
_origin = _bare_function("FPDFText_GetCharOrigin", _INT)
_count_chars = _bare_function("FPDFText_CountChars", _INT)
_char_matrix = _bare_function("FPDFText_GetMatrix", _INT)
_font_size = _bare_function("FPDFText_GetFontSize", ctypes.c_double)
_text_font = _raw_function("FPDFTextObj_GetFont", _PTR, _PTR)  # the font handle as an int (the characters' fontname)
_font_is_embedded = _raw_function("FPDFFont_GetIsEmbedded", _INT, _PTR)
_font_descent = _raw_function("FPDFFont_GetDescent", _INT, _PTR, ctypes.c_float, _PTR)
_glyph_width = _raw_function("FPDFFont_GetGlyphWidth", _INT, _PTR, ctypes.c_uint32, ctypes.c_float, _PTR)
_count_segments = _bare_function("FPDFPath_CountSegments", _INT)
_path_segment = _bare_function("FPDFPath_GetPathSegment", _Handle)
_segment_point = _bare_function("FPDFPathSegment_GetPoint", _INT)
_segment_type = _bare_function("FPDFPathSegment_GetType", _INT)
_segment_close = _bare_function("FPDFPathSegment_GetClose", _INT)
_count_page_objects = _bare_function("FPDFPage_CountObjects", _INT)
_get_page_object = _bare_function("FPDFPage_GetObject", _Handle)
_count_form_objects = _bare_function("FPDFFormObj_CountObjects", _INT)
_get_form_object = _raw_function("FPDFFormObj_GetObject", _Handle, _PTR, ctypes.c_ulong)
_object_type = _bare_function("FPDFPageObj_GetType", _INT)
_get_matrix = _bare_function("FPDFPageObj_GetMatrix", _INT)
_draw_mode = _bare_function("FPDFPath_GetDrawMode", _INT)
_stroke_colour = _bare_function("FPDFPageObj_GetStrokeColor", _INT)
_fill_colour = _bare_function("FPDFPageObj_GetFillColor", _INT)


def _is_vertical_writing(box: Any, size: float, a: float) -> bool:
    """PDFium's loose box of a vertical-font glyph is one unscaled em wide (a horizontal glyph's is its
    scaled advance), so under a scaled text matrix the two cannot be confused. (Written out in ``_chars``.)"""
    return abs(a - 1.0) > 1e-3 and abs((box.right - box.left) - size) < 1e-2
