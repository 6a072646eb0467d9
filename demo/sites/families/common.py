"""Helpers the family modules share: picking formats and quirks, building Docs, site-wide pages."""

from __future__ import annotations

import random
from datetime import date

from demo.sites.catalogue import PlannedReport, report_title, report_version
from demo.sites.model import Doc, Resource

PER_PAGE = 15
HTML = "text/html; charset=utf-8"

# Renderer quirks (demo/render/quirks.py) sprinkled over generated reports, by format.
_QUIRK_CHOICES = {
    "html": [(), (), (), ("halfwidth_labels",), ("thousands",), ("label_typos",)],
    "pdf": [(), (), ("split_table",), ("split_table", "repeat_group_label"), ("units",), ("landscape",),
            ("label_typos",)],
    "docx": [(), (), ("halfwidth_labels",), ("units",)],
}


def pick_quirks(rng: random.Random, fmt: str) -> tuple[str, ...]:
    return rng.choice(_QUIRK_CHOICES.get(fmt, [()]))


def pick_format(rng: random.Random, weights: dict[str, float]) -> str:
    fmts = list(weights)
    return rng.choices(fmts, [weights[f] for f in fmts])[0]


def make_doc(world, site: str, p: PlannedReport, *, path: str, column: str, fmt: str, doc_id: str,
             quirks: tuple[str, ...] = (), **kw) -> Doc:
    district = world.district(site)
    if "link_title" not in kw and _spells_niandu(world.seed, doc_id):
        # "2019年度…年度报告" is as common in lists as "2019年…"; the report itself keeps the usual title
        kw["link_title"] = report_title(p.unit.agency, p.year).replace(f"{p.year}年", f"{p.year}年度", 1)
    return Doc(doc_id=doc_id, site=site, path=path, title=report_title(p.unit.agency, p.year),
               agency=p.unit.agency, region=district.region, year=p.year, version=report_version(p.year),
               fmt=fmt, published=kw.pop("published", p.published), column=column, quirks=quirks, **kw)


def _spells_niandu(seed: int, doc_id: str) -> bool:
    return random.Random(f"{seed}:{doc_id}:niandu").random() < 0.15


def pages_of(items: list, per_page: int = PER_PAGE) -> list[list]:
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


def html_resource(text: str | bytes, last_modified: date | None, conditional: bool, **kw) -> Resource:
    body = text.encode("utf-8") if isinstance(text, str) else text
    return Resource(body=body, content_type=kw.pop("content_type", HTML), conditional=conditional,
                    last_modified=last_modified, **kw)


def robots(text: str) -> Resource:
    return Resource(body=text.encode("ascii"), content_type="text/plain")


def yyyymm(d: date) -> str:
    return f"{d.year}{d.month:02d}"


def yyyymmdd(d: date) -> str:
    return f"{d.year}{d.month:02d}{d.day:02d}"
