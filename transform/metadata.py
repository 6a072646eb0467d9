"""Who published a report, for which year, under which title — read from the document itself.

The report year comes from the title or the body ("本报告所列数据的统计期限自2023年1月1日起…"), never
from the publication date: a report on 2023 is published in 2024.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from extract.documents.model import Document, TextBlock
from transform.schema import load_schema, normalize_label

_TITLE = re.compile(r"(政府信息公开|政务公开|信息公开)(工作)?((?:19|20)\d{2}\s*年度?)?(年度)?(工作)?(年度报告|年报|报告)")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?")
_PERIOD = re.compile(r"统计(?:期限?|时限|时段|时间|区间)(?:为|是|自|从)?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_YEAR_REPORT = re.compile(r"((?:19|20)\d{2})\s*年度?(?:本机关|本单位|我区|我县|我市|我镇|我局|全区|全县|全市)?政府信息公开(?:工作)?(?:年度)?报告")
_TITLE_TAIL = re.compile(
    r"(关于)?(印发|公布)?((?:19|20)\d{2}\s*年度?)?(政府信息公开|政务公开|信息公开)(工作)?((?:19|20)\d{2}\s*年度?)?(年度)?(工作)?"
    r"(年度报告|年报|报告).*$"
)
_LEADING_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年度?")
_AGENCY = re.compile(r"[\u4e00-\u9fa5][\u4e00-\u9fa5()（）·、]{1,39}")
_BREADCRUMB = re.compile(r"[>»＞›]|当前位置|您的位置|首页")
WEBSITE_REPORT = re.compile(r"(政府)?网站(工作)?年度报表")


@dataclass
class ReportMeta:
    title: str | None
    year: int | None
    agency: str | None
    region: str | None
    year_source: str | None = None


def find_title(doc: Document) -> str | None:
    """The report title: the most complete of the page/meta title and the document's leading lines.

    Word/WPS title pages often break the title in two ("淮安市人民政府" / "2024年政府信息公开工作年度报告"),
    and PDF metadata titles are often generic ("政府信息公开工作年度报告"), so the candidates are scored.
    """
    candidates = [c for c in (doc.meta.get("ArticleTitle"), doc.meta.get("Heading"), doc.title) if c]
    lines = [re.sub(r"\s+", "", b.text) for b in doc.blocks[:40] if isinstance(b, TextBlock)]
    for i, line in enumerate(lines[:25]):
        if not (_TITLE.search(line) or WEBSITE_REPORT.search(line)) or len(line) > 80:
            continue
        candidates.append(line)
        prev = [p for p in lines[max(0, i - 2):i] if p and len(p) <= 30 and not re.search(r"[。，；：:,]", p)]
        if prev:
            candidates.append("".join(prev[-1:]) + line)
    best, best_score = None, -1
    for cand in candidates:
        title = _clean_title(re.sub(r"\s+", "", cand))
        if _BREADCRUMB.search(title):
            continue
        if not (_TITLE.search(title) or WEBSITE_REPORT.search(title)) or len(title) > 80:
            continue
        score = 2 * bool(_YEAR_IN_TITLE.search(arabic_years(title))) + 2 * bool(_agency_from_title(title)) - len(title) / 100
        if score > best_score:
            best, best_score = title, score
    return best


def _clean_title(line: str) -> str:
    # Site titles are often "报告标题_栏目_站点名" or "报告标题-某某区人民政府".
    line = re.split(r"[_|]", line)[0]
    m = _TITLE.search(line)
    if m and re.search(r"-", line[m.end():]):
        line = line[: m.end()] + line[m.end():].split("-")[0]
    return line.strip()


_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "000012345678" + "9")
_CN_YEAR = re.compile(r"[二][〇零○Ｏ一二三四五六七八九]{3}(?=\s*年)")


def arabic_years(text: str) -> str:
    """"二〇二三年" → "2023年" (titles and dates are often written in Chinese numerals)."""
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def find_year(doc: Document, title: str | None) -> tuple[int | None, str | None]:
    """Report year: title first, then the statistics period, then the body's own naming of the report."""
    title = arabic_years(title) if title else title
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1)), "title"
    period = period_year(doc)
    if period is not None:
        return period, "statistics period"
    years = Counter(int(y) for y in _YEAR_REPORT.findall(re.sub(r"\s+", "", arabic_years(doc.text[:20000]))))
    if years:
        return years.most_common(1)[0][0], "body"
    return None, None


_BODY_SUFFIX = re.compile(r"(政府|局|委员会|委|办公室|办公厅|厅|处|中心|办事处|镇|乡|院|所|站|队|会|部|署|室|馆|社)$")


def _agency_from_title(title: str) -> str | None:
    name = _TITLE_TAIL.sub("", arabic_years(title))
    name = _LEADING_YEAR.sub("", name)
    name = re.sub(r"^(关于)", "", name).strip("《》“”\"')( ")
    if "关于" in name:
        # "某区人民政府办公室关于印发某区教育局2023年…": the body the report is about, else the issuer.
        issuer, _, subject = name.partition("关于")
        subject = re.sub(r"^(印发|公布|发布)", "", subject)
        name = subject if _BODY_SUFFIX.search(subject) else issuer
    return name if _AGENCY.fullmatch(name) else None


