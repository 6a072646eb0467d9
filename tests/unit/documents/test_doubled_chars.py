"""Fake-bold copies are dropped by the one pass over a page's characters exactly as the plain rule says: a
character goes when a character kept before it has the same text, font and size (to two decimals) and lies
within a point of it; slanted text goes with a warning, upright and right-angled text stays."""

from __future__ import annotations

import random

import pytest

from extract.documents.model import Document
from extract.documents.pdf import DEDUPE_TOLERANCE, _without_doubled_and_slanted_chars


def plain_dedupe(chars: list[dict]) -> list[dict]:
    kept: list[dict] = []
    for ch in chars:
        if not any(k["text"] == ch["text"] and k["fontname"] == ch["fontname"]
                   and round(k["size"], 2) == round(ch["size"], 2)
                   and abs(k["x0"] - ch["x0"]) <= DEDUPE_TOLERANCE and abs(k["top"] - ch["top"]) <= DEDUPE_TOLERANCE
                   for k in kept):
            kept.append(ch)
    return kept


def random_chars(rng: random.Random, n: int) -> list[dict]:
    chars = []
    for _ in range(n):
        if chars and rng.random() < 0.4:  # a copy of an earlier character, moved a little (or not)
            ch = dict(rng.choice(chars))
            ch["x0"] += rng.choice([0.0, 0.3, -0.9, 1.0, 1.2])
            ch["top"] += rng.choice([0.0, 0.5, -1.0, 1.5])
            ch["size"] += rng.choice([0.0, 0.001, 0.01])
            ch["fontname"] = rng.choice([ch["fontname"], ch["fontname"], "F9"])
        else:
            ch = {"text": rng.choice("总计01的"), "fontname": rng.choice(["F1", "F2"]), "size": rng.choice([10.5, 12.0]),
                  "x0": float(rng.randrange(0, 40)), "top": float(rng.randrange(0, 10)) + rng.random()}
        ch["matrix"] = (1.0, 0.0, 0.0, 1.0, ch["x0"], ch["top"])
        chars.append(ch)
    return chars


@pytest.mark.parametrize("seed", range(5))
def test_copies_are_dropped_as_the_plain_rule_drops_them(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        chars = random_chars(rng, rng.randint(0, 60))
        kept, upright = _without_doubled_and_slanted_chars(chars, 1, Document(media_type="application/pdf"))
        assert [id(c) for c in kept] == [id(c) for c in plain_dedupe(chars)]
        assert upright


def test_slanted_text_is_dropped_with_a_warning_and_sideways_text_kept() -> None:
    doc = Document(media_type="application/pdf")
    chars = [{"text": t, "fontname": "F1", "size": 10.0, "x0": 10.0 * i, "top": 0.0, "matrix": m}
             for i, (t, m) in enumerate([("内", (0.8, 0.6, -0.6, 0.8, 0, 0)), ("办", (0.0, 1.0, -1.0, 0.0, 0, 0)),
                                         ("1", (1.0, 0.0, 0.0, 1.0, 0, 0))])]
    kept, upright = _without_doubled_and_slanted_chars(chars, 3, doc)
    assert [c["text"] for c in kept] == ["办", "1"] and not upright
    assert doc.warnings == ["page 3: ignored 1 slanted characters (watermark?): 内"]
