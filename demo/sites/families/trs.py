"""TRS WCM district site (like 硚口 / 荣昌): static pages, 0-based ``index_N.shtml`` pager.

Layout: ``/xxgk/zfxxgknb/`` lists every report (15 a page, ``createPageHTML(N, cur, "index", "shtml")``,
the last announced page is a 350-byte stub) and links the sub-columns 本级 ``qzfnb/``, 部门
``bmjdhz/{dept}/`` and 镇街 ``jd/{unit}/``, which list their own reports again (so every report is listed
twice: one document, two links). Articles ``{col}/YYYYMM/tYYYYMMDD_ID.shtml``; PDF attachments
``P0…pdf`` beside them; one long article continues on ``…_1.shtml``; a decoy ``zfwzndbb/`` column.
"""

from __future__ import annotations

import hashlib
from datetime import date

from demo.sites import pages as P
from demo.sites.catalogue import DEPARTMENT, GOVERNMENT
from demo.sites.families.common import (HTML, html_resource, make_doc, pages_of, pick_format, pick_quirks,
                                        robots, yyyymm, yyyymmdd)
from demo.sites.model import Decoy, Doc, ExpectedPage, Resource
from demo.sites.server import SiteRoutes
from demo.sites.world import plan_site

SITE = "trs"
ROOT = "/xxgk/zfxxgknb/"
DECOY_COL = ROOT + "zfwzndbb/"
GUIDE = "/xxgk/zfxxgkzn/202301/t20230105_1000001.shtml"
SPECIALS = ("multipage", "not_found", "html_error_as_pdf", "redirect_loop", "moved_permanently",
            "unavailable_once", "trickle", "real", "new1", "new2", "new3")


def column_of(unit) -> str:
    if unit.unit_type == GOVERNMENT:
        return "qzfnb/"
    if unit.unit_type == DEPARTMENT:
        return f"bmjdhz/{unit.slug}/"
    return f"jd/{unit.slug}/"


def _ids(world):
    rng = world.rng(SITE, "ids")
    while True:
        yield rng.randrange(1_000_000, 9_999_999)


def plan(world) -> None:
    regular, extra = plan_site(world, SITE, len(SPECIALS))
    rng = world.rng(SITE, "formats")
    ids = _ids(world)
    t3_old_done = False
    for p in regular:
        fmt = pick_format(rng, {"html": 0.7, "pdf": 0.3})
        doc = _doc(world, p, fmt, next(ids), pick_quirks(rng, fmt))
        if p.year == 2022 and not t3_old_done:  # a 2022 report still printing the gov2019 表三
            doc.t3_version, t3_old_done = "gov2019", True
        world.add_doc(doc)
    specials = dict(zip(SPECIALS, extra))
    world.add_doc(_doc(world, specials["multipage"], "html", next(ids), (), quirks_extra=("multipage",)))
    for name in ("not_found", "redirect_loop", "unavailable_once", "moved_permanently"):
        world.add_doc(_doc(world, specials[name], "html", next(ids), (), fault=name))
    for name in ("html_error_as_pdf", "trickle"):
        world.add_doc(_doc(world, specials[name], "pdf", next(ids), (), fault=name))
    # the real 淮安市 2024 PDF (WPS original), mirrored as an attachment in the 本级 column
    real = specials["real"]
    doc = _doc(world, real, "pdf", next(ids), ())
    doc.real, doc.agency, doc.region, doc.year, doc.version = ("js-huaian-city-2024", "淮安市人民政府",
                                                                "江苏省淮安市", 2024, "gov2021")
    doc.title = "淮安市人民政府2024年政府信息公开工作年度报告"
    world.add_doc(doc)
    _plan_day2(world, specials, ids)
    _plan_decoys(world)
    world.pages.append(ExpectedPage(SITE, ROOT + "index_{last}.shtml", "ok", "stub_page",
                                    "the last page createPageHTML announces is a 350-byte stub: end of list"))