def find_agency(doc: Document, title: str | None) -> str | None:
    """Publishing body: the title minus year and report words, else the 发布机构 of the page.

    A title may drop the city ("洪泽区人民政府") that the body spells out ("淮安市洪泽区人民政府"): the
    fuller form from the body is preferred when the body uses it.
    """
    name = _agency_from_title(title) if title else None
    if name is None:
        for key in ("发布机构", "发文机关", "信息来源", "ContentSource"):
            value = doc.meta.get(key)
            if value and 2 <= len(value.strip()) <= 40:
                name = value.strip()
                break
    if name and not re.match(r"^.{2,8}?(省|市|自治区|自治州|地区|盟)", name):
        name = _with_place_prefix(name, re.sub(r"\s+", "", doc.text[:20000]))
    return name


def _with_place_prefix(name: str, body: str) -> str:
    """The agency name with the province/city the body puts before it, when that place is in the gazetteer."""
    provinces, cities, _ = _gazetteer()
    places = sorted(set(provinces.values()) | set(cities), key=len, reverse=True)
    if any(name.startswith(p) for p in places):
        return name
    seen: Counter = Counter()
    for m in re.finditer(re.escape(name), body):
        before = body[max(0, m.start() - 12):m.start()]
        prefix = ""
        while True:
            place = next((p for p in places if before.endswith(p)), None)
            if not place:
                break
            prefix, before = place + prefix, before[: -len(place)]
        if prefix and any(prefix.endswith(c) for c in cities):  # a bare province adds nothing
            seen[prefix] += 1
    return seen.most_common(1)[0][0] + name if seen else name


@cache
def _gazetteer() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """(province short/full name → full name, city → province, municipalities)."""
    text = resources.files("transform").joinpath("regions.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    provinces: dict[str, str] = {}
    cities: dict[str, str] = {}
    for province, its_cities in data["provinces"].items():
        provinces[province] = province
        short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", province)
        provinces.setdefault(short, province)
        for city in its_cities:
            cities[city] = province
    return provinces, cities, frozenset(data["municipalities"])


_COUNTY = re.compile(r"^([\u4e00-\u9fa5]{1,6}?(?:区|县|旗|市))")
_NOT_COUNTY = ("社区", "园区", "开发区", "景区", "辖区", "片区", "管理", "服务", "城市", "监督", "发展", "市场")


def find_region(agency: str | None) -> str | None:
    """Province + city + county named by the agency, completed from the gazetteer (regions.yaml)."""
    if not agency:
        return None
    provinces, cities, municipalities = _gazetteer()
    rest = normalize_label(agency)
    province = city = county = None
    for name in sorted(provinces, key=len, reverse=True):
        if rest.startswith(name):
            province, rest = provinces[name], rest[len(name):]
            break
    if province not in municipalities:
        for name in sorted(cities, key=len, reverse=True):
            if rest.startswith(name) and (province is None or cities[name] == province):
                city, province, rest = name, cities[name], rest[len(name):]
                break
    m = _COUNTY.match(rest)
    if m and (province or city) and not any(w in m.group(1) for w in _NOT_COUNTY):
        county = m.group(1)
    parts = [p for p in (province, city, county) if p]
    return "".join(parts) if (province or city) else None


def _head_text(doc: Document) -> str:
    """Running text and the first rows of every table, without whitespace: where format signals show."""
    text = re.sub(r"\s+", "", doc.text[:30000])
    for t in doc.tables:
        for r in range(min(t.n_rows, 40)):
            text += "".join(t.row_texts(r))
    return text


def format_markers(doc: Document) -> tuple[list[str], bool]:
    """(signals of a report under the 2007 条例, whether the 2019/2021 tables' own wording is present)."""
    text = _head_text(doc)
    old = [m for m in load_schema()["format_versions"]["pre2019"]["detect_any"] if m in text]
    return old, any(k in text for k in ("本列数据的勾稽关系", "第二十条第"))


def period_year(doc: Document) -> int | None:
    """The year of the statistics period sentence (统计期限自2023年1月1日…), if the body has one."""
    m = _PERIOD.search(re.sub(r"\s+", "", arabic_years(doc.text[:20000])))
    return int(m.group(1)) if m else None


def read_meta(doc: Document) -> ReportMeta:
    title = find_title(doc)
    year, source = find_year(doc, title)
    period = period_year(doc) if source == "title" else None
    if period is not None and period != year:
        # Either the title came from page chrome or the body's period sentence was copied from last
        # year's report: keep the title's year and let a human decide (year_conflict warning).
        source = f"title (statistics period says {period})"
    agency = find_agency(doc, title)
    return ReportMeta(title, year, agency, find_region(agency), source)
