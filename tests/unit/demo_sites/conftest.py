import re
from html import unescape
from urllib.parse import unquote, urljoin

import pytest

from demo.sites import DemoWorld


@pytest.fixture(scope="session")
def world():
    return DemoWorld(seed=7)


@pytest.fixture(scope="session")
def live(world):
    """Day 1, fast delays. Tests must not switch its day (use world.serve for that)."""
    with world.serve(day=1, fast=True) as running:
        yield running


_LINK = re.compile(r"""(?:href|src|data-url)\s*=\s*["']([^"']+)["']|openFile\('([^']+)'\)|window\.open\('([^']+)'\)"""
                   r"""|location\.href='([^']+)'"""
                   r"""|"(?:url|post_url)":\s*"([^"]+)\"""")


def links_in(page_url: str, text: str) -> set[str]:
    """Every link a crawler could take from a page: href/src, onclick openFile, window.open, JSON url,
    pdf.js viewer?file=, resolved against the page URL, as path?query."""
    out = set()
    for groups in _LINK.findall(text):
        raw = unescape(next(g for g in groups if g))
        if "viewer.html?file=" in raw:
            raw = unquote(raw.split("file=", 1)[1])
        absolute = urljoin(page_url, raw)
        path = re.sub(r"^https?://[^/]+", "", absolute)
        out.add(path)
    return out


def expected(world, day, **filters):
    return [e for e in world.expected_reports(day) if all(getattr(e, k) == v for k, v in filters.items())]