def _plan_day2(world, specials, ids) -> None:
    for i, name in enumerate(("new1", "new2", "new3")):  # pushed onto page 1: pagination drift
        world.add_doc(_doc(world, specials[name], "html" if i else "pdf", next(ids), (), day_from=2,
                           kind="new", published=date(2025, 3, 7 + i)))
    # re-post: an existing HTML report again under a new URL, identical bytes
    src = next(d for d in world.docs if d.site == SITE and d.fmt == "html" and d.fault is None
               and d.column == "qzfnb/" and d.day_from == 1 and "multipage" not in d.quirks)
    rid = next(ids)
    path = f"{ROOT}qzfnb/202503/t20250307_{rid}.shtml"
    world.add_doc(Doc(doc_id=f"trs-{rid}", site=SITE, path=path, title=src.title, agency=src.agency,
                      region=src.region, year=src.year, version=src.version, fmt="html",
                      published=date(2025, 3, 7), column="qzfnb/", t3_version=src.t3_version,
                      day_from=2, kind="repost", quirks=src.quirks, real=src.real,
                      link_title=src.title + "（重新发布）", same_as=src.path))
    # 更正版: a PDF attachment replaced in place, one number changed
    corr = next(d for d in world.docs if d.site == SITE and d.fmt == "pdf" and d.fault is None and not d.real)
    corr.corrected_on_day = 2


def _doc(world, p, fmt, rid, quirks, *, quirks_extra=(), **kw) -> Doc:
    col = column_of(p.unit)
    published = kw.get("published", p.published)
    article = f"{ROOT}{col}{yyyymm(published)}/t{yyyymmdd(published)}_{rid}.shtml"
    if fmt == "pdf":
        path = f"{ROOT}{col}{yyyymm(published)}/P0{yyyymmdd(published)}{rid}{rid % 997:03d}.pdf"
        return make_doc(world, SITE, p, path=path, column=col, fmt=fmt, doc_id=f"trs-{rid}",
                        quirks=quirks + quirks_extra, article_path=article, **kw)
    if kw.get("fault") == "moved_permanently":
        article = f"{ROOT}{col}old/t{yyyymmdd(published)}_{rid}.shtml"
    return make_doc(world, SITE, p, path=article, column=col, fmt=fmt, doc_id=f"trs-{rid}",
                    quirks=quirks + quirks_extra, **kw)


def _plan_decoys(world) -> None:
    d = world.district(SITE)
    for y in (2024, 2023):
        world.add_decoy(Decoy(SITE, f"{DECOY_COL}{y + 1}01/t{y + 1}0115_{y}001.shtml",
                              f"{d.prefix}人民政府门户网站{y}年度工作报表", "website_form", "not_a_report"))
    world.add_decoy(Decoy(SITE, GUIDE, f"{d.prefix}人民政府信息公开指南", "guide", "not_a_report"))
    world.add_decoy(Decoy(SITE, "{spam}/xxgk/zfxxgknb/index.html", "友情链接：政务公开镜像", "off_site",
                          "not_followed"))


# --- serving ----------------------------------------------------------------------------------------
def article_href(doc: Doc) -> str:
    """The URL a list links to: the article page (for attachments) or the report page itself."""
    return doc.article_path or doc.path


def listed_on(world, doc: Doc, day: int) -> list[str]:
    href = article_href(doc)
    out = [_list_page_of(world, day, None, href), _list_page_of(world, day, doc.column, href)]
    if doc.article_path:
        out.append(doc.article_path)
    return [p for p in out if p]


def _list_page_of(world, day, column, href) -> str | None:
    docs = world.docs_on(SITE, day, column)
    for i, chunk in enumerate(pages_of(docs)):
        if any(article_href(d) == href for d in chunk):
            base = ROOT + (column or "")
            return base + ("index.shtml" if i == 0 else f"index_{i}.shtml")
    return None


