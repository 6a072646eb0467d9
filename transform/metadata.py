"""Who published a report, for which year, under which title — read from the document itself.

The report year comes from the title or the body ("本报告所列数据的统计期限自2023年1月1日起…"), never
from the publication date: a report on 2023 is published in 2024.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

import yaml

from extract import hanzi
from extract.crawl import titles
from extract.documents.model import Document, TextBlock
from transform.schema import load_schema, normalize_label, vocabulary

_REPORT_WORD = r"(年度报告|年报|(?:情况)?的?报告)"
_TITLE = re.compile(r"(政府信息公开|政务公开|信息公开)(工作)?((?:19|20)\d{2}\s*年度?)?(年度)?(工作)?" + _REPORT_WORD)
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?")
# "本报告所列数据的统计期限自2023年1月1日起…", "统计期限：2023年1月1日至…", "数据统计时间范围为2023年1月1日—…",
# "统计期限为2023年度"; Chinese-numeral dates (二〇二三年一月一日) are read after arabic_years().
_PERIOD_WORD = r"(?:期限?|时限|时段|时间范围|时间|区间|期间|周期|范围)"
_PERIOD = re.compile(
    r"(?:统计|数据)" + _PERIOD_WORD + r"?(?:为|是|自|从|:|：)?\s*((?:19|20)\d{2})\s*年\s*(?:1|一)\s*月\s*(?:1|一)\s*日"
    r"|统计" + _PERIOD_WORD + r"(?:为|是|:|：)?\s*((?:19|20)\d{2})\s*年度(?!政府信息公开)"
)
_YEAR_REPORT = re.compile(r"((?:19|20)\d{2})\s*年度?(?:本机关|本单位|我区|我县|我市|我镇|我局|全区|全县|全市)?"
                          r"政府信息公开(?:工作)?(?:年度)?报告")
# "《关于做好2024年度政府信息公开工作年度报告编制工作的通知》" names a notice about next year's reports, not this one.
_NOTICE_BEFORE = ("做好", "关于", "《")
_NOTICE_AFTER = ("编制", "有关事项", "工作的通知", "的通知", "》")
_TITLE_TAIL = re.compile(
    r"(关于)?(印发|公布)?((?:19|20)\d{2}\s*年度?)?(政府信息公开|政务公开|信息公开)(工作)?((?:19|20)\d{2}\s*年度?)?(年度)?(工作)?"
    + _REPORT_WORD + r".*$"
)
_LEADING_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年度?")
_AGENCY = re.compile(r"[\u4e00-\u9fa5][\u4e00-\u9fa5()（）·、]{1,39}")
_BREADCRUMB = re.compile(r"[>»＞›]|当前位置|您的位置|首页")
WEBSITE_REPORT = titles.website_form_pattern()  # 政府网站工作年度报表: the crawler's decoy, one pattern


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
    The printed title beats the file's own title property (PDF /Title, DOCX core title, HTML <title>):
    agencies copy last year's file or a template, so a property title naming another year than the
    printed title, or an agency the text never mentions, is not used.
    """
    blocks = [b for b in doc.blocks[:40] if isinstance(b, TextBlock)]
    lines = [("" if b.link else _strip_file_name(re.sub(r"\s+", "", b.text))) for b in blocks]
    printed: list[str] = []
    for i in range(min(len(lines), 25)):
        # A title may be broken over up to three lines ("淮安市洪泽区教育局2023年政府信息公开" / "工作年度报告").
        for n in (1, 2, 3):
            window = lines[i:i + n]
            if len(window) < n or any(not p or _SENTENCE.search(p) for p in window):
                break
            joined = "".join(window)
            if len(joined) > 80:
                break
            if _TITLE.search(joined) or WEBSITE_REPORT.search(joined):
                printed.append(joined)
    body = re.sub(r"\s+", "", doc.text[:20000])
    printed_years = {_title_year(t) for t in printed} - {None}
    page = [c for c in (doc.meta.get("Heading"), doc.meta.get("ArticleTitle")) if c]
    candidates = page + printed
    printed_agencies = {_agency_from_title(t) for t in printed} | {signature_agency(doc)}
    printed_agencies.discard(None)
    if doc.title and _consistent(_clean_title(re.sub(r"\s+", "", doc.title)), printed_years, printed_agencies, body):
        candidates.append(doc.title)
    best, best_score = None, -1.0
    for cand in candidates:
        title = _clean_title(re.sub(r"\s+", "", cand))
        if _BREADCRUMB.search(title):
            continue
        if not (_TITLE.search(title) or WEBSITE_REPORT.search(title)) or len(title) > 80:
            continue
        score = 2 * bool(_title_year(title)) + 2 * bool(_agency_from_title(title)) - len(title) / 100
        if score > best_score:
            best, best_score = title, score
    return best


