"""HTML report pages → ``Document``: running text in reading order and tables as expanded grids.

District CMS pages wrap the article in layout tables and put an 索引号 metadata table above it, so only
tables that contain no other table are treated as data tables; a layout table is walked like a <div>.
Inside a table, text the browser does not show (inline ``display:none``, Word's ``mso-hide:all``) and
deleted or struck-out text (``<del>``, ``<s>``, ``<strike>``, Word's tracked changes) is not cell text.
"""

from __future__ import annotations

import logging
import re

import lxml.etree
import lxml.html

from extract import media
from extract.documents import ocr
from extract.documents.model import Cell, Document, DocumentError, RawTable, TextBlock

logger = logging.getLogger(__name__)

MEDIA_TYPE = "text/html"
MAX_SPAN = 60  # a hostile colspan="100000" must not blow up the grid
MAX_GRID_CELLS = 20000

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header footer nav table tbody thead tfoot "
    "tr td th center blockquote pre form hr address figure figcaption main aside caption".split()
)
SKIP_TAGS = frozenset("script style noscript head template iframe object embed svg select button".split())
_META_KEYS = ("ArticleTitle", "PubDate", "ContentSource", "SiteName", "ColumnName", "Keywords", "Description")
_INDEX_KEYS = re.compile(r"^(索\s*引\s*号|发布机构|发文机关|信息来源|来源|生成日期|发布日期|发文日期|公开日期|成文日期|"
                         r"主题分类|文\s*号)[:：]?$")
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """Decode page bytes honouring the declared charset, reading GB2312/GBK as GB18030.

    Sites declare gb2312 but use GBK-only characters (镕, 堃), and some declare utf-8 while sending GBK.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    utf16 = media.utf16_codec(data)
    if utf16:  # before the charset: a UTF-16 page's <meta charset> cannot be matched byte-wise
        return data.decode(utf16, errors="replace").lstrip("\ufeff")
    m = _CHARSET_RE.search(data[:4096])
    declared = m.group(1).decode("ascii", "ignore").lower() if m else ""
    candidates = []
    if declared in ("gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80"):
        candidates.append("gb18030")
    elif declared:
        candidates.append(declared)
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", errors="replace")


def read_html(data: bytes) -> Document:
    """Parse an HTML report page."""
    text = decode_html(data)
    if not text.strip():
        raise DocumentError("empty_html", "the HTML page is empty")
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise DocumentError("broken_html", f"cannot parse HTML: {exc}") from exc
    doc = Document(media_type=MEDIA_TYPE)
    _read_head(root, doc)
    body = root.find("body")
    walker = _Walker(doc)
    walker.walk(body if body is not None else root)
    walker.flush()
    _read_index_table(doc)
    return doc


def _read_head(root, doc: Document) -> None:
    title = root.findtext(".//title")
    if title and title.strip():
        doc.title = re.sub(r"\s+", " ", title).strip()
    for meta in root.iter("meta"):
        name = meta.get("name") or meta.get("property") or ""
        if name in _META_KEYS and meta.get("content"):
            doc.meta[name] = meta.get("content").strip()
    if doc.meta.get("ArticleTitle"):
        doc.title = doc.meta["ArticleTitle"]


def _read_index_table(doc: Document) -> None:
    """Pick up 索引号/发布机构/发布日期 key-value pairs from small metadata tables."""
    for table in doc.tables:
        for r in range(table.n_rows):
            cells = table.distinct_cells(r)
            for key_cell, value_cell in zip(cells, cells[1:]):
                key = re.sub(r"\s+", "", key_cell.text)
                if _INDEX_KEYS.match(key) and value_cell.text.strip():
                    doc.meta.setdefault(key.rstrip(":："), value_cell.text.strip())
            for cell in cells:  # "发布机构：某某局" in one cell
                m = re.match(r"^\s*(索引号|发布机构|发文机关|发布日期|生成日期|发文日期|公开日期|成文日期)"
                             r"\s*[:：]\s*(\S.*)$", cell.text)
                if m:
                    doc.meta.setdefault(m.group(1), m.group(2).strip())


_HIDDEN_STYLE = re.compile(r"(^|;)\s*(display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all)", re.IGNORECASE)


def _is_hidden(el) -> bool:
    """An element the browser does not show (inline style or ``hidden`` attribute).

    Word's "save as web page" writes hidden text as ``<span style='display:none;mso-hide:all'>``; inside a
    table cell such a span would add digits to the number that is printed.
    """
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style") or ""))


# Deleted or struck-out text: Word's "save as web page" writes tracked changes as <del>old</del><ins>new</ins>;
# inside a cell the old number would be glued to the new one (660663).
_STRUCK_TAGS = frozenset(("del", "s", "strike"))
_STRUCK_STYLE = re.compile(r"text-decoration(-line)?\s*:[^;]*line-through", re.IGNORECASE)


def _is_struck(el) -> bool:
    return el.tag.lower() in _STRUCK_TAGS or bool(_STRUCK_STYLE.search(el.get("style") or ""))


def _is_data_table(el) -> bool:
    return el.tag == "table" and next(el.iterdescendants("table"), None) is None


class _Walker:
    """Walks the DOM in document order, emitting text lines and data tables."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.parts: list[str] = []
        self.n_tables = 0
        self.link_depth = 0  # inside <a href>
        self.plain_chars = 0  # visible characters of the current line outside links

    def add(self, text: str) -> None:
        self.parts.append(text)
        if not self.link_depth:
            self.plain_chars += len(text.strip())

    def flush(self) -> None:
        line = re.sub(r"[ \t\r\f\v\u00a0]+", " ", "".join(self.parts)).strip()
        self.parts = []
        link, self.plain_chars = self.plain_chars == 0, 0
        if line:
            # A line that is all link text is a list entry of the page chrome (other reports, related
            # articles): kept as text, but never a title candidate.
            self.doc.blocks.append(TextBlock(line, link=link))

    def walk(self, el) -> None:
        if not isinstance(el.tag, str):  # comments, processing instructions
            return
        tag = el.tag.lower()
        if tag in SKIP_TAGS:
            return
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            self.flush()
            if not ocr.add_html_picture(self.doc, el.get("src")):  # a table pictured beside a saved page
                self.doc.images.append((len(self.doc.blocks), el.get("src") or ""))
            return
        if _is_data_table(el):
            self.flush()
            table = grid_from_table(el, self.n_tables, self.doc.warnings)
            self.n_tables += 1
            if table.n_rows:
                self.doc.blocks.append(table)
            return
        is_block = tag in BLOCK_TAGS
        if tag in ("h1", "h2") and self.doc.meta.get("HeadingTag", "h9") > tag:
            # The article's own heading: a better title candidate than link lists in the page chrome.
            # The first <h1> wins over an earlier <h2> (a sidebar box caption such as 相关信息).
            heading = re.sub(r"\s+", "", "".join(el.itertext()))
            if heading:
                self.doc.meta["Heading"] = heading
                self.doc.meta["HeadingTag"] = tag
        if is_block:
            self.flush()
        is_link = tag == "a" and el.get("href") is not None
        self.link_depth += is_link
        if el.text:
            self.add(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.add(child.tail)
        self.link_depth -= is_link
        if is_block:
            self.flush()


def cell_text(el) -> str:
    """Text of a table cell with <br> and block children as line breaks."""
    parts: list[str] = []

    def visit(node) -> None:
        if not isinstance(node.tag, str):
            if node.tail:
                parts.append(node.tail)
            return
        tag = node.tag.lower()
        if tag in SKIP_TAGS or (node is not el and (_is_hidden(node) or _is_struck(node))):
            if node.tail:
                parts.append(node.tail)
            return
        if tag == "sup" and node is not el:
            # A superscript is a footnote reference (36<sup>1</sup>), never more digits of the number.
            note = "".join(node.itertext()).strip()
            parts.append(f"[注{note}]" if note else "")
            if node.tail:
                parts.append(node.tail)
            return
        if tag == "br":
            parts.append("\n")
        elif tag in BLOCK_TAGS and parts:
            parts.append("\n")
        if node.text and tag != "br":
            parts.append(node.text)
        for child in node:
            visit(child)
        if node.tail and node is not el:
            parts.append(node.tail)

    visit(el)
    text = "".join(parts).replace("\u00a0", " ").replace("\u3000", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(re.sub(r"\D", "", value or "1") or 1), MAX_SPAN))
    except ValueError:
        return 1