def routes(world, day: int, bases: dict) -> dict[str, SiteRoutes]:
    r = SiteRoutes(SITE)
    d = world.district(SITE)
    r.add("/robots.txt", robots("User-agent: *\nDisallow: /was5/\nDisallow: /igs/\n"))
    spam = bases.get("spam", "http://127.0.0.1:9")
    docs = world.docs_on(SITE, day)
    today = max(x.published for x in docs)
    r.add("/", html_resource(P.page(P.meta_block(d, "首页", f"{d.prefix}人民政府", today),
                                    f'<a href="{ROOT}">政府信息公开年报</a> <a href="{GUIDE}">信息公开指南</a>'),
                             today, True))
    subcols = sorted({x.column for x in docs})
    nav = "".join(f'<a href="./{c}">{_column_name(world, c)}</a>' for c in subcols)
    nav += f'<a href="./zfwzndbb/">政府网站工作年度报表</a><a href="{GUIDE}">政府信息公开指南</a>'
    footer = f'<div class="yqlj">友情链接：<a href="{spam}/xxgk/zfxxgknb/index.html">政务公开镜像</a></div>'
    _add_list(world, r, ROOT, docs, "政府信息公开年报", nav, footer, stub=True, day=day)
    for col in subcols:
        _add_list(world, r, ROOT + col, world.docs_on(SITE, day, col), _column_name(world, col), "", "",
                  stub=False, day=day, fail_seed=world.seed,
                  slow=(col == next(c for c in subcols if c.startswith("bmjdhz/"))))
    for doc in docs:
        _add_doc(world, r, doc, day)
    _add_decoys(world, r, day)
    return {SITE: r}


def _column_name(world, col: str) -> str:
    if col == "qzfnb/":
        return "区政府年报"
    unit = next((x for x in world.docs if x.site == SITE and x.column == col), None)
    return unit.agency.replace(world.district(SITE).prefix, "") if unit else col


def _fails_first(seed, path: str) -> bool:
    """Seeded ~20 % of TRS sub-column list pages answer 500 on their first request of the night."""
    return int(hashlib.sha256(f"{seed}:{path}".encode()).hexdigest(), 16) % 5 == 0


def _add_list(world, r, base, docs, name, nav, footer, *, stub, day, fail_seed=None, slow=False):
    d = world.district(SITE)
    chunks = pages_of(docs)
    count = len(chunks) + (1 if stub else 0)
    newest = docs[0].published if docs else date(2025, 1, 1)
    for i, chunk in enumerate(chunks):
        items = [("./" + article_href(x)[len(base):] if article_href(x).startswith(base) else article_href(x),
                  x.list_title, x.published) for x in chunk]
        body = (f'<div class="nav">{nav}</div><div class="column"><h2>{name}</h2>{P.ul(items)}'
                f'<div class="page"><script>createPageHTML({count}, {i}, "index", "shtml");</script></div>'
                f"</div>{footer}")
        name_i = "index.shtml" if i == 0 else f"index_{i}.shtml"
        fault = "slow_first_byte" if slow and i == 0 else None
        if fault is None and fail_seed is not None and _fails_first(fail_seed, base + name_i):
            fault = "fail_first"
        res = html_resource(P.page(P.meta_block(d, name, name, newest), body), newest, True, fault=fault)
        r.add(base + name_i, res)
        if i == 0:
            r.add(base, res)
    if stub:
        r.add(base + f"index_{len(chunks)}.shtml", html_resource(P.stub_page(), newest, True))


def _add_doc(world, r, doc: Doc, day: int) -> None:
    d = world.district(SITE)
    published = doc.published
    lm = date(2025, 3, 8) if doc.corrected_on_day and day >= doc.corrected_on_day else published
    if doc.fault == "not_found":
        return  # listed, never served
    if doc.fmt == "pdf":
        title = doc.list_title + ("（更正版）" if doc.corrected_on_day and day >= doc.corrected_on_day else "")
        link = f'<a href="./{doc.path.rsplit("/", 1)[1]}">{P.esc(title)}.pdf</a>'
        r.add(doc.article_path, html_resource(
            P.attachment_article(d, "政府信息公开年报", title, published, doc.agency, link), lm, True))
        if doc.fault == "html_error_as_pdf":
            r.add(doc.path, Resource(body=P.ERROR_PAGE_200, content_type=HTML))
            return
        r.add(doc.path, Resource(body=lambda doc=doc, day=day: world.doc_bytes(doc, day),
                                 content_type="application/pdf", conditional=True, last_modified=lm,
                                 fault="trickle" if doc.fault == "trickle" else None))
        return
    body = (lambda doc=doc, day=day: world.doc_bytes(doc, day))
    if "multipage" in doc.quirks:
        r.add(doc.path, Resource(body=body, conditional=True, last_modified=lm))
        r.add(doc.path.replace(".shtml", "_1.shtml"),
              Resource(body=lambda doc=doc, day=day: world.continuation(doc, day), conditional=True,
                       last_modified=lm))
        return
    if doc.fault == "redirect_loop":
        other = doc.path.replace(".shtml", "_a.shtml")
        r.add(doc.path, Resource(status=302, headers=(("Location", other),), body=b""))
        r.add(other, Resource(status=302, headers=(("Location", doc.path),), body=b""))
        return
    if doc.fault == "moved_permanently":
        new_path = doc.path.replace("/old/", f"/{yyyymm(published)}/")
        r.add(doc.path, Resource(status=301, headers=(("Location", new_path),), body=b""))
        r.add(new_path, Resource(body=body, conditional=True, last_modified=lm))
        return
    fault = "unavailable_once" if doc.fault == "unavailable_once" else None
    r.add(doc.path, Resource(body=body, conditional=True, last_modified=lm, fault=fault))


