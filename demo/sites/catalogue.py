"""Who publishes what in the demo world: districts, their agencies, and which (agency, year) reports exist.

Names are invented (real provinces, invented cities and districts) so nobody mistakes a demo number for
a real one; the six embedded real reports keep their real agencies. Everything is drawn from a seeded
``random.Random`` so the world is the same on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# The unit families a district publishes for (scraping.md §1.1: 本级 / 部门 / 镇街).
GOVERNMENT, DEPARTMENT, TOWN = "本级", "部门", "镇街"

DEPARTMENTS = (
    ("发展和改革局", "fgj"), ("教育局", "jyj"), ("公安分局", "gafj"), ("民政局", "mzj"), ("财政局", "czj"),
    ("人力资源和社会保障局", "rsj"), ("自然资源和规划分局", "zrzyj"), ("生态环境分局", "sthjj"),
    ("住房和城乡建设局", "zjj"), ("交通运输局", "jtj"), ("农业农村局", "nyncj"), ("商务局", "swj"),
    ("文化和旅游局", "wlj"), ("卫生健康局", "wjj"), ("应急管理局", "yjj"), ("市场监督管理局", "scjgj"),
    ("医疗保障局", "ybj"), ("司法局", "sfj"), ("审计局", "sjj"), ("统计局", "tjj"), ("城市管理局", "cgj"),
    ("水务局", "swuj"), ("退役军人事务局", "tyjrj"), ("信访局", "xfj"), ("科学技术局", "kjj"),
    ("民族宗教事务局", "mzzjj"), ("林业局", "lyj"), ("体育局", "tyj"),
)
TOWN_STEMS = (
    "青石", "白沙", "柳河", "金桥", "东关", "南湖", "西岭", "北塘", "长乐", "新华", "永安", "桃源", "龙泉", "枫林",
    "三里", "双井", "梅溪", "石门", "河口", "望江", "兴隆", "太平", "清水", "凤凰", "和平", "建设", "胜利", "前进",
)

# For big worlds (the nightly benchmark): more towns, named from two syllables.
_EXTRA_STEMS = tuple(a + b for a in "东西南北新青白金石长" for b in "桥湖岭塘港山溪坪庄湾"
                     if a + b not in TOWN_STEMS)


@dataclass(frozen=True)
class District:
    site: str
    province: str
    city: str
    name: str
    admin_code: str            # invented, in the x9x block no real county uses
    towns_are_streets: bool = False
    gbk_names: tuple[str, ...] = ()   # legacy site: town names with GBK-only characters

    @property
    def region(self) -> str:
        return f"{self.province}{self.city}{self.name}"

    @property
    def prefix(self) -> str:
        return f"{self.city}{self.name}"


DISTRICTS = {
    "trs": District("trs", "湖北省", "江城市", "云溪区", "420190", towns_are_streets=True),
    "gd": District("gd", "广东省", "南海市", "花城区", "440190"),
    "hanweb": District("hanweb", "浙江省", "钱塘市", "上河区", "330190", towns_are_streets=True),
    "doc": District("doc", "江苏省", "梁溪市", "锡东区", "320290"),
    "legacy": District("legacy", "福建省", "闽江市", "晋溪县", "350190", gbk_names=("堃山", "珺湖", "镕溪")),
    "down": District("down", "四川省", "锦城市", "青岭县", "510190"),
    "epoint": District("epoint", "山东省", "泉城市", "历岭区", "370190"),
}

# Share of the scale knob each site gets (the rest of the world are fixed special cases).
SITE_WEIGHTS = {"trs": 0.26, "gd": 0.18, "hanweb": 0.16, "doc": 0.08, "legacy": 0.10, "down": 0.02}
YEARS = tuple(range(2019, 2025))
WORLD_DAY = {1: date(2025, 3, 3), 2: date(2025, 3, 10)}


@dataclass(frozen=True)
class Unit:
    """One publishing agency."""

    agency: str
    unit_type: str               # 本级 / 部门 / 镇街
    slug: str


@dataclass(frozen=True)
class PlannedReport:
    unit: Unit
    year: int
    published: date


def report_version(year: int) -> str:
    return "gov2019" if year <= 2020 else "gov2021"


def units_for(district: District, rng: random.Random, n_reports: int) -> list[Unit]:
    """The government, its office, and enough departments and towns for ``n_reports`` reports."""
    units = [Unit(f"{district.prefix}人民政府", GOVERNMENT, "qzf"),
             Unit(f"{district.prefix}人民政府办公室", GOVERNMENT, "qzfb")]
    n_depts = max(2, min(len(DEPARTMENTS), n_reports // 4))
    n_towns = max(1, min(len(TOWN_STEMS) + len(_EXTRA_STEMS), n_reports // 8, max(0, n_reports - 180) // 3 + 28))
    for name, slug in rng.sample(DEPARTMENTS, n_depts):
        units.append(Unit(f"{district.prefix}{name}", DEPARTMENT, slug))
    pool = TOWN_STEMS + _EXTRA_STEMS if n_towns > len(TOWN_STEMS) else TOWN_STEMS
    stems = list(district.gbk_names) + [s for s in rng.sample(pool, n_towns) if s not in district.gbk_names]
    for i, stem in enumerate(stems[:max(n_towns, len(district.gbk_names))]):
        street = district.towns_are_streets or (i % 3 == 2)
        suffix = "街道办事处" if street else "镇人民政府"
        units.append(Unit(f"{district.prefix}{stem}{suffix}", TOWN, f"{'jd' if street else 'z'}{i + 1:02d}"))
    return units


def plan_reports(district: District, seed: int, n_reports: int, years=YEARS) -> list[PlannedReport]:
    """Pick ``n_reports`` (unit, year) pairs: the government has every year, others a patchy subset."""
    rng = random.Random(f"{seed}:{district.site}:plan")
    units = units_for(district, rng, n_reports)
    wanted: list[tuple[Unit, int]] = [(units[0], y) for y in years]
    pool = [(u, y) for u in units[1:] for y in years]
    rng.shuffle(pool)
    wanted += pool[: max(0, n_reports - len(wanted))]
    wanted = wanted[:n_reports]
    return [PlannedReport(u, y, publication_date(rng, u, y)) for u, y in wanted]


def publication_date(rng: random.Random, unit: Unit, year: int) -> date:
    """Departments and towns publish in January, the government by the end of March (条例 art. 49)."""
    if unit.unit_type == GOVERNMENT:
        return date(year + 1, 2, 1) + timedelta(days=rng.randrange(0, 50))
    return date(year + 1, 1, 8) + timedelta(days=rng.randrange(0, 23))


def report_title(agency: str, year: int) -> str:
    """The usual title; the same wording demo.values prints on the report itself."""
    return f"{agency}{year}年政府信息公开工作年度报告"
