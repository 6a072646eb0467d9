"""Traditional → simplified characters, through OpenCC's t2s conversion (dictionaries ship in the wheel).

Mirror sites and 繁體 pages print the same report in traditional characters; every label, title, agency
and region is read through this one module (``transform``), agency keys use it (``warehouse.agencies``) and so
does the crawler's re-post fingerprint (``extract.crawl.dedupe``), so a report reads the same in either script.

Only text that is written in traditional characters is converted. OpenCC's t2s also rewrites characters
that are valid simplified in their own right — the county 乾县 would become 干县 — so a text counts as
traditional only when it holds a character that has a simplified form *and* lies outside GB2312 (the
simplified character set: 屬, 國, 請 are outside it; 乾, 後, 於 are inside, for names).
"""

from __future__ import annotations

from functools import cache, lru_cache

import opencc


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def _is_traditional_char(ch: str) -> bool:
    if ch < "\u2e80":  # ASCII, punctuation, full-width forms: nothing to convert
        return False
    try:
        ch.encode("gb2312")
        return False
    except UnicodeEncodeError:
        return _converter().convert(ch) != ch


def is_traditional(text: str, at_least: int = 1) -> bool:
    """Does ``text`` hold ``at_least`` different characters only traditional script uses (屬, 國, 請…)?

    A whole page asks for a few: a simplified page may name a person or place with one such character
    (李昇, 崑山), which must not turn the page's 乾县 into 干县.
    """
    seen: set[str] = set()
    for ch in text or "":
        if ch not in seen and _is_traditional_char(ch):
            seen.add(ch)
            if len(seen) >= at_least:
                return True
    return False


def simplified_forms(characters: set[str]) -> set[str]:
    """The simplified forms of those of ``characters`` that only traditional script uses (開 → 开)."""
    return {convert(ch) for ch in characters if _is_traditional_char(ch)}


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """``text`` in simplified characters when it is written in traditional ones; otherwise unchanged."""
    if not text or not is_traditional(text):
        return text
    return _converter().convert(text)


def convert(text: str) -> str:
    """``text`` through t2s unconditionally: for the pieces of a document already known to be traditional
    (a block of it may hold only characters both scripts share, such as 反覆)."""
    return _converter().convert(text) if text else text
