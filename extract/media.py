"""File type by magic bytes, never by extension or Content-Type: an HTML error page served as ``.pdf`` is
normal input. One sniffer for the crawler (what did the server send?) and the extractor (which reader?)."""

from __future__ import annotations

import io
import re
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
DOC = "application/msword"  # OLE compound file: .doc, .wps, .xls (not read)
OFD = "application/ofd"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
RTF = "application/rtf"
XML = "application/xml"
JSON = "application/json"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
EMPTY = "application/x-empty"
UNKNOWN = "application/octet-stream"

READABLE = frozenset({PDF, DOCX, HTML})
IMAGES = frozenset({PNG, JPEG, GIF})

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|table|div|p|ul|script)\b",
                         re.I | re.S)


def sniff(data: bytes) -> str:
    """The media type the bytes really are."""
    if not data:
        return EMPTY
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    for magic, kind in ((_OLE_MAGIC, DOC), (b"\x89PNG", PNG), (b"\xff\xd8\xff", JPEG), (b"GIF87a", GIF),
                        (b"GIF89a", GIF), (b"{\\rtf", RTF)):
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return _text_kind(_as_ascii_head(data))


def _as_ascii_head(data: bytes) -> bytes:
    """The first 8 KiB as single-byte text: UTF-16 pages (with or without BOM) are HTML too."""
    head = data[:8192]
    if head.startswith(_UTF16_BOMS) or _looks_utf16(head):
        try:
            text = head.decode("utf-16" if head.startswith(_UTF16_BOMS) else _utf16_order(head), errors="ignore")
        except LookupError:
            return head
        return text.encode("ascii", errors="ignore")
    return head.lstrip(b"\xef\xbb\xbf")


def utf16_codec(data: bytes) -> str | None:
    """``utf-16`` (BOM), ``utf-16-le``/``-be`` (no BOM, told by where the zero bytes are) or None: how a
    text file saved as "Unicode" (Notepad, some CMS exports) must be decoded."""
    head = data[:8192]
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    return _utf16_order(head) if _looks_utf16(head) else None


def _looks_utf16(head: bytes) -> bool:
    sample = head[:200]
    return len(sample) >= 8 and (sample[1::2].count(0) > len(sample) * 0.4 or sample[0::2].count(0) > len(sample) * 0.4)


def _utf16_order(head: bytes) -> str:
    return "utf-16-le" if head[1:200:2].count(0) >= head[0:200:2].count(0) else "utf-16-be"


def _text_kind(head: bytes) -> str:
    text = head.lstrip(b" \t\r\n")
    if text.startswith(b"<?xml") and not re.search(rb"<html", text[:1024], re.I):
        return XML
    if _HTML_START.match(text) or re.search(rb"<html|<table|<body", text, re.I):
        return HTML
    if text[:1] in (b"{", b"["):
        return JSON
    return UNKNOWN


def _zip_kind(data: bytes) -> str:
    try:
        names = {n.lower() for n in zipfile.ZipFile(io.BytesIO(data)).namelist()}
    except (zipfile.BadZipFile, ValueError, OSError):
        return ZIP
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if any(n.endswith("ofd.xml") for n in names):
        return OFD
    return ZIP
