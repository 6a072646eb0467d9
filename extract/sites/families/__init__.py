"""CMS-family adapters, one module per family, found by module name.

Each module declares ``FAMILY = {"name", "title", "url_patterns", "fingerprints", "notes"}`` and two
functions: ``list_pages(ctx, column, first) -> Iterator[ListPage]`` (pagination and where items hide)
and ``continuation_pages(article_url, html) -> list[str]`` (multi-page articles). ``detect_family``
scores the ``fingerprints`` (regexes over the entry URL + page) when the registry gives no hint.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import import_module
from types import ModuleType

FAMILY_NAMES = ("trs", "gd", "hanweb", "doc", "generic")  # generic last: the fallback


@lru_cache(maxsize=None)
def family_module(name: str) -> ModuleType:
    if name not in FAMILY_NAMES:
        raise KeyError(f"unknown CMS family {name!r}; known: {FAMILY_NAMES}")
    return import_module(f"{__name__}.{name}")


def family_scores(url: str, html: str) -> dict[str, int]:
    """How many of each family's fingerprints the entry URL + page show."""
    text = url + "\n" + html
    return {name: sum(1 for p in family_module(name).FAMILY["fingerprints"] if re.search(p, text, re.I))
            for name in FAMILY_NAMES}


def detect_family(url: str, html: str) -> str:
    """The family with the most fingerprints; ``generic`` when none match."""
    scores = family_scores(url, html)
    best = max(FAMILY_NAMES, key=lambda n: (scores[n], -FAMILY_NAMES.index(n)))
    return best if scores[best] > 0 else "generic"


def describe_families() -> list[dict]:
    return [family_module(name).FAMILY for name in FAMILY_NAMES]
