"""Read a Word (.docx) file into a ``Document``: paragraphs and tables in body order.

Word stores a merged cell twice over: ``gridSpan`` widens one ``<w:tc>`` across grid columns, and
``vMerge`` marks the cells below a ``restart`` cell as its continuation. Both are expanded into the
``RawTable`` grid, so a merged label cell occupies every slot it covers, as in the PDF reader.

Cell text is read from the XML rather than through python-docx's ``Table.cell`` API, which repeats a
merged cell's text and hides which ``<w:tc>`` a value came from; ``path`` (``table[2]/tr[5]/tc[3]``,
1-based like XPath) points at the element itself.

Text that Word does not print is not read: deleted revisions (``w:del``, rows marked ``w:trPr/w:del``),
the old side of moves, hidden runs (``w:vanish``) and struck-out runs (``w:strike``/``w:dstrike``). Tables
inside a text box are read where the box is anchored (once: the VML fallback copy is skipped).
"""

from __future__ import annotations

import functools
import io
import logging
import zipfile
from dataclasses import dataclass
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from extract.documents import ocr
from extract.documents.model import Cell, Document, DocumentError, RawTable, TextBlock

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W_NS, "mc": MC_NS}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .docx is an OLE container holding an "EncryptionInfo" stream (name stored in UTF-16).
OLE_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
# Run-level elements that carry text, in document order; text boxes anchored in a paragraph are not
# part of its text (they float outside the reading order and Word keeps a second copy for old readers).
# Tracked moves keep the old text in w:moveFrom; only the new place (w:moveTo) is printed.
# Hidden text (run property w:vanish, "font > hidden") is neither shown nor printed: a hidden "1" before
# "26" must not make it 126.
# Struck-out text (w:strike, w:dstrike) is how a number is "deleted" without track changes: 660 struck
# before 663 is not 660663.
_ON = "[not(@w:val) or not(@w:val='0' or @w:val='false' or @w:val='off')]"
_HIDDEN_RUN = f"ancestor::w:r[w:rPr/w:vanish{_ON} or w:rPr/w:strike{_ON} or w:rPr/w:dstrike{_ON}]"
_SKIP = f"not(ancestor::w:moveFrom) and not({_HIDDEN_RUN})"
TEXT_XPATH = etree.XPath(
    f".//w:t[{_SKIP}] | .//w:tab[{_SKIP} and ancestor::w:r] | .//w:br[{_SKIP}] | .//w:cr[{_SKIP}]",
    namespaces=NS,
)
# Text boxes anchored in a paragraph; Word writes each twice (DrawingML in mc:Choice, VML in mc:Fallback).
TEXT_BOXES = etree.XPath(".//w:txbxContent[not(ancestor::mc:Fallback) and not(ancestor::w:txbxContent)]",
                         namespaces=NS)
# Caps, as in the HTML reader: a few KB of XML can ask for billions of grid slots (gridSpan="60000" on
# every cell, merged down 400 rows). Word itself allows 63 columns; real report tables have < 1000 cells.
MAX_GRID_SPAN = 63
MAX_TABLE_CELLS = 100_000  # expanded grid slots of one table
MAX_DOCUMENT_CELLS = 1_000_000  # of all tables together
# Content controls and custom XML wrap ordinary body content; their children are read in place.
WRAPPERS = {f"{{{W_NS}}}sdt", f"{{{W_NS}}}sdtContent", f"{{{W_NS}}}customXml", f"{{{W_NS}}}smartTag"}


def read_docx(data: bytes) -> Document:
    """Read .docx bytes into a ``Document``; raise ``DocumentError`` if the file cannot be read."""
    _check_docx_bytes(data)
    try:
        word = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise DocumentError("broken_docx", f"DOCX could not be opened: {type(exc).__name__}: {exc}") from exc
    doc = Document(media_type=MEDIA_TYPE, title=_core_title(word))
    reader = _BodyReader(doc, part=word.part)
    reader.read_children(word.element.body)
    for index, table in enumerate(doc.tables):
        table.index = index
    return doc


def _check_docx_bytes(data: bytes) -> None:
    if not data:
        raise DocumentError("broken_docx", "empty file (0 bytes)")
    if data.startswith(OLE_MAGIC):
        if OLE_ENCRYPTION_STREAM in data:
            raise DocumentError("encrypted", "DOCX is password-protected (encrypted OLE container)")
        raise DocumentError("broken_docx", "legacy Word .doc (OLE) file, not a DOCX")
    if not data.startswith(b"PK"):
        raise DocumentError("broken_docx", f"not a DOCX: no ZIP header (starts with {data[:16]!r})")


def _core_title(word: Any) -> str | None:
    try:
        title = (word.core_properties.title or "").strip()
    except Exception:  # a malformed core.xml only costs us the title
        logger.debug("core properties unreadable", exc_info=True)
        return None
    return title or None


@functools.cache
def _compiled(expression: str) -> Any:
    return etree.XPath(expression, namespaces=NS)


