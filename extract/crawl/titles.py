"""Report-title recognition, driven by ``titles.yaml`` (patterns are data, not code)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from extract import hanzi

TITLES_FILE = Path(__file__).with_name("titles.yaml")


@lru_cache(maxsize=1)
def _rules() -> dict:
    rules = yaml.safe_load(TITLES_FILE.read_text(encoding="utf-8"))
    return {
        "must": [re.compile(p) for p in rules["report"]["must_match_any"]],
        "year_or_topic": [re.compile(p) for p in rules["report"]["year_or_topic"]],
        "decoys": [(re.compile(d["pattern"]), d["why"]) for d in rules["decoys"]],
        "subcolumn": [re.compile(p, re.I) for p in rules["subcolumn"]],
        "pager": re.compile(rules["pager"], re.I),
        "attachment_ext": tuple(rules["attachment_ext"]),
        "download_paths": [re.compile(p, re.I) for p in rules["download_paths"]],
    }


def clean_title(title: str | None) -> str:
    return re.sub(r"\s+", " ", title or "").strip()


def _matchable(title: str | None) -> str:
    """The title as the patterns read it: cleaned, and in simplified characters (a 繁體 site's 年度報告)."""
    return hanzi.to_simplified(clean_title(title))


def decoy_reason(title: str | None) -> str | None:
    """Why a title is a known false friend (``website_form``, ``guide``, ``budget``...), or None."""
    text = _matchable(title)
    for pattern, why in _rules()["decoys"]:
        if pattern.search(text):
            return why
    return None


def website_form_pattern() -> re.Pattern:
    """The decoy pattern of a 政府网站工作年度报表 (the website's yearly form, not the 信息公开 report)."""
    return next(pattern for pattern, why in _rules()["decoys"] if why == "website_form")


def is_report_title(title: str | None) -> bool:
    """年度报告/年报 plus a year (or 信息公开 when the year is only in the body), and not a decoy."""
    text = _matchable(title)
    rules = _rules()
    if not any(p.search(text) for p in rules["must"]):
        return False
    if not any(p.search(text) for p in rules["year_or_topic"]):
        return False
    return decoy_reason(text) is None


def looks_like_subcolumn(title: str | None) -> bool:
    text = _matchable(title)
    return bool(text) and len(text) <= 30 and any(p.search(text) for p in _rules()["subcolumn"])


def is_pager_text(title: str | None) -> bool:
    return bool(_rules()["pager"].match(_matchable(title)))


def attachment_extensions() -> tuple[str, ...]:
    return _rules()["attachment_ext"]


def download_path_patterns() -> list[re.Pattern]:
    """Paths of download servlets, whose URL names no file (``/servlet/DownloadServlet?fileId=12``)."""
    return _rules()["download_paths"]
