"""The word-position reader's line grouping and word joining, checked against the plain versions they speed up.

``group_lines`` skips lines that end above a word and writes min/max out; ``words_from_chars`` joins a lone
character without the general loop. Both must give exactly what the plain scan gives, on random boxes and on
every page of the real reports.
"""

from __future__ import annotations

import random

import pypdfium2 as pdfium
import pytest

from extract.documents import pdfium_page, wordgrid
from extract.documents.wordgrid import Word

from .truth_tables import real_reports_dir


def plain_group_lines(words: list[Word]) -> list[list[Word]]:
    lines = wordgrid._group_by_scan(sorted(words, key=lambda w: (w.y0 + w.y1) / 2))
    for line in lines:
        line.sort(key=lambda w: w.x0)
    lines.sort(key=lambda line: min(w.y0 for w in line))
    return lines


def plain_words_from_chars(chars: list[dict], gap_share: float = 1.0) -> list[Word]:
    words = []
    for line in plain_group_lines([Word(c["text"], c["x0"], c["top"], c["x1"], c["bottom"]) for c in chars
                                   if c["text"].strip()]):
        current: list[Word] = []
        for ch in line:
            if current and ch.x0 - current[-1].x1 > gap_share * max(current[-1].height, ch.height):
                words.append(plain_join(current))
                current = []
            current.append(ch)
        if current:
            words.append(plain_join(current))
    return words


def plain_join(chars: list[Word]) -> Word:
    text = ""
    for i, c in enumerate(chars):
        if i and c.x0 - chars[i - 1].x1 > 0.25 * c.height and (c.text.isascii() and text[-1:].isascii()):
            text += " "
        text += c.text
    return Word(text, min(c.x0 for c in chars), min(c.y0 for c in chars), max(c.x1 for c in chars),
                max(c.y1 for c in chars), min(c.score for c in chars))


def boxes(lines: list[list[Word]]) -> list[list[tuple]]:
    return [[(w.text, w.x0, w.y0, w.x1, w.y1, w.score) for w in line] for line in lines]


@pytest.mark.parametrize("seed", range(5))
def test_lines_are_grouped_as_the_plain_scan_groups_them(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        words = []
        for k in range(rng.randint(1, 60)):
            top = rng.choice([rng.uniform(0, 200), float(rng.randrange(0, 200, 12))])
            height = rng.choice([0.0, rng.uniform(1, 14), 10.5])
            x0 = rng.uniform(0, 400)
            words.append(Word(str(k % 10), x0, top, x0 + rng.uniform(0, 12), top + height))
        assert boxes(wordgrid.group_lines(list(words))) == boxes(plain_group_lines(list(words)))


def real_pages() -> list:
    pages = []
    for path in sorted(real_reports_dir().glob("*/report*.pdf")):
        if "scanned" in path.name:
            continue
        doc = pdfium.PdfDocument(path.read_bytes())
        for page in doc:
            pages.append(pdfium_page.read_page(page).chars)
            page.close()
        doc.close()
    return pages


def test_words_of_every_real_report_page_are_joined_as_before() -> None:
    pages = real_pages()
    assert len(pages) > 50
    for chars in pages:
        got, expected = wordgrid.words_from_chars(chars), plain_words_from_chars(chars)
        assert boxes([got]) == boxes([expected])
        assert boxes(wordgrid.group_lines(got)) == boxes(plain_group_lines(expected))