def _xpath(element: Any, expression: str) -> list[Any]:
    # python-docx's element classes override .xpath() with their own signature; a compiled
    # XPath works on any lxml element.
    return _compiled(expression)(element)


def _tag(element: Any) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else ""


_P_TAG = f"{{{W_NS}}}p"


def _paragraph_text(p: Any) -> str:
    parts = []
    elements = [el for el in TEXT_XPATH(p) if next(el.iterancestors(_P_TAG), None) is p]
    # Text raised above the rest of the paragraph (w:position, how LibreOffice/WPS write a superscript
    # and how "raised" text is set by hand) prints as a superscript too.
    baseline = min((_raised(el) for el in elements if _tag(el) == "t" and (el.text or "").strip()), default=0)
    for el in elements:
        name = _tag(el)
        if name == "t":
            # A superscript run is a footnote reference (26 + ¹), never more digits of the number.
            sup = el.text and (_is_superscript(el) or _raised(el) > max(baseline, 0))
            parts.append(f"[注{el.text}]" if sup else (el.text or ""))
        elif name == "tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts).strip()


def _raised(t: Any) -> int:
    """How far the run of ``t`` is raised (w:position, half-points; 0 if not set or not a number)."""
    for v in t.getparent().iterfind(f"{{{W_NS}}}rPr/{{{W_NS}}}position"):
        try:
            return int(v.get(f"{{{W_NS}}}val", "0"))
        except ValueError:
            return 0
    return 0


def _is_superscript(t: Any) -> bool:
    run = t.getparent()
    return any(v.get(f"{{{W_NS}}}val") == "superscript" for v in run.iterfind(f"{{{W_NS}}}rPr/{{{W_NS}}}vertAlign"))


def _int_attr(element: Any, expression: str, default: int) -> int:
    found = _xpath(element, expression)
    if not found:
        return default
    try:
        return max(int(found[0]), 0)
    except ValueError:
        return default


@dataclass
class _BodyReader:
    """Walks body content in order, appending TextBlocks and RawTables to ``doc``."""

    doc: Document
    n_tables: int = 0
    n_cells: int = 0
    part: Any = None  # the document part: its related parts hold the pictures OCR reads

    def read_children(self, parent: Any, path_prefix: str = "") -> None:
        for child in parent.iterchildren():
            name = _tag(child)
            if name == "p":
                text = _paragraph_text(child)
                if text:
                    self.doc.blocks.append(TextBlock(text=text))
                if _has_picture(child) and not ocr.add_word_pictures(self.doc, child, self.part):
                    self.doc.images.append((len(self.doc.blocks), f"Word picture {len(self.doc.images) + 1}"))
                self.read_text_box_tables(child, path_prefix)
            elif name == "tbl":
                self.read_table(child, path_prefix)
            elif child.tag in WRAPPERS:
                self.read_children(child, path_prefix)

    def read_text_box_tables(self, p: Any, path_prefix: str) -> None:
        """Tables inside a text box anchored in paragraph ``p``, read where the box is anchored.

        Only the tables: a text box's loose paragraphs (letterheads, stamps, side notes) float outside
        the reading order and stay unread.
        """
        for box in TEXT_BOXES(p):
            for tbl in _tables_in(box):
                self.read_table(tbl, f"{path_prefix}txbx/")

    def read_table(self, tbl: Any, path_prefix: str) -> None:
        self.n_tables += 1
        path = f"{path_prefix}table[{self.n_tables}]"
        grid, nested = _table_grid(tbl, path)
        self.n_cells += sum(len(row) for row in grid)
        if self.n_cells > MAX_DOCUMENT_CELLS:
            raise DocumentError("parser_limit", f"the tables of this DOCX expand to more than {MAX_DOCUMENT_CELLS:,} "
                                "cells; not read", limit="docx_document_cells")
        if _is_layout_wrapper(grid, nested):
            # A one-cell table used only to frame the real content: read what is inside it.
            self.read_children(nested[0][1], f"{path}/tr[1]/tc[1]/")
            return
        if grid:
            self.doc.blocks.append(RawTable(grid=grid))
        for tc_path, tc in nested:
            for inner in tc.iterchildren(f"{{{W_NS}}}tbl"):
                self.read_table(inner, f"{tc_path}/")


def _is_layout_wrapper(grid: list[list[Cell | None]], nested: list[tuple[str, Any]]) -> bool:
    cells = {id(c) for row in grid for c in row if c is not None}
    return len(cells) == 1 and len(nested) == 1


def _children(parent: Any, name: str) -> list[Any]:
    """Child elements ``w:<name>`` of ``parent``, looking through content controls and custom XML."""
    found = []
    for child in parent.iterchildren():
        if _tag(child) == name:
            found.append(child)
        elif child.tag in WRAPPERS:
            found.extend(_children(child, name))
    return found


