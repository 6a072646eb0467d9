"""Scans and pictures of a rendered report, as district sites publish them.

* ``scan_pdf``: every page of a rendered PDF printed and scanned — 150 dpi grey, turned by a degree or
  so, paper noise, JPEG, optionally a red seal (grey in the scan) pressed over a statistics table —
  and put back together as an image-only PDF (no text layer), like ``report_scanned.pdf``.
* ``table_pictures``: each statistics table of the rendered PDF cut out as a PNG, the screenshot an
  editor pastes into a CMS article or a Word file.
* ``pictured_html`` / ``pictured_docx``: the report as a web page or Word file whose statistics
  sections hold those pictures instead of tables.

Deterministic: the same report, seed and options give the same bytes.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter

SCAN_DPI = 150
# Headings of the three statistics sections; each section's tables are pictured under its heading.
SECTIONS = ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况")


def scan_pdf(pdf: bytes, *, seed: int = 0, turn: float | None = None, noise: float = 6.0, jpeg_quality: int = 70,
             stamp: bool = False) -> bytes:
    """The PDF as an image-only scan (see the module docstring); ``turn`` in degrees, random ±1.5 if None."""
    rng = random.Random(seed)
    pages = []
    document = pdfium.PdfDocument(pdf)
    for index in range(len(document)):
        page = document[index]
        gray = np.asarray(page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L"), dtype=np.float32)
        image = Image.fromarray(_paper(gray, rng, noise))
        if stamp and index in _table_pages(pdf):
            image = _seal(image, rng)
        angle = turn if turn is not None else rng.uniform(-1.5, 1.5)
        image = image.rotate(angle, resample=Image.BICUBIC, fillcolor=int(np.median(np.asarray(image))))
        pages.append(_jpeg(image, jpeg_quality))
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=SCAN_DPI)
    return out.getvalue()


def _paper(gray: np.ndarray, rng: random.Random, noise: float) -> np.ndarray:
    """Grey paper, slightly faded ink, sensor noise."""
    noisy = 0.9 * gray + 18 + np.random.default_rng(rng.randrange(2**32)).normal(0, noise, gray.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("L")


def _table_pages(pdf: bytes) -> set[int]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return {i for i, page in enumerate(doc.pages) if page.find_tables()}


def _seal(image: Image.Image, rng: random.Random) -> Image.Image:
    """A round red seal pressed over the right part of the page's table: a ring, a star and an inner
    ring, printed in red — which a grey scan turns into a mid-grey, partly transparent mark."""
    w, h = image.size
    r = int(w * 0.09)
    cx, cy = int(w * rng.uniform(0.55, 0.75)), int(h * rng.uniform(0.35, 0.65))
    layer = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(layer)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=max(3, r // 12))
    draw.ellipse((cx - r * 0.75, cy - r * 0.75, cx + r * 0.75, cy + r * 0.75), outline=255, width=2)
    star = [(cx + r * 0.3 * np.cos(a) * (1 if k % 2 == 0 else 0.45), cy + r * 0.3 * np.sin(a) * (1 if k % 2 == 0 else 0.45))
            for k, a in enumerate(np.linspace(-np.pi / 2, 1.5 * np.pi, 11)[:10])]
    draw.polygon(star, fill=255)
    layer = layer.filter(ImageFilter.GaussianBlur(1))
    red_as_grey = 150  # luminance of seal red
    paper = np.asarray(image, dtype=np.float32)
    alpha = np.asarray(layer, dtype=np.float32) / 255 * 0.55
    # Ink below stays visible through the seal: the darker of the two wins, blended.
    mixed = np.minimum(paper, paper * (1 - alpha) + red_as_grey * alpha)
    return Image.fromarray(mixed.astype(np.uint8))


def table_pictures(pdf: bytes, *, dpi: int = SCAN_DPI) -> dict[str, list[bytes]]:
    """PNG pictures of the ruled tables of a rendered PDF, grouped by the statistics section above them."""
    pictures: dict[str, list[bytes]] = {s: [] for s in SECTIONS}
    section = None
    document = pdfium.PdfDocument(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for index, page in enumerate(doc.pages):
            image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            marks = [(line["top"], ("heading", line["text"].replace(" ", ""))) for line in page.extract_text_lines()]
            marks += [(t.bbox[1], ("table", t.bbox)) for t in page.find_tables()]
            for _, (kind, what) in sorted(marks, key=lambda m: m[0]):
                if kind == "heading":
                    found = next((s for s in SECTIONS if what.startswith(s)), None)
                    if found or re.match(r"^[五六][、.．]", what):
                        section = found
                elif section is not None:
                    x0, top, x1, bottom = (v * dpi / 72 for v in what)
                    crop = image.crop((int(x0) - 8, int(top) - 8, int(x1) + 8, int(bottom) + 8))
                    buf = io.BytesIO()
                    crop.save(buf, "PNG")
                    pictures[section].append(buf.getvalue())
    return pictures


def pictured_html(html: bytes, pictures: dict[str, list[bytes]]) -> tuple[bytes, dict[str, bytes]]:
    """The web page with each statistics section's tables replaced by ``<img>`` of its pictures, and the
    picture files by name (saved beside the page, as a browser's "save page" does)."""
    text = html.decode("utf-8")
    files: dict[str, bytes] = {}
    for k, section in enumerate(SECTIONS):
        start = text.find(section)
        end = min((text.find(s, start + 1) for s in [*SECTIONS[k + 1:], "五、"] if text.find(s, start + 1) > 0),
                  default=len(text))
        names = [f"page_files/table{k + 2}_{i + 1}.png" for i in range(len(pictures[section]))]
        files.update(zip(names, pictures[section]))
        images = "".join(f'<p><img src="{name}" alt="表"></p>' for name in names)
        body = re.sub(r"<table\b.*?</table>", "", text[start:end], flags=re.S)
        body = body.replace("</p>", "</p>" + images, 1) if "</p>" in body else body + images
        text = text[:start] + body + text[end:]
    return text.encode("utf-8"), files


def pictured_docx(docx: bytes, pictures: dict[str, list[bytes]]) -> bytes:
    """The Word file with each statistics section's tables replaced by paragraphs holding its pictures."""
    import docx as python_docx
    from docx.shared import Cm

    word = python_docx.Document(io.BytesIO(docx))
    body = word.element.body
    section_of_table = {}
    current = None
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")).replace(" ", "")
            current = next((s for s in SECTIONS if text.startswith(s)), current if not re.match(r"^[五六]、", text)
                           else None)
        elif tag == "tbl" and current is not None:
            section_of_table[child] = current
    placed = set()
    for table, section in section_of_table.items():
        if section not in placed:
            for picture in pictures[section]:
                paragraph = word.add_paragraph()
                paragraph.add_run().add_picture(io.BytesIO(picture), width=Cm(16))
                table.addprevious(paragraph._p)
            placed.add(section)
        body.remove(table)
    out = io.BytesIO()
    word.save(out)
    assert zipfile.is_zipfile(io.BytesIO(out.getvalue()))
    return out.getvalue()
