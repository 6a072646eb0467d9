"""The canonical schema of the statistics tables, loaded once from ``schema.yaml``.

``schema.yaml`` is our copy of the public contract in ``shared/spec/schema.yaml``: table ids, row and
column codes, label regexes, format versions and consistency rules. Everything else (label matching,
the renderer of the demo world, the warehouse dictionary) is generated from it, so a new label variant
is a data change here, not a code change elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

from extract.hanzi import to_simplified

VERSIONS = ("gov2019", "gov2021")
T3 = "t3_requests"
T4 = "t4_review_litigation"


@cache
def load_schema() -> dict:
    """Return the parsed schema.yaml (cached)."""
    text = resources.files("transform").joinpath("schema.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Field:
    """One row or column of a table: its code, official label and label regex."""

    code: str
    label: str
    match: str
    type: str = "int_nonneg"
    unit: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class TableLayout:
    """The rows and columns a table has in one format version."""

    table_id: str
    version: str
    rows: tuple[Field, ...]
    columns: tuple[Field, ...]

    @property
    def row_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.rows)

    @property
    def col_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.columns)

    def column(self, code: str) -> Field:
        return next(c for c in self.columns if c.code == code)


def table_ids() -> list[str]:
    """All table ids in schema order (section 2 tables, then 表三, 表四)."""
    return list(load_schema()["tables"])


def t2_table_ids() -> list[str]:
    return [t for t in table_ids() if t.startswith("t2_")]


def _field(spec: dict, default_type: str = "int_nonneg") -> Field:
    return Field(
        code=spec["code"],
        label=spec["label"],
        match=spec["match"],
        type=spec.get("type", default_type),
        unit=spec.get("unit"),
        group=spec.get("group"),
    )


@cache
def layout(table_id: str, version: str) -> TableLayout | None:
    """The layout of ``table_id`` in ``version``, or None when that version has no such table."""
    spec = load_schema()["tables"][table_id]
    if table_id == T3:
        rows = tuple(_field(r) for r in spec["rows"] if version in r["versions"])
        cols = tuple(_field(c) for c in spec["columns"])
        return TableLayout(table_id, version, rows, cols)
    if table_id == T4:
        rows = tuple(_field(r) for r in spec["rows"])
        cols = tuple(_field(c) for c in spec["columns"])
        return TableLayout(table_id, version, rows, cols)
    vspec = spec["versions"].get(version)
    if vspec is None:
        return None
    rows = tuple(_field(r) for r in vspec["rows"])
    cols = tuple(_field(c) for c in vspec["columns"])
    return TableLayout(table_id, version, rows, cols)


def tables_in_version(version: str) -> list[str]:
    """The table ids a report in ``version`` must contain."""
    return [t for t in table_ids() if layout(t, version) is not None]


def t4_physical_order() -> list[tuple[str, str]]:
    """The 15 cells of 表四's single data row as (row_code, col_code), in printed order."""
    spec = load_schema()["tables"][T4]["physical_order"]
    return [tuple(item.split(".")) for item in spec]  # type: ignore[misc]


def version_fingerprints(version: str) -> list[str]:
    return list(load_schema()["format_versions"][version].get("fingerprints", []))


def null_tokens() -> frozenset[str]:
    return frozenset(load_schema()["normalization"]["null_tokens"])


def signed_cells() -> frozenset[str]:
    """``table.col`` names where a sign is allowed (gov2019 本年增/减)."""
    return frozenset(load_schema()["normalization"]["number"]["signed_allowed_only_in"])


def rules() -> list[dict]:
    return list(load_schema()["rules"])


def vocabulary(name: str):
    """A word list or pattern of ``schema.yaml``'s ``vocabulary`` (header words, comparison words, headings…)."""
    return load_schema()["vocabulary"][name]


def section(section_id: str) -> dict:
    return next(s for s in load_schema()["sections"] if s["id"] == section_id)


_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": '"', "’": '"', "'": '"'})
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


# Labels repeat within a report and across reports: each table row is matched against many patterns.
LABEL_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=LABEL_CACHE_SIZE)
def normalize_label(text: str) -> str:
    """Normalize a label as schema.yaml prescribes: NFKC, no whitespace, unified quotes.

    NFKC turns （一）：． into ()：. and full-width digits into ASCII. A label printed in traditional
    characters (屬於國家秘密) is read through OpenCC's t2s (``extract.hanzi``).
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _WS.sub("", text).translate(_QUOTES)
    # 其它 is a common spelling of 其他 (applicant column, 3.其他, 其他结果).
    return to_simplified(text).replace("其它", "其他")