# Images only (a:blip in DrawingML, v:imagedata in VML): a w:drawing may also be a text box or a shape.
_PICTURE = etree.XPath(".//a:blip | .//v:imagedata", namespaces={
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main", "v": "urn:schemas-microsoft-com:vml"})


def _has_picture(p: Any) -> bool:
    """A paragraph holding an image (DrawingML or the old VML picture), e.g. a table pasted as a picture."""
    return bool(_PICTURE(p))


def _tables_in(parent: Any) -> list[Any]:
    return _children(parent, "tbl")


def _is_deleted_row(tr: Any) -> bool:
    """A row deleted with track changes on: not part of the document as it now reads."""
    return bool(_xpath(tr, "./w:trPr/w:del"))


def _rows(tbl: Any) -> list[Any]:
    return [tr for tr in _children(tbl, "tr") if not _is_deleted_row(tr)]


def _cells(tr: Any) -> list[Any]:
    return _children(tr, "tc")


def _table_grid(tbl: Any, path: str) -> tuple[list[list[Cell | None]], list[tuple[str, Any]]]:
    """The expanded grid of one ``<w:tbl>`` and the cells that hold nested tables."""
    n_grid_cols = len(_xpath(tbl, "./w:tblGrid/w:gridCol"))
    rows: list[list[Cell | None]] = []
    nested: list[tuple[str, Any]] = []
    widest = n_grid_cols
    for r, tr in enumerate(_rows(tbl)):
        row: list[Cell | None] = [None] * min(_int_attr(tr, "./w:trPr/w:gridBefore/@w:val", 0), MAX_GRID_SPAN)
        for i, tc in enumerate(_cells(tr), start=1):
            tc_path = f"{path}/tr[{r + 1}]/tc[{i}]"
            span = min(max(_int_attr(tc, "./w:tcPr/w:gridSpan/@w:val", 1), 1), MAX_GRID_SPAN)
            col = len(row)
            above = _merge_target(tc, rows, r, col, span)
            left = _horizontal_merge_target(tc, row)
            if above is not None:
                above.rowspan = r - above.row + 1
                row.extend([above] * span)
            elif left is not None:
                left.colspan += span
                row.extend([left] * span)
            else:
                cell = Cell(text=_cell_text(tc), row=r, col=col, colspan=span, path=tc_path)
                row.extend([cell] * span)
            if _xpath(tc, "./w:tbl"):
                nested.append((tc_path, tc))
            if len(row) > widest:  # one row of a million cells is caught here, not after it
                _check_table_size(path, len(rows) + 1, len(row))
        rows.append(row)
        widest = max(widest, len(row))
        _check_table_size(path, len(rows), widest)
    width = widest if rows else 0
    for row in rows:
        row.extend([None] * (width - len(row)))
    return rows, nested


def _check_table_size(path: str, n_rows: int, width: int) -> None:
    """Stop before a table's grid (rows × widest row, as it is padded) passes ``MAX_TABLE_CELLS``."""
    if n_rows * width > MAX_TABLE_CELLS:
        raise DocumentError("parser_limit", f"{path} expands to more than {MAX_TABLE_CELLS:,} cells ({n_rows} rows "
                            f"× {width} columns); not read", limit="docx_table_cells")


def _horizontal_merge_target(tc: Any, row: list[Cell | None]) -> Cell | None:
    """The cell to the left that this ``<w:tc>`` continues (legacy hMerge, Word 97 files), if any."""
    h_merge = _xpath(tc, "./w:tcPr/w:hMerge")
    if not h_merge or h_merge[0].get(f"{{{W_NS}}}val", "continue") == "restart" or not row:
        return None
    left = row[-1]
    return left if left is not None and left.rowspan == 1 else None


def _merge_target(tc: Any, rows: list[list[Cell | None]], r: int, col: int, span: int) -> Cell | None:
    """The cell above that this ``<w:tc>`` continues (vMerge without "restart"), if any."""
    v_merge = _xpath(tc, "./w:tcPr/w:vMerge")
    if not v_merge or v_merge[0].get(f"{{{W_NS}}}val", "continue") == "restart" or r == 0:
        return None
    above_row = rows[r - 1]
    if col >= len(above_row):
        return None
    above = above_row[col]
    # Only the cell that ends in the row just above can be continued; anything else is a file
    # that says "continue" where nothing starts, which Word renders as a plain cell.
    if above is None or above.row + above.rowspan != r or above.col != col or above.colspan != span:
        return None
    return above


def _cell_text(tc: Any) -> str:
    """The cell's own paragraphs joined by newlines (nested tables are read as tables of their own)."""
    texts = (_paragraph_text(p) for p in _cell_paragraphs(tc))
    return "\n".join(t for t in texts if t)


def _cell_paragraphs(parent: Any) -> list[Any]:
    """The cell's paragraphs, including those inside content controls (form-like templates)."""
    paras = []
    for child in parent.iterchildren():
        if _tag(child) == "p":
            paras.append(child)
        elif child.tag in WRAPPERS:
            paras.extend(_cell_paragraphs(child))
    return paras