_SENTENCE = re.compile(r"[。，；,;：:！？]")  # running text, not a title line


def _title_year(title: str) -> int | None:
    m = _YEAR_IN_TITLE.search(arabic_years(title))
    return int(m.group(1)) if m else None


def _consistent(title: str, printed_years: set[int], printed_agencies: set[str], body: str) -> bool:
    """Whether the file's title property agrees with the printed document (year and agency)."""
    year = _title_year(title)
    if year is not None and printed_years and year not in printed_years:
        return False
    agency = _agency_from_title(title)
    if agency is None or agency in body or not printed_agencies:
        return True
    return any(agency in a or a in agency for a in printed_agencies)


def _clean_title(line: str) -> str:
    # Site titles are often "报告标题_栏目_站点名" or "报告标题-某某区人民政府"; a title may be a file name.
    line = _strip_file_name(line)
    line = re.split(r"[_|]", line)[0]
    m = _TITLE.search(line)
    if m and re.search(r"-", line[m.end():]):
        line = line[: m.end()] + line[m.end():].split("-")[0]
    return _strip_file_name(line.strip())


def clean_link_title(title: str) -> str:
    """A link or file title without the file-name parts ("附件1：", ".pdf") and the site suffix."""
    return _clean_title(re.sub(r"\s+", "", title or ""))


@cache
def _file_name_parts() -> tuple[re.Pattern, re.Pattern]:
    spec = load_schema()["normalization"]
    extensions = sorted({*titles.attachment_extensions(), *spec["file_title_extensions"]}, key=len, reverse=True)
    prefixes = re.compile("|".join(f"(?:{p})" for p in spec["file_title_prefixes"]), re.I)
    return prefixes, re.compile(r"\.(?:" + "|".join(map(re.escape, extensions)) + r")$", re.I)


def _strip_file_name(line: str) -> str:
    """"附件1：某区2023年…年度报告.pdf" → "某区2023年…年度报告": a title that is only its file's name."""
    prefixes, extension = _file_name_parts()
    previous = None
    while previous != line:
        previous = line
        line = extension.sub("", prefixes.sub("", line).strip()).strip()
    return line


# Digits of a year written in Chinese numerals. Zero is written 〇 (U+3007), ○ (U+25CB, the circle), 零,
# a full-width Ｏ, or a Latin O/o or 0 typed in its place ("二O二三年", "二0二三年").
_CN_DIGIT_VALUES = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "o": "0", "0": "0",
                    "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_DIGITS = str.maketrans(_CN_DIGIT_VALUES)
_CN_YEAR = re.compile("二[" + "".join(_CN_DIGIT_VALUES) + "]{3}(?=\\s*年)")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH_DIGIT = re.compile("[０-９]")


def arabic_years(text: str) -> str:
    """"二〇二三年" / "２０２３年" → "2023年" (titles and dates are often written in Chinese or full-width numerals)."""
    if _FULLWIDTH_DIGIT.search(text):  # translate() looks up every character: only where it has work to do
        text = text.translate(_FULLWIDTH_DIGITS)
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def find_year(doc: Document, title: str | None) -> tuple[int | None, str | None]:
    """Report year: title first, then the statistics period, then the body's own naming of the report."""
    year = _title_year(title) if title else None
    if year is not None:
        return year, "title"
    period = period_year(doc)
    if period is not None:
        return period, "statistics period"
    body = re.sub(r"\s+", "", arabic_years(doc.text[:20000]))
    years = Counter(int(m.group(1)) for m in _YEAR_REPORT.finditer(body)
                    if not body[:m.start()].endswith(_NOTICE_BEFORE) and not body[m.end():].startswith(_NOTICE_AFTER))
    if years:
        return years.most_common(1)[0][0], "body"
    return None, None


