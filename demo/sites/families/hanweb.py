"""Hanweb 大汉 JCMS district site (like 上城 / 锡山's Zhejiang neighbours).

Column ``/col/col{ID}/index.html`` embeds its first 15 records as CDATA ``<record>``s inside
``<script type="text/xml"><datastore>``; further pages come from ``POST /module/web/jpage/dataproxy.jsp``
(form ``col=1&appid=1&webid=…&columnid=…&unitid=…``) which honours ``page`` and ``perpage`` (capped at
50) and ignores ``startrecord`` (a Jiangsu crawler's note: paging by startrecord loops on page 1).
Articles ``/art/Y/M/D/art_{col}_{id}.html`` answer 404 unless the Referer is a page of the same site.
The 镇街 column is an iframe shell: the list lives in ``/module/xxgk/list.jsp?columnid=…``.
PDF attachments come from ``/module/download/downfile.jsp?classid=0&filename=….pdf``.
"""

from __future__ import annotations

from datetime import date

from demo.sites import pages as P
from demo.sites.catalogue import TOWN
from demo.sites.families.common import HTML, html_resource, make_doc, pick_format, pick_quirks
from demo.sites.model import Decoy, Doc, Resource
from demo.sites.server import Request, SiteRoutes
from demo.sites.world import plan_site

SITE = "hanweb"
MAIN_COL, TOWN_COL = 1229233089, 1229233100
WEBID, UNITID = 3185, 7765713
FIRST_PAGE = 15
MAX_PERPAGE = 50
GUIDE = "/art/2023/1/5/art_1229233089_4100001.html"
SPECIALS = ("challenge_202", "html_as_octet")


def plan(world) -> None:
    regular, extra = plan_site(world, SITE, len(SPECIALS))
    rng = world.rng(SITE, "formats")
    ids = iter(rng.sample(range(4_100_100, 4_999_999), len(regular) + len(extra) + 5))
    for p in regular:
        fmt = pick_format(rng, {"html": 0.8, "pdf": 0.2})
        world.add_doc(_doc(world, p.unit.unit_type, p, fmt, next(ids), pick_quirks(rng, fmt)))
    # every article needs the Referer; one is named for the fault-case test
    next(d for d in world.docs if d.site == SITE and d.fmt == "html").fault = "referer_required"
    for name, p in zip(SPECIALS, extra):
        world.add_doc(_doc(world, p.unit.unit_type, p, "html-octet" if name == "html_as_octet" else "html",
                           next(ids), (), fault=name))
    from demo.sites.real import load_real_values
    rep = load_real_values("fj-pingtan-2019")["report"]
    rid, published = next(ids), date(2020, 1, 20)
    world.add_doc(Doc(doc_id=f"hanweb-{rid}", site=SITE, path=_art(MAIN_COL, published, rid), title=rep["title"],
                      agency=rep["agency"], region=rep["region"], year=rep["year"], version=rep["format_version"],
                      fmt="html", published=published, column=str(MAIN_COL), real="fj-pingtan-2019"))
    world.add_decoy(Decoy(SITE, GUIDE, f"{world.district(SITE).prefix}人民政府信息公开指南", "guide",
                          "not_a_report"))


def _art(col: int, d: date, rid: int) -> str:
    return f"/art/{d.year}/{d.month}/{d.day}/art_{col}_{rid}.html"


def _doc(world, unit_type, p, fmt, rid, quirks, **kw) -> Doc:
    col = TOWN_COL if unit_type == TOWN else MAIN_COL
    article = _art(col, p.published, rid)
    if fmt == "pdf":
        path = f"/module/download/downfile.jsp?classid=0&filename={rid}{p.published:%m%d}.pdf"
        return make_doc(world, SITE, p, path=path, column=str(col), fmt=fmt, doc_id=f"hanweb-{rid}",
                        quirks=quirks, article_path=article, **kw)
    return make_doc(world, SITE, p, path=article, column=str(col), fmt=fmt, doc_id=f"hanweb-{rid}",
                    quirks=quirks, **kw)


def listed_on(world, doc: Doc, day: int) -> list[str]:
    out = [f"/col/col{doc.column}/index.html" if doc.column == str(MAIN_COL)
           else f"/module/xxgk/list.jsp?columnid={TOWN_COL}"]
    if doc.article_path:
        out.append(doc.article_path)
    return out


def _record(doc_or_decoy) -> str:
    if isinstance(doc_or_decoy, Decoy):
        href, title, d = doc_or_decoy.url, doc_or_decoy.title, date(2023, 1, 5)
    else:
        href, title, d = doc_or_decoy.article_path or doc_or_decoy.path, doc_or_decoy.list_title, doc_or_decoy.published
    return (f'<li><a href="{href}" title="{P.esc(title)}" target="_blank">{P.esc(title)}</a>'
            f"<span>{d.isoformat()}</span></li>")


def _main_records(world, day) -> list[str]:
    docs = world.docs_on(SITE, day, str(MAIN_COL))
    guide = [x for x in world.decoys(day) if x.site == SITE and x.why == "guide"]
    return [_record(x) for x in docs] + [_record(x) for x in guide]