def grid_from_table(table_el, index: int, warnings: list[str] | None = None) -> RawTable:
    """Expand rowspan/colspan into a rectangular grid of Cell references.

    A grid growing past ``MAX_GRID_CELLS`` is cut there, and said in ``warnings`` (a ``reader`` issue):
    a cut table may have lost rows the report needs.
    """
    rows = [tr for tr in table_el.iter("tr") if _nearest_table(tr) is table_el and not _is_hidden(tr)]
    grid: list[list[Cell | None]] = []
    slots = 0  # sum(len(row) for row in grid), kept as it grows: summing per cell is quadratic
    for r, tr in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        tds = [td for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th") and not _is_hidden(td)]
        for k, td in enumerate(tds):
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            rowspan = min(_span(td.get("rowspan")), max(1, len(rows) - r))
            colspan = _span(td.get("colspan"))
            cell = Cell(
                text=cell_text(td), row=r, col=c, rowspan=rowspan, colspan=colspan,
                path=f"table[{index}]/tr[{r}]/td[{k}]",
            )
            for rr in range(r, r + rowspan):
                while len(grid) <= rr:
                    grid.append([])
                row = grid[rr]
                if len(row) < c + colspan:
                    slots += c + colspan - len(row)
                    row.extend([None] * (c + colspan - len(row)))
                for cc in range(c, c + colspan):
                    if row[cc] is None:
                        row[cc] = cell
            c += colspan
            if slots > MAX_GRID_CELLS:
                logger.warning("table %d: grid larger than %d cells, truncated", index, MAX_GRID_CELLS)
                if warnings is not None:
                    warnings.append(f"table {index + 1} has more than {MAX_GRID_CELLS:,} cells; read only up to "
                                    f"row {r + 1}")
                return _rectangular(grid, index)
    return _rectangular(grid, index)


def _nearest_table(el):
    for anc in el.iterancestors("table"):
        return anc
    return None


def _rectangular(grid: list[list[Cell | None]], index: int) -> RawTable:
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend([None] * (width - len(row)))
    grid = [row for row in grid if any(c is not None for c in row)]
    return RawTable(grid=grid, index=index)
