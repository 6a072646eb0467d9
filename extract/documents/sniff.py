"""File type by magic bytes, never by extension: an HTML error page served as ``.pdf`` is normal input."""

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
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
EMPTY = "application/x-empty"
UNKNOWN = "application/octet-stream"

READABLE = frozenset({PDF, DOCX, HTML})
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|table|div|p|script)\b", re.I | re.S)


def sniff(data: bytes) -> str:
    """The media type the bytes really are."""
    if not data:
        return EMPTY
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return DOC
    if head.startswith(b"\x89PNG"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    text = head.lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(text) or re.search(rb"<html|<table|<body", data[:8192], re.I):
        return HTML
    return UNKNOWN


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return ZIP
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "OFD.xml" in names or any(n.lower().endswith("ofd.xml") for n in names):
        return OFD
    return ZIP