_BODY_SUFFIX = re.compile(r"(政府|局|委员会|委|办公室|办公厅|厅|处|中心|办事处|镇|乡|院|所|站|队|会|部|署|室|馆|社)$")
# A title naming only a place ("淮安市2023年…", "洪泽区2023年…") is that place's government's report.
_BARE_PLACE = re.compile(r"^[\u4e00-\u9fa5]{1,12}?(省|自治区|市|自治州|地区|盟|区|县|自治县|旗|镇|乡|街道)$")
_PLACE_BODY = {"街道": "街道办事处"}  # default: <place>人民政府
_NOT_A_PLACE = re.compile(r"(社区|片区|校区|辖区|开发区|园区|新区|实验区|示范区|景区|功能区|保税区|试验区|合作区|"
                          r"管理区)$")
# "区教育局": the place is left out.
_LEVEL_ONLY_PREFIX = re.compile(r"^(区|县|市|镇|乡|旗)(?!人民政府$)[\u4e00-\u9fa5]")


def _agency_from_title(title: str) -> str | None:
    name = _TITLE_TAIL.sub("", arabic_years(title))
    name = _LEADING_YEAR.sub("", name)
    name = re.sub(r"^《?(关于)?(印发|公布|发布)?", "", name).strip("《》“”\"')( ")
    if "关于" in name:
        # "某区人民政府办公室关于印发某区教育局2023年…": the body the report is about, else the issuer.
        issuer, _, subject = name.partition("关于")
        subject = re.sub(r"^(印发|公布|发布)", "", subject)
        if _BARE_PLACE.match(subject) and not _NOT_A_PLACE.search(subject):
            subject = _place_government(subject)
        name = subject if _BODY_SUFFIX.search(subject) else issuer
    elif _BARE_PLACE.match(name) and not _NOT_A_PLACE.search(name):
        name = _place_government(name)
    return name if _AGENCY.fullmatch(name) else None


def _place_government(place: str) -> str:
    level = _BARE_PLACE.match(place).group(1)
    return place[: -len(level)] + _PLACE_BODY.get(level, level + "人民政府")


_SIGNATURE_DATE = re.compile(r"((?:19|20)\d{2})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日$")


def signature_agency(doc: Document) -> str | None:
    """The body named in the signature at the end ("淮安市洪泽区司法局" / "2024年1月20日", or on one line)."""
    lines = [re.sub(r"\s+", "", b.text) for b in doc.blocks if isinstance(b, TextBlock) and not b.link]
    lines = [ln for ln in lines if ln][-15:]
    for i in range(len(lines) - 1, -1, -1):
        line = arabic_years(lines[i])
        m = _SIGNATURE_DATE.search(line)
        if not m:
            continue
        name = line[: m.start()] or (lines[i - 1] if i > 0 else "")
        if _AGENCY.fullmatch(name) and _BODY_SUFFIX.search(name) and not _SENTENCE.search(name):
            return name
    return None


def find_agency(doc: Document, title: str | None) -> str | None:
    """Publishing body: the title minus year and report words, else the signature, else the 发布机构 of the page.

    A title may drop the city ("洪泽区人民政府") that the body spells out ("淮安市洪泽区人民政府"): the
    fuller form from the body is preferred when the body uses it; a title that names the level only
    ("区教育局") is completed from the signature or the page's 发布机构.
    """
    name = _agency_from_title(title) if title else None
    signed = signature_agency(doc)
    published = None
    for key in ("发布机构", "发文机关", "信息来源", "ContentSource"):
        value = (doc.meta.get(key) or "").strip()
        if 2 <= len(value) <= 40:
            published = value
            break
    if name is None:
        name = signed or published
    elif _LEVEL_ONLY_PREFIX.match(name):
        fuller = [f for f in (signed, published) if f and f.endswith(name) and len(f) > len(name)]
        if fuller:
            name = fuller[0]
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