def split_article(body: bytes, path: str) -> tuple[bytes, bytes]:
    """Cut a long report page in two the way TRS paginates articles (``createPageHTML(2, 0, "t…")``).

    The cut falls between two top-level tables so each page stays well-formed enough to parse; the
    second page repeats the page head. Without a second table the whole page stays on page 1.
    """
    text = body.decode("utf-8")
    stem = path.rsplit("/", 1)[1].rsplit(".", 1)[0]
    cut = _cut_point(text)
    head_end = text.find("<body")
    head = text[:text.find(">", head_end) + 1] if head_end >= 0 else "<html><body>"
    pager0 = f'<div class="page"><script>createPageHTML(2, 0, "{stem}", "shtml");</script></div>'
    pager1 = f'<div class="page"><script>createPageHTML(2, 1, "{stem}", "shtml");</script></div>'
    if cut is None:
        return body, (head + pager1 + "</body></html>").encode("utf-8")
    first = text[:cut] + pager0 + "</body></html>"
    second = head + text[cut:].replace("</body>", pager1 + "</body>", 1)
    return first.encode("utf-8"), second.encode("utf-8")


def _cut_point(text: str) -> int | None:
    """Just before the 四、 section heading (表四), else before the last table."""
    for marker in ("四、政府信息公开行政复议", "四、政府信息公开"):
        i = text.find(marker)
        if i > 0:
            para = text.rfind("<p", 0, i)  # keep the heading's paragraph whole
            return para if para >= 0 and i - para < 80 else text.rfind("<", 0, i)
    i = text.rfind("<table")
    return i if i > 0 else None


def _add_decoys(world, r, day) -> None:
    d = world.district(SITE)
    decoys = [x for x in world.decoys(day) if x.site == SITE and x.url.startswith("/")]
    forms = [x for x in decoys if x.why == "website_form"]
    items = [("./" + x.url[len(DECOY_COL):], x.title, date(int(x.url.split("/t")[1][:4]), 1, 15)) for x in forms]
    res = html_resource(P.page(P.meta_block(d, "政府网站工作年度报表", "政府网站工作年度报表", date(2025, 1, 15)),
                               P.ul(items)), date(2025, 1, 15), True)
    r.add(DECOY_COL, res)
    r.add(DECOY_COL + "index.shtml", res)
    for x in forms:
        text = (f"<h1>{P.esc(x.title)}</h1><table><tr><td>网站名称</td><td>{d.prefix}人民政府门户网站</td></tr>"
                "<tr><td>首页网址</td><td>http://www.example.gov.cn</td></tr><tr><td>独立用户访问总量</td>"
                "<td>1203344</td></tr></table>")
        r.add(x.url, html_resource(P.page(P.meta_block(d, "网站年报", x.title, date(2025, 1, 15)), text),
                                   date(2025, 1, 15), True))
    guide = next(x for x in decoys if x.why == "guide")
    r.add(guide.url, html_resource(P.page(P.meta_block(d, "政府信息公开指南", guide.title, date(2023, 1, 5)),
                                          f"<h1>{P.esc(guide.title)}</h1><p>一、主动公开……</p>"),
                                   date(2023, 1, 5), True))
