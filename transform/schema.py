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


def normalize_label(text: str) -> str:
    """Normalize a label as schema.yaml prescribes: NFKC, no whitespace, unified quotes.

    NFKC turns （一）：． into ()：. and full-width digits into ASCII. 繁→简 is applied only for the
    handful of characters seen on mirror sites (項, 與, 數…), see ``_TRAD``.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _WS.sub("", text).translate(_QUOTES)
    # 其它 is a common spelling of 其他 (applicant column, 3.其他, 其他结果).
    return text.translate(_TRAD).replace("其它", "其他")


# Traditional characters seen in table labels on mirror copies (§8.3); a full converter is not needed
# for the closed vocabulary of the table labels.
_TRAD = str.maketrans(
    {
        "項": "项", "數": "数", "沒": "没", "繳": "缴", "與": "与", "處": "处", "決": "决", "許": "许", "規": "规", "範": "范",
        "開": "开", "際": "际", "請": "请", "結": "结", "轉": "转", "總": "总", "計": "计", "無": "无",
        "務": "务", "類": "类", "機": "机", "關": "关", "掌": "掌", "現": "现", "製": "制", "發": "发",
        "廢": "废", "效": "效", "費": "费", "額": "额", "萬": "万", "復": "复", "議": "议", "訴": "诉",
        "訟": "讼", "維": "维", "糾": "纠", "審": "审", "況": "况", "說": "说", "點": "点", "條": "条",
        "會": "会", "團": "团", "業": "业", "構": "构", "組": "组", "織": "织", "門": "门", "應": "应",
        "為": "为", "獲": "获", "補": "补", "後": "后", "仍": "仍", "確": "确", "認": "认", "審": "审",
        "訪": "访", "舉": "举", "報": "报", "訴": "诉", "複": "复", "屬": "属", "國": "国", "過": "过",
        "執": "执", "卷": "卷", "詢": "询", "護": "护", "權": "权", "險": "险", "穩": "稳", "禁": "禁",
        "頭": "头", "徵": "征", "購": "购", "採": "采", "額": "额", "強": "强", "罰": "罚", "納": "纳",
        "逾": "逾", "償": "偿", "繼": "继", "續": "续", "辦": "办", "從": "从", "對": "对", "於": "于", "來": "来", "個": "个", "資": "资", "訊": "讯", "錄": "录", "檔": "档", "體": "体", "當": "当", "時": "时", "實": "实", "際": "际", "將": "将", "導": "导", "歸": "归", "產": "产", "經": "经", "濟": "济", "監": "监", "網": "网", "頁": "页", "圖": "图", "書": "书", "電": "电", "話": "话", "聯": "联", "廳": "厅", "簡": "简", "單": "单", "難": "难", "爭": "争", "稅": "税", "種": "种", "級": "级", "層": "层", "質": "质", "責": "责", "貨": "货", "賠": "赔", "齊": "齐", "幾": "几", "準": "准", "後": "后", "範": "范", "製": "制", "擔": "担", "盡": "尽", "獨": "独", "舉": "举", "錯": "错", "參": "参", "與": "与", "應": "应", "該": "该", "為": "为", "現": "现", "進": "进", "關": "关", "門": "门", "問": "问", "間": "间", "閱": "阅", "標": "标", "題": "题", "頭": "头", "順": "顺", "預": "预", "領": "领", "頒": "颁", "億": "亿", "據": "据", "內": "内", "條": "条", "織": "织", "團": "团", "構": "构", "業": "业", "遞": "递", "託": "托", "營": "营", "衛": "卫", "醫": "医", "農": "农", "華": "华", "術": "术", "態": "态", "驗": "验", "號": "号", "優": "优", "義": "义", "權": "权", "紀": "纪", "戶": "户", "區": "区", "縣": "县", "鎮": "镇", "鄉": "乡", "並": "并",
    }
)
