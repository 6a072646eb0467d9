"""Label matchers compiled from schema.yaml: which printed label is which canonical row or column.

All patterns and words come from the schema (``match`` regexes applied to normalized labels, and the
``vocabulary`` section: header words, label hints, comparison words); this module only compiles them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from transform.schema import (LABEL_CACHE_SIZE, T3, T4, VERSIONS, layout, load_schema, normalize_label, t2_table_ids,
                              vocabulary)

# Words that only occur in the header rows of 表三 / 表四.
T3_HEADER_WORDS = tuple(vocabulary("t3_header_words"))
T4_WORDS = tuple(vocabulary("t4_header_words"))
# Trailing hints some provinces append to labels, e.g. Hubei's "(指2019年事项数)"; the official
# "(区分处理的,只计这一情形,不计其他情形)" is left alone because no pattern depends on it.
_HINT = re.compile(r"\((" + "|".join(map(re.escape, vocabulary("label_hint_openers"))) + r")[^()]*\)$")


# The matchers below are pure functions of a cell's printed text and are asked of every cell, often of the
# same text (labels repeat within a report and across reports): their answers are kept.
_per_text = lru_cache(maxsize=LABEL_CACHE_SIZE)


@_per_text
def norm(text: str) -> str:
    """Normalized label text for matching."""
    return _HINT.sub("", normalize_label(text))


@dataclass(frozen=True)
class RowPattern:
    table_id: str
    code: str
    regex: re.Pattern
    group: str | None
    versions: tuple[str, ...]


@cache
def t3_row_patterns() -> tuple[RowPattern, ...]:
    spec = load_schema()["tables"][T3]
    return tuple(
        RowPattern(T3, r["code"], re.compile(r["match"]), r.get("group"), tuple(r["versions"])) for r in spec["rows"]
    )


@cache
def t3_group_patterns() -> dict[str, re.Pattern]:
    groups = load_schema()["tables"][T3]["groups"]
    return {name: re.compile(g["match"]) for name, g in groups.items()}


@cache
def t3_column_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((c.code, re.compile(c.match)) for c in layout(T3, "gov2021").columns)


@cache
def t4_column_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((c.code, re.compile(c.match)) for c in layout(T4, "gov2021").columns)


@cache
def t4_group_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    # Most specific first: 复议后起诉 also contains 复议.
    rows = {r.code: r for r in layout(T4, "gov2021").rows}
    order = ("litigation_after_review", "litigation_direct", "review")
    return tuple((code, re.compile(rows[code].match)) for code in order)


@cache
def t2_captions() -> tuple[tuple[str, re.Pattern], ...]:
    tables = load_schema()["tables"]
    return tuple((t, re.compile(tables[t]["caption_match"])) for t in t2_table_ids())


@cache
def t2_row_patterns() -> tuple[RowPattern, ...]:
    out: dict[tuple[str, str], RowPattern] = {}
    for tid in t2_table_ids():
        for version in VERSIONS:
            lay = layout(tid, version)
            if lay is None:
                continue
            for row in lay.rows:
                key = (tid, row.code)
                prev = out.get(key)
                versions = (prev.versions if prev else ()) + (version,)
                out[key] = RowPattern(tid, row.code, re.compile(row.match), None, versions)
    return tuple(out.values())


@_per_text
def match_t2_caption(text: str) -> str | None:
    t = norm(text)
    return next((tid for tid, rx in t2_captions() if rx.search(t)), None)


@_per_text
def match_t2_row(text: str) -> RowPattern | None:
    t = norm(text)
    return next((p for p in t2_row_patterns() if p.regex.search(t)), None)


@_per_text
def match_t3_group(text: str) -> str | None:
    t = norm(text)
    return next((g for g, rx in t3_group_patterns().items() if rx.search(t) and g != "results"), None)


@_per_text
def t3_candidates(text: str) -> tuple[RowPattern, ...]:
    t = norm(text)
    return tuple(p for p in t3_row_patterns() if p.regex.search(t))


@_per_text
def is_t3_header_text(text: str) -> bool:
    t = norm(text)
    return any(w in t for w in T3_HEADER_WORDS)


@cache
def _note_column() -> re.Pattern:
    return re.compile(load_schema()["normalization"]["note_column_match"])


@_per_text
def is_note_column(text: str) -> bool:
    """A remarks column (备注, 说明) that some agencies add beside the template's columns."""
    return bool(_note_column().search(norm(text)))


@cache
def version_fingerprints() -> dict[str, tuple[str, ...]]:
    """Normalized header words that only one format version prints (schema ``format_versions.*.fingerprints``)."""
    return {v: tuple(norm(f) for f in spec.get("fingerprints", []))
            for v, spec in load_schema()["format_versions"].items() if v in VERSIONS}


@_per_text
def is_t4_text(text: str) -> bool:
    t = norm(text)
    return any(w in t for w in T4_WORDS)


# A column or row for another period than the report's own (上年, 2022年, 同比, 增减…), printed beside this
# year's figures for comparison. The gov2019 template's own 上一年项目数量 / 本年增/减 are official labels.
_COMPARISON_WORDS = "(" + "|".join(map(re.escape, vocabulary("comparison_words"))) + ")"
_COMPARISON = re.compile("^" + _COMPARISON_WORDS)
_COMPARISON_ANYWHERE = re.compile(_COMPARISON_WORDS)
_OFFICIAL_COMPARISON = re.compile(vocabulary("official_comparison_labels"))
_YEAR = re.compile(r"((?:19|20)\d\d)年")
_CURRENT = re.compile("^(" + "|".join(map(re.escape, vocabulary("current_period_words"))) + ")")


def comparison_label(text: str, year: int | None = None, *, anywhere: bool = False) -> bool:
    """Does a header or row label name another period than the report year (上年, 同比, 2022年…)?

    ``anywhere``: also look inside the label ("行政规范性文件(2022年)", "上年行政许可") — for row labels of
    表二/表四 only, never for 表三 rows (二、上年结转… is official).
    """
    t = norm(text)
    if not t or _OFFICIAL_COMPARISON.search(t):
        return False
    if (_COMPARISON_ANYWHERE if anywhere else _COMPARISON).search(t):
        return True
    years = {int(y) for y in _YEAR.findall(t)}
    return year is not None and bool(years) and year not in years and (anywhere or bool(_YEAR.match(t)))


def years_named(text: str) -> set[int]:
    """The years a label names ("2022年", "本年(2023年)")."""
    return {int(y) for y in _YEAR.findall(norm(text))}


def current_label(text: str, year: int | None = None) -> bool:
    """Does a label name the report's own period (本年, 本年度, the report year)?"""
    t = norm(text)
    return bool(_CURRENT.match(t)) or (year is not None and t.startswith(f"{year}年"))


@cache
def _all_header_patterns() -> tuple[re.Pattern, ...]:
    pats = [rx for _, rx in t3_column_patterns()] + [rx for _, rx in t4_column_patterns()]
    for tid in t2_table_ids():
        for version in VERSIONS:
            lay = layout(tid, version)
            if lay is not None:
                pats += [re.compile(c.match) for c in lay.columns]
    return tuple(pats)


def is_statistics_header(text: str) -> bool:
    """Does a header cell name a column (or the label column) of 表二/表三/表四?"""
    t = norm(text)
    if t.startswith("信息内容") or is_t3_header_text(t) or is_t4_text(t) or match_t2_caption(t):
        return True
    return any(rx.search(t) for rx in _all_header_patterns())
