"""The bytes of every served document.

Report bodies come from helper B's renderer (``demo.render.render_report``) and values from
``demo.values.generate_report``; while those are missing (they were written in parallel) a plain
placeholder keeps the servers usable. The formats the renderer does not produce on purpose — a WPS/DOC
(OLE) file, an OFD zip, a scanned image-only PDF, a PNG 图片版, a pre-2019 report — are made here:
the crawler must archive them and extraction must call them unsupported or scanned.
"""

from __future__ import annotations

import html
import io
import logging
import zipfile
from datetime import date, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

REAL_DIR = Path(__file__).resolve().parent.parent / "data" / "real"

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/kswps",
    "ofd": "application/ofd",
    "png": "image/png",
    "scan-pdf": "application/pdf",
    "pre2019-html": "text/html; charset=utf-8",
}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "wps": "wps", "ofd": "ofd", "png": "png", "scan-pdf": "pdf"}

# Leading bytes of a Compound File Binary (OLE2) document: .doc, .wps, .xls all start like this.
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def generate_values(agency: str, region: str, year: int, version: str, seed: int, *, t3_version=None,
                    scale: int = 100, blanks: bool = False) -> dict:
    try:
        from demo.values import generate_report
    except ImportError:  # helper B's module not there yet
        return _placeholder_values(agency, region, year, version, t3_version)
    return generate_report(agency, region, year, version, seed, scale=scale, t3_version=t3_version,
                           blanks=blanks)


def render(values: dict, fmt: str, quirks: tuple[str, ...] = (), published: date | None = None) -> bytes:
    """Render a report dict as html/pdf/docx through demo.render, or a placeholder when it is absent."""
    try:
        from demo.render import render_report
    except ImportError:
        return _placeholder(values, fmt)
    from demo.render.quirks import QUIRKS
    # the rest (multipage, link styles, utf8_header...) are how a site serves the page, not the document
    renderer_quirks = tuple(q for q in quirks if q in QUIRKS)
    return render_report(values, fmt, renderer_quirks, published=published)


def _placeholder_values(agency, region, year, version, t3_version) -> dict:
    return {"report": {"agency": agency, "region": region, "year": year, "format_version": version,
                       "title": f"{agency}{year}年政府信息公开工作年度报告"},
            "tables": {}, "placeholder": True, "t3_version": t3_version}


def _placeholder(values: dict, fmt: str) -> bytes:
    title = values["report"]["title"]
    if fmt == "html":
        return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
                f"<body><div class=\"TRS_Editor\"><h1>{html.escape(title)}</h1><p>（占位正文）</p></div>"
                "</body></html>").encode("utf-8")
    if fmt == "pdf":
        return text_pdf([title, "（占位正文）"])
    if fmt == "docx":
        import docx
        d = docx.Document()
        d.add_heading(title, 1)
        buf = io.BytesIO()
        d.save(buf)
        return buf.getvalue()
    raise ValueError(fmt)


def text_pdf(lines: list[str]) -> bytes:
    """A small text PDF with a CJK font (reportlab's built-in STSong CID font, no font files needed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    y = 800
    for line in lines:
        c.setFont("STSong-Light", 12)
        c.drawString(60, y, line)
        y -= 20
    c.save()
    return buf.getvalue()


def ole_document(values: dict) -> bytes:
    """A WPS/DOC-like file: the OLE2 header and sector padding, then the title in UTF-16 like Word stores it.

    Not a valid Word file — what matters for the pipeline is that magic-byte sniffing says "OLE"
    and extraction answers ``unsupported`` instead of crashing or guessing.
    """
    header = OLE_MAGIC + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(512 - 32)
    text = values["report"]["title"].encode("utf-16-le")
    return header + text + bytes(-len(text) % 512)


def ofd_document(values: dict) -> bytes:
    """A minimal OFD package (GB/T 33190: XML in a ZIP with OFD.xml at the root)."""
    title = html.escape(values["report"]["title"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (
            ("OFD.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
                        f'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:Title>{title}</ofd:Title>'
                        '</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'),
            ("Doc_0/Document.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:Document '
                                   'xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Pages><ofd:Page ID="1" '
                                   'BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>'),
            ("Doc_0/Pages/Page_0/Content.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:Page '
                                               f'xmlns:ofd="http://www.ofdspec.org/2016"><!-- {title} --></ofd:Page>'),
        ):
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 20, 9, 0, 0))
            z.writestr(info, text)
    return buf.getvalue()


def page_image(values: dict, width: int = 620, height: int = 877):
    """A grey "photograph" of a report page: ruled table lines, no text a machine could read."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (width, height), 236)
    draw = ImageDraw.Draw(img)
    seed = sum(values["report"]["title"].encode("utf-8"))
    for i in range(8):  # paragraph smudges
        draw.rectangle((60, 60 + i * 22, width - 60 - (seed * (i + 1)) % 120, 70 + i * 22), fill=150)
    for r in range(18):  # the 表三 grid
        draw.line((50, 300 + r * 28, width - 50, 300 + r * 28), fill=40, width=1)
    for c in range(9):
        x = 50 + c * (width - 100) // 8
        draw.line((x, 300, x, 300 + 17 * 28), fill=40, width=1)
    return img


def png_document(values: dict) -> bytes:
    buf = io.BytesIO()
    page_image(values).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def scanned_pdf(values: dict) -> bytes:
    """An image-only PDF (no text layer), as a scanner produces: extraction must say "scanned"."""
    buf = io.BytesIO()
    fixed = datetime(2025, 1, 20, 9, 0, 0).timetuple()  # PIL stamps "now" otherwise: bytes must not depend on the clock
    page_image(values).convert("RGB").save(buf, format="PDF", resolution=72.0, creationDate=fixed, modDate=fixed)
    return buf.getvalue()


def pre2019_html(agency: str, year: int) -> bytes:
    """A report under the 2007 条例 (its own section names); the extractor must mark it unsupported."""
    title = f"{agency}{year}年政府信息公开工作年度报告"
    body = (
        "<p>本报告根据《中华人民共和国政府信息公开条例》（国务院令第492号）要求编制。</p>"
        "<h3>一、概述</h3><p>本年度，我县认真贯彻落实政府信息公开各项工作要求。</p>"
        "<h3>二、主动公开政府信息的情况</h3><p>全年主动公开政府信息1236条。</p>"
        "<h3>三、依申请公开政府信息情况</h3><p>全年共受理政府信息公开申请18件，均已按时答复。</p>"
        "<h3>四、政府信息公开的收费及减免情况</h3><p>未收取任何费用。</p>"
        "<h3>五、因政府信息公开申请行政复议、提起行政诉讼的情况</h3><p>无。</p>"
        "<h3>六、政府信息公开工作存在的主要问题及改进情况</h3><p>略。</p>"
    )
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<div id=\"zoom\"><h1>{title}</h1>{body}</div></body></html>").encode("utf-8")


def to_gbk(body: bytes) -> bytes:
    """Re-encode a UTF-8 page as GBK with a gb2312 meta (the renderer's ``gbk`` quirk does this too)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body  # already GBK
    for decl in ('<meta charset="utf-8">', "<meta charset='utf-8'>", 'charset=utf-8'):
        text = text.replace(decl, '<meta charset="gb2312">' if decl.startswith("<") else "charset=gb2312")
    return text.encode("gbk", errors="xmlcharrefreplace")


def real_bytes(name: str) -> bytes:
    return (REAL_DIR / name).read_bytes()