# Vertically managed bodies name their place after the ministry: "国家税务总局淮安市洪泽区税务局".
_REGION_SKIP_PREFIXES = ("国家税务总局", "中国共产党", "中共")
_ETHNICITIES = ("土家", "苗", "侗", "布依", "朝鲜", "彝", "藏", "羌", "哈尼", "壮", "傣", "白", "景颇", "傈僳", "回",
                "蒙古", "哈萨克", "柯尔克孜")
_ETHNIC_PART = re.compile("(?:(?:" + "|".join(_ETHNICITIES) + ")族?)+自治州$")


@cache
def _city_aliases() -> dict[str, str]:
    """Short names of autonomous prefectures derived from regions.yaml ("恩施州" → 恩施土家族苗族自治州).

    Two-character forms (巴州, 博州) are left out: 巴州 is also a district of 巴中市.
    """
    _, cities, _ = _gazetteer()
    aliases = {}
    for city in cities:
        short = _ETHNIC_PART.sub("州", city)
        if short != city and len(short) >= 3:
            aliases[short] = city
    return aliases


_COUNTY = re.compile(r"^([\u4e00-\u9fa5]{1,6}?(?:区|县|旗|市))")
_NOT_COUNTY = ("社区", "园区", "开发区", "景区", "辖区", "片区", "管理", "服务", "城市", "监督", "发展", "市场")


def find_region(agency: str | None) -> str | None:
    """Province + city + county named by the agency, completed from the gazetteer (regions.yaml)."""
    if not agency:
        return None
    provinces, cities, municipalities = _gazetteer()
    aliases = _city_aliases()
    rest = normalize_label(agency)
    rest = next((rest[len(p):] for p in _REGION_SKIP_PREFIXES if rest.startswith(p)), rest)
    province = city = county = None
    first_city = next((c for c in sorted(set(cities) | set(aliases), key=len, reverse=True) if rest.startswith(c)), "")
    for name in sorted(provinces, key=len, reverse=True):
        # "吉林市人民政府" is the city of 吉林, not the province: a longer city name at the start wins.
        if rest.startswith(name) and len(name) >= len(first_city):
            province, rest = provinces[name], rest[len(name):]
            break
    if province not in municipalities:
        for name in sorted(set(cities) | set(aliases), key=len, reverse=True):
            full = aliases.get(name, name)
            if rest.startswith(name) and (province is None or cities[full] == province):
                city, province, rest = full, cities[full], rest[len(name):]
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
    return old, any(k in text for k in vocabulary("post2019_markers"))


def period_year(doc: Document) -> int | None:
    """The year of the statistics period sentence (统计期限自2023年1月1日…), if the body has one."""
    m = _PERIOD.search(re.sub(r"\s+", "", arabic_years(doc.text[:20000])))
    return int(m.group(1) or m.group(2)) if m else None


_TRADITIONAL_PAGE = 5  # different traditional-only characters that make a page a 繁體 page (a 繁體 page has hundreds)


def simplified_view(doc: Document) -> Document:
    """The document with its running text, title and meta in simplified characters (a 繁體 mirror page).

    Title, year and agency are read with simplified vocabulary (政府信息公开…报告); a page served in
    traditional characters (公開, 報告, 區) would otherwise have no title, hence no year. Tables are untouched:
    their labels are normalized on their own.
    """
    if not hanzi.is_traditional((doc.title or "") + doc.text[:2000], at_least=_TRADITIONAL_PAGE):
        return doc
    to_simplified = hanzi.convert
    blocks = [replace(b, text=to_simplified(b.text)) if isinstance(b, TextBlock) else b for b in doc.blocks]
    return replace(doc, blocks=blocks, title=to_simplified(doc.title) if doc.title else doc.title,
                   meta={k: to_simplified(v) for k, v in doc.meta.items()})


def read_meta(doc: Document) -> ReportMeta:
    doc = simplified_view(doc)
    title = find_title(doc)
    year, source = find_year(doc, title)
    period = period_year(doc) if source == "title" else None
    if period is not None and period != year:
        # Either the title came from page chrome or the body's period sentence was copied from last
        # year's report: keep the title's year and let a human decide (year_conflict warning).
        source = f"title (statistics period says {period})"
    agency = find_agency(doc, title)
    return ReportMeta(title, year, agency, find_region(agency), source)
