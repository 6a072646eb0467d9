"""What a document reader hands to ``transform``: text blocks and raw table grids in reading order.

Every reader (PDF, HTML, DOCX) produces a ``Document``. Nothing here knows about the statistics
tables: a ``RawTable`` is a physical table with merged cells expanded into a rectangular grid, and
each grid slot points at the ``Cell`` that covers it, so the transform stage can both see the grid
(header structure) and report lineage (page, bbox or path, raw text) for every value.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    """One printed table cell.

    ``text`` is the text as printed, line breaks kept as ``\\n``. A merged cell appears once as an object
    but occupies ``rowspan`` x ``colspan`` grid slots of its table.
    """

    text: str
    row: int  # grid row of the top-left slot
    col: int  # grid column of the top-left slot
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None  # 1-based PDF page; None for HTML / DOCX
    bbox: tuple[float, float, float, float] | None = None  # PDF points (x0, top, x1, bottom)
    path: str | None = None  # HTML / DOCX locator, e.g. "table[3]/tr[5]/td[2]"
    # Read by OCR from a picture: {"confidence": lowest word score, "box": [x0, y0, x1, y1] px in the
    # picture, "image": which picture}. None for text read from a text layer or markup.
    ocr: dict | None = None


@dataclass
class RawTable:
    """A physical table: ``grid[r][c]`` is the Cell covering that slot (None where nothing was drawn)."""

    grid: list[list[Cell | None]]
    page: int | None = None  # page of the first row (PDF)
    last_page: int | None = None
    index: int = 0  # order of the table in the document

    @property
    def n_rows(self) -> int:
        return len(self.grid)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.grid), default=0)

    def row_texts(self, r: int) -> list[str]:
        """Texts of row ``r``, one per grid slot (a merged cell's text repeats in each slot)."""
        return [c.text if c is not None else "" for c in self.grid[r]]

    def distinct_cells(self, r: int) -> list[Cell]:
        """The cells of row ``r`` left to right, each merged cell once."""
        seen: list[Cell] = []
        for c in self.grid[r]:
            if c is not None and (not seen or seen[-1] is not c) and all(c is not s for s in seen):
                seen.append(c)
        return seen


@dataclass
class TextBlock:
    """A paragraph or line of running text (outside tables)."""

    text: str
    page: int | None = None
    link: bool = False  # HTML: the whole line is hyperlink text (a sidebar/related-list entry, not the article)


@dataclass
class Document:
    """A parsed document: its blocks in reading order plus what a reader learned about the file."""

    media_type: str
    blocks: list[TextBlock | RawTable] = field(default_factory=list)
    title: str | None = None  # <title>, meta ArticleTitle, PDF/DOCX metadata title
    meta: dict[str, str] = field(default_factory=dict)  # e.g. ArticleTitle, PubDate, 索引号, 发布机构
    n_pages: int | None = None
    pages_without_text: list[int] = field(default_factory=list)  # PDF pages with no text layer
    ocr_pages: list[int] = field(default_factory=list)  # PDF pages whose text was read by OCR
    ocr_pictures: list[str] = field(default_factory=list)  # pictures (Word, web page) whose tables OCR read
    # Pictures in the text (HTML <img>): (number of blocks before it, src). Some agencies publish the
    # statistics tables as images; placed among the blocks, they show under which heading they stand.
    images: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # reader-level problems worth an issue
    # how the file was read (not problems): e.g. PDF pages left to pdfminer
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[RawTable]:
        return [b for b in self.blocks if isinstance(b, RawTable)]

    @property
    def text(self) -> str:
        """All running text (not table text), blocks joined by newlines."""
        return "\n".join(b.text for b in self.blocks if isinstance(b, TextBlock))


def place_on_article_page(doc: Document, page_no: int) -> Document:
    """Mark the cells of page ``page_no`` of a multi-page article (TRS ``…_1.shtml``): their paths start with
    ``page[N]/`` (``page[2]/table[0]/tr[3]/td[1]``), since each page counts its tables from 0 and a bare
    path would name a cell of page 1. Page 1 keeps bare paths."""
    if page_no > 1:
        for table in doc.tables:
            for cell in {id(c): c for row in table.grid for c in row if c is not None}.values():
                if cell.path is not None and not cell.path.startswith("page["):
                    cell.path = f"page[{page_no}]/{cell.path}"
    return doc


class DocumentError(Exception):
    """A file that cannot be read at all (encrypted, truncated, not what its type claims)."""

    def __init__(self, code: str, message: str, limit: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.limit = limit  # with code "parser_limit": which cap was hit (e.g. "docx_table_cells")
