"""CMS-family adapters, one module per family, found by module: adding a family is adding one file.

Each module satisfies the ``Family`` contract below: a ``FAMILY`` description (name, title, registry
aliases, URL patterns, fingerprints, notes, tie-break priority) and two functions,
``list_pages(ctx, column, first) -> Iterator[ListPage]`` (pagination and where items hide) and
``continuation_pages(article_url, html) -> list[str]`` (multi-page articles). ``detect_family`` scores
the ``fingerprints`` (regexes over the entry URL + page) when the registry gives no hint; the module
marked ``fallback`` is used when nothing matches.
"""

from __future__ import annotations

import pkgutil
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import import_module
from typing import Any, NotRequired, Protocol, TypedDict, cast, runtime_checkable


class FamilyInfo(TypedDict):
    name: str
    title: str
    aliases: list[str]  # registry spellings (scraping.md §4.2), besides the name itself
    url_patterns: list[str]
    fingerprints: list[str]
    notes: str
    priority: int  # lower wins a tie of fingerprint counts
    fallback: NotRequired[bool]


@runtime_checkable
class Family(Protocol):
    """What a family module provides (checked when it is loaded)."""

    FAMILY: FamilyInfo

    def list_pages(self, ctx: Any, column: Any, first: Any) -> Iterator[Any]: ...

    def continuation_pages(self, article_url: str, html: str) -> list[str]: ...


@lru_cache(maxsize=None)
def families() -> dict[str, Family]:
    """Every family module of this package by name, in tie-break order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = import_module(f"{__name__}.{info.name}")
        if not isinstance(module, Family):
            raise TypeError(f"{module.__name__} is not a CMS family: it needs FAMILY, list_pages and "
                            "continuation_pages")
        found.append(cast(Family, module))
    found.sort(key=lambda m: (m.FAMILY.get("fallback", False), m.FAMILY["priority"], m.FAMILY["name"]))
    return {m.FAMILY["name"]: m for m in found}


def family_module(name: str) -> Family:
    known = families()
    if name not in known:
        raise KeyError(f"unknown CMS family {name!r}; known: {tuple(known)}")
    return known[name]


def family_aliases() -> dict[str, str]:
    """Registry spelling → family name (every name is its own alias)."""
    return {alias: name for name, m in families().items() for alias in (name, *m.FAMILY.get("aliases", ()))}


def fallback_family() -> str:
    return next(name for name, m in families().items() if m.FAMILY.get("fallback"))


def family_scores(url: str, html: str) -> dict[str, int]:
    """How many of each family's fingerprints the entry URL + page show."""
    text = url + "\n" + html
    return {name: sum(1 for p in m.FAMILY["fingerprints"] if re.search(p, text, re.I))
            for name, m in families().items()}


def detect_family(url: str, html: str) -> str:
    """The family with the most fingerprints (ties: the lower priority); the fallback when none match."""
    scores = family_scores(url, html)
    best = max(scores, key=lambda n: scores[n])  # dict order is tie-break order: max keeps the first
    return best if scores[best] > 0 else fallback_family()


def describe_families() -> list[FamilyInfo]:
    return [m.FAMILY for m in families().values()]
