"""Agency identity: one stable id per public body, whatever the spelling of its name in a given year.

Reports name their publisher in many ways (``淮安市洪泽区人民政府``, ``洪泽区人民政府``, ``洪泽区政府``,
``洪泽区人民政府2023年政府信息公开工作年度报告``). The key of a body is its most specific region
component at district level or above (from the name, else from the report's ``region``) followed by the
rest of the name, after the title words are stripped and short forms expanded. The rules, the alias
table and the level suffixes are data in ``data/agencies.yaml``.

Two districts with the same name in different cities (鼓楼区…) are told apart by the registry: a body
anchored on the district a site belongs to gets that district's ``admin_code`` (GB/T 2260) in front of its
key (``identity_key``), so 鼓楼区财政局 of 福州市 and of 南京市 never merge even when neither report names its
city. A body of another place found on that site (a city bureau, a province office) keeps the plain key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from transform.metadata import clean_link_title
from transform.schema import load_schema
from extract.hanzi import to_simplified

_DATA = Path(__file__).with_name("data") / "agencies.yaml"
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_DEADLINE = re.compile(r"^(\d{2})-(\d{2}) of Y\+1")
_TITLE_YEAR = re.compile(r"(20\d{2})\s*年度?")


@cache
def rules() -> dict:
    """The parsed ``agencies.yaml``."""
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Agency:
    """A resolved agency: stable id, normalized key, region, level and legal publication deadline."""

    agency_id: str
    agency_key: str
    level: str
    publisher: str
    province: str | None = None
    city: str | None = None


def clean_text(text: str | None) -> str:
    """NFKC, no whitespace and simplified characters: the form every comparison below works on, so a
    name printed on a 繁體 mirror page (江蘇省無錫市…) keys the same body as the simplified one."""
    return to_simplified(_WS.sub("", unicodedata.normalize("NFKC", text or "")))


def strip_title_words(name: str) -> str:
    """Remove years and report-title words until the name stops changing."""
    previous = None
    while previous != name:
        previous = name
        for pattern in rules()["title_noise"]:
            name = re.sub(pattern, "", name)
    return name


def expand_short_forms(name: str) -> str:
    for pattern, replacement in rules()["short_forms"]:
        name = re.sub(pattern, replacement, name)
    return name


def split_region_components(text: str) -> tuple[list[str], str]:
    """Split leading region components (district level or above) off ``text``."""
    components: list[str] = []
    pattern = re.compile(rules()["region_component"])
    while True:
        match = pattern.match(text)
        if not match:
            return components, text
        components.append(match.group(1))
        text = text[len(match.group(1)) :]


def region_anchor(region: str | None) -> str:
    """The most specific component of ``region`` below province level (or the province itself)."""
    components, _rest = split_region_components(clean_text(region))
    provinces = tuple(rules()["province_suffixes"])
    below_province = [c for c in components if not c.endswith(provinces)]
    if below_province:
        return below_province[-1]
    return components[-1] if components else ""


def agency_key(name: str, region: str | None = None) -> str:
    """The normalized key of an agency name, e.g. ``洪泽区人民政府`` for ``淮安市洪泽区政府``."""
    text = expand_short_forms(strip_title_words(clean_text(name)))
    components, rest = split_region_components(text)
    if not rest:  # the name is only a region ("淮安市"): keep it whole
        components, rest = components[:-1], components[-1] if components else text
    provinces = tuple(rules()["province_suffixes"])
    own = [c for c in components if not c.endswith(provinces)]
    anchor = own[-1] if own else (region_anchor(region) or (components[-1] if components else ""))
    key = anchor + rest if not rest.startswith(anchor) else rest
    return rules()["aliases"].get(key, key)


def identity_key(name: str, region: str | None = None, district: str | None = None,
                 admin_code: str | None = None) -> str:
    """The agency key, prefixed with the registry's admin code when the body belongs to that district.

    ``district`` is the registry name of the site the document was found on (``江城市云溪区``); a body whose
    key starts with that district's own name (``云溪区财政局``) is that district's body, so the code makes
    the key unique across same-named districts of different cities.
    """
    key = agency_key(name, region or district)
    anchor = region_anchor(district)
    if admin_code and anchor and key.startswith(anchor):
        return f"{admin_code}:{key}"
    return key


def province_and_city(*texts: str | None) -> tuple[str | None, str | None]:
    """(province, city) named by the leading region components of the first text that names any."""
    provinces = tuple(rules()["province_suffixes"])
    municipalities = tuple(rules()["municipalities"])
    for text in texts:
        components, _rest = split_region_components(clean_text(text))
        if not components:
            continue
        province = next((c for c in components if c.endswith(provinces) or c in municipalities), None)
        city = next((c for c in components if c != province and c.endswith(tuple(rules()["city_suffixes"]))),
                    None)
        if province or city:
            return province, city
    return None, None


def infer_level(key: str) -> tuple[str, str]:
    """(level, publisher) from the suffix of an agency key, as listed in ``agencies.yaml``."""
    for entry in rules()["levels"]:
        if re.search(entry["suffix"], key):
            return entry["level"], entry["publisher"]
    default = rules()["default_level"]
    return default["level"], default["publisher"]


def agency_id_for(key: str) -> str:
    """A short stable id: the same key gives the same id in every run and on every machine."""
    return "ag_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def resolve_agency(name: str, region: str | None = None, district: str | None = None,
                   admin_code: str | None = None) -> Agency:
    key = identity_key(name, region, district, admin_code)
    level, publisher = infer_level(key.split(":", 1)[-1])
    province, city = province_and_city(region, name, district)
    return Agency(agency_id_for(key), key, level, publisher, province, city)


def legal_deadlines() -> dict[str, tuple[int, int, str]]:
    """level -> (month, day of Y+1, legal basis): the deadline out_coverage measures publication against."""
    out = {}
    for level, entry in rules()["legal_deadlines"].items():
        month, day = (int(x) for x in entry["deadline"].split("-"))
        out[level] = (month, day, entry["basis"])
    return out


def deadline_for(publisher: str, year: int) -> date | None:
    """The legal publication deadline (``schema.yaml`` ``publication``) of a report on ``year``."""
    for entry in load_schema()["publication"]["deadlines"]:
        if entry["publisher"].startswith(publisher):
            match = _DEADLINE.match(entry["deadline"])
            if match:
                return date(year + 1, int(match.group(1)), int(match.group(2)))
    return None


def publisher_deadlines() -> dict[str, tuple[int, int]]:
    """publisher prefix -> (month, day) of Y+1 for every publisher named in ``agencies.yaml``."""
    publishers = {e["publisher"] for e in rules()["levels"]} | {rules()["default_level"]["publisher"]}
    out = {}
    for publisher in sorted(publishers):
        deadline = deadline_for(publisher, 2000)
        if deadline is not None:
            out[publisher] = (deadline.month, deadline.day)
    return out


def name_and_year_from_title(title: str | None) -> tuple[str | None, int | None]:
    """Guess publisher and year from a link title (documents that were never fetched or parsed).

    A link title that is a file name ("附件1：…年度报告.pdf") is read without the file-name parts."""
    text = clean_text(clean_link_title(title or ""))
    match = _TITLE_YEAR.search(text)
    if not match or "信息公开" not in text:
        return None, None
    name = strip_title_words(text[: match.start()] + text[match.end() :])
    return (name or None), int(match.group(1))