def routes(world, day: int, bases: dict) -> dict[str, SiteRoutes]:
    r = SiteRoutes(SITE)
    d = world.district(SITE)
    r.add("/robots.txt", Resource(body=b"User-agent: *\nDisallow: /module/xxgk/admin/\n", content_type="text/plain"))
    records = _main_records(world, day)
    total = len(records)
    first = "".join(f"<record><![CDATA[{x}]]></record>" for x in records[:FIRST_PAGE])
    nextgroup = (f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={WEBID}&path=/&columnid={MAIN_COL}'
                 f'&unitid={UNITID}&webname=%E4%B8%8A%E6%B2%B3%E5%8C%BA&permissiontype=0"></a>')
    body = (f'<div class="main"><h2>政府信息公开年报</h2><div id="{UNITID}">'
            f'<script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>'
            f"<recordset>{first}</recordset></datastore></script>"
            f'<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>'
            f"<script>$('#{UNITID}').jpage({{dataStore:dataStore,perPage:15,totalRecord:{total},"
            f"proxyUrl:'/module/web/jpage/dataproxy.jsp',webid:{WEBID},columnid:{MAIN_COL},unitid:{UNITID}}});"
            f"</script></div><a href=\"/col/col{TOWN_COL}/index.html\">镇街年报</a></div>")
    newest = date(2025, 3, 1)
    r.add(f"/col/col{MAIN_COL}/index.html", html_resource(P.page(P.meta_block(d, "政府信息公开年报", "政府信息公开年报", newest), body), None, False))
    shell = (f'<div class="main"><h2>镇街年报</h2><iframe src="/module/xxgk/list.jsp?columnid={TOWN_COL}" '
             'width="100%" height="900" frameborder="0" scrolling="no"></iframe></div>')
    r.add(f"/col/col{TOWN_COL}/index.html", html_resource(P.page(P.meta_block(d, "镇街年报", "镇街年报", newest), shell), None, False))
    guide = [x for x in world.decoys(day) if x.site == SITE and x.why == "guide"]
    for x in guide:
        r.add(x.url, html_resource(P.page(P.meta_block(d, "指南", x.title, date(2023, 1, 5)),
                                          f"<h1>{P.esc(x.title)}</h1><p>一、主动公开……</p>"), None, False,
                                   require_referer=True))
    downloads: dict[str, Resource] = {}
    for doc in world.docs_on(SITE, day):
        _add_doc(world, r, doc, day, downloads)
    r.dynamic = lambda req: _dynamic(world, day, req, downloads)
    return {SITE: r}


def _add_doc(world, r, doc: Doc, day, downloads) -> None:
    d = world.district(SITE)
    body = (lambda doc=doc: world.doc_bytes(doc, day))
    if doc.fault == "challenge_202":
        r.add(doc.path, Resource(status=202, body=P.CHALLENGE_PAGE, content_type="text/html",
                                 headers=(("Set-Cookie", "wzws_cid=7d1a0c; Path=/"),)))
        return
    if doc.article_path:
        link = f'<a href="{P.esc(doc.path)}" target="_blank">{P.esc(doc.title)}.pdf</a>'
        r.add(doc.article_path, html_resource(
            P.attachment_article(d, "政府信息公开年报", doc.title, doc.published, doc.agency, link),
            None, False, require_referer=True))
        downloads[doc.path.split("filename=", 1)[1]] = Resource(body=body, content_type="application/pdf",
                                                                ranges=True)
        return
    ctype = "application/octet-stream" if doc.fmt == "html-octet" else HTML
    r.add(doc.path, Resource(body=body, content_type=ctype, require_referer=True))


def _dynamic(world, day, req: Request, downloads) -> Resource | None:
    if req.path == "/module/web/jpage/dataproxy.jsp":
        if req.method != "POST":
            return Resource(status=405, body=b"", content_type="text/plain")
        return _dataproxy(world, day, req)
    if req.path == "/module/xxgk/list.jsp":
        return _town_list(world, day, req)
    if req.path == "/module/download/downfile.jsp":
        return downloads.get(req.arg("filename", ""), None)
    return None


def _dataproxy(world, day, req: Request) -> Resource:
    if req.arg("columnid") != str(MAIN_COL):
        records: list[str] = []
    else:
        records = _main_records(world, day)
    perpage = min(int(req.arg("perpage", "15") or 15), MAX_PERPAGE)
    page = int(req.arg("page", "1") or 1)  # startrecord/endrecord are ignored on purpose
    chunk = records[(page - 1) * perpage: page * perpage]
    total_pages = -(-len(records) // perpage) if records else 0
    xml = ('<?xml version="1.0" encoding="UTF-8"?><datastore>'
           f"<totalrecord>{len(records)}</totalrecord><totalpage>{total_pages}</totalpage><recordset>"
           + "".join(f"<record><![CDATA[{x}]]></record>" for x in chunk) + "</recordset></datastore>")
    return Resource(body=xml.encode("utf-8"), content_type="text/xml;charset=UTF-8")


def _town_list(world, day, req: Request) -> Resource | None:
    if req.arg("columnid") != str(TOWN_COL):
        return None
    docs = world.docs_on(SITE, day, str(TOWN_COL))
    items = "".join(_record(x) for x in docs)
    text = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>镇街年报</title></head><body>'
            f'<ul class="xxgk_list">{items}</ul></body></html>')
    return Resource(body=text.encode("utf-8"))
