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
from functools import cache
from importlib import resources

import yaml

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


def section(section_id: str) -> dict:
    return next(s for s in load_schema()["sections"] if s["id"] == section_id)


_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "‘": '"', "’": '"', "'": '"'})
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def to_simplified(text: str) -> str:
    """繁→简 for the characters of ``_TRAD`` only (labels, titles and agency names of mirror pages)."""
    return text.translate(_TRAD)


def normalize_label(text: str) -> str:
    """Normalize a label as schema.yaml prescribes: NFKC, no whitespace, unified quotes.

    NFKC turns （一）：． into ()：. and full-width digits into ASCII. 繁→简 is applied only for the
    handful of characters seen on mirror sites (項, 與, 數…), see ``_TRAD``.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _WS.sub("", text).translate(_QUOTES)
    # 其它 is a common spelling of 其他 (applicant column, 3.其他, 其他结果).
    return to_simplified(text).replace("其它", "其他")


# Traditional characters seen in table labels on mirror copies (§8.3); a full converter is not needed
# for the closed vocabulary of the table labels. One string of traditional characters, one of their
# simplified forms, position by position.
_TRADITIONAL = "項數沒繳與處決許規範開際請結轉總計無務類機關現製發廢費額萬復議訴訟維糾審況說點條會團業構組織門應為獲補後確認訪舉報複屬國過執詢護權險穩頭徵購採強罰納償繼續辦從對於來個資訊錄檔體當時實將導歸產經濟監網頁圖書電話聯廳簡單難爭稅種級層質責貨賠齊幾準擔盡獨錯參該進問間閱標題順預領頒億據內遞託營衛醫農華術態驗號優義紀戶區縣鎮鄉並"
_SIMPLIFIED = "项数没缴与处决许规范开际请结转总计无务类机关现制发废费额万复议诉讼维纠审况说点条会团业构组织门应为获补后确认访举报复属国过执询护权险稳头征购采强罚纳偿继续办从对于来个资讯录档体当时实将导归产经济监网页图书电话联厅简单难争税种级层质责货赔齐几准担尽独错参该进问间阅标题顺预领颁亿据内递托营卫医农华术态验号优义纪户区县镇乡并"
_TRAD = str.maketrans(_TRADITIONAL, _SIMPLIFIED)
