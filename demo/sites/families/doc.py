"""intertid-style district site (like 锡山): ``/doc/YYYY/MM/DD/ID.shtml`` + ``POST /info_open/search``.

The column page has no links: its list is drawn by JS from ``POST /info_open/search`` (form ``siteId``,
``channelIds``, ``pageIndex`` 1-based, ``pageSize``; ``title`` filters, ``keyword`` is ignored) which answers
``{"status":0,"data":{"totalPages","totalElements","data":[{title,writeTime,openTime,indexId,url,organization}]}}``.
Every report here is an attachment of its article: .docx, .pdf, and the awkward ones — a .wps (OLE),
an .ofd, an image-only scanned PDF, a .png 图片版 — linked by ``href``, ``onclick="openFile('…')"``,
``window.open('…')`` or a pdf.js ``viewer.html?file=…``. robots.txt disallows ``/uploadfiles/2024/``,
where one attachment lives. No ETag / Last-Modified: this host never answers 304.
"""

from __future__ import annotations

import json
from datetime import date

from demo.sites import pages as P
from demo.sites.documents import EXTENSIONS, MEDIA_TYPES
from demo.sites.families.common import html_resource, make_doc, pick_format, pick_quirks
from demo.sites.model import Doc, Resource
from demo.sites.server import Request, SiteRoutes
from demo.sites.world import plan_site

SITE = "doc"
COLUMN = "/xxgk/zfxxgknb/index.shtml"
SITE_ID, CHANNELS = "32", "1201,1202"
DISALLOWED = "/uploadfiles/2024/"
# special attachments: (name, format, fault)
SPECIALS = (("wps", "wps", None), ("ofd", "ofd", None), ("scan", "scan-pdf", None), ("png", "png", None),
            ("truncate", "pdf", "truncate"), ("empty", "docx", "empty_file"),
            ("challenge_521", "pdf", "challenge_521"), ("robots", "pdf", "robots_disallow"))
LINK_STYLES = ("href", "onclick", "viewer", "window_open")


def plan(world) -> None:
    regular, extra = plan_site(world, SITE, len(SPECIALS))
    rng = world.rng(SITE, "formats")
    ids = iter(rng.sample(range(4_480_000, 4_499_999), len(regular) + len(extra) + 5))
    for i, p in enumerate(regular):
        fmt = pick_format(rng, {"docx": 0.5, "pdf": 0.5})
        world.add_doc(_doc(world, p, fmt, next(ids), pick_quirks(rng, fmt), LINK_STYLES[i % len(LINK_STYLES)]))
    for (_name, fmt, fault), p in zip(SPECIALS, extra):
        world.add_doc(_doc(world, p, fmt, next(ids), (), "href", fault=fault))
    from demo.sites.real import load_real_values
    for key, published in (("js-huaian-hongze-2023", date(2024, 1, 26)), ("js-huaian-hongze-2024", date(2025, 1, 24))):
        rep = load_real_values(key)["report"]
        rid = next(ids)
        doc = Doc(doc_id=f"doc-{rid}", site=SITE, path=_attachment(published, rid, "pdf", None),
                  title=rep["title"], agency=rep["agency"], region=rep["region"], year=rep["year"],
                  version=rep["format_version"], fmt="pdf", published=published, column="1201", real=key,
                  article_path=_article(published, rid), quirks=("link_viewer",))
        world.add_doc(doc)


def _article(d: date, rid: int) -> str:
    return f"/doc/{d.year}/{d.month:02d}/{d.day:02d}/{rid}.shtml"


def _attachment(d: date, rid: int, fmt: str, fault: str | None) -> str:
    folder = DISALLOWED if fault == "robots_disallow" else f"/attach/{d.year}/{d.month:02d}/"
    return f"{folder}{rid}{d:%m%d}.{EXTENSIONS[fmt]}"


def _doc(world, p, fmt, rid, quirks, link_style, **kw) -> Doc:
    return make_doc(world, SITE, p, path=_attachment(p.published, rid, fmt, kw.get("fault")), column="1201",
                    fmt=fmt, doc_id=f"doc-{rid}", quirks=quirks + (f"link_{link_style}",),
                    article_path=_article(p.published, rid), **kw)


def listed_on(world, doc: Doc, day: int) -> list[str]:
    return ["/info_open/search", doc.article_path]


def routes(world, day: int, bases: dict) -> dict[str, SiteRoutes]:
    r = SiteRoutes(SITE)
    d = world.district(SITE)
    r.add("/robots.txt", Resource(body=f"User-agent: *\nDisallow: {DISALLOWED}\n\nUser-agent: GPTBot\n"
                                       "Disallow: /\n".encode("ascii"), content_type="text/plain"))
    shell = (f'<div class="list-box"><h2>政府信息公开年报</h2><ul id="infoList" data-site-id="{SITE_ID}" '
             f'data-channel-ids="{CHANNELS}"></ul><div id="pager"></div></div>'
             '<script src="/js/info_open.js"></script>')
    r.add(COLUMN, html_resource(P.page(P.meta_block(d, "政府信息公开年报", "政府信息公开年报", date(2025, 3, 1)), shell),
                                None, False))
    r.add("/xxgk/zfxxgknb/", r.static[COLUMN])
    r.add("/js/info_open.js", Resource(body=_JS.encode("utf-8"), content_type="application/javascript"))
    for doc in world.docs_on(SITE, day):
        _add_doc(world, r, doc, day)
    r.dynamic = lambda req: _search(world, day, req)
    return {SITE: r}


_JS = """$(function(){var box=$('#infoList');function load(p){$.post('/info_open/search',{siteId:box.data('site-id'),
channelIds:box.data('channel-ids'),pageIndex:p,pageSize:10},function(res){if(res.status!==0)return;box.empty();
$.each(res.data.data,function(i,it){box.append('<li><a href="'+it.url+'">'+it.title+'</a><span>'+it.writeTime+
'</span></li>')});});}load(1);});"""


def _link(doc: Doc) -> str:
    name = P.esc(f"{doc.title}.{EXTENSIONS[doc.fmt]}")
    if "link_onclick" in doc.quirks:
        return f'<a href="javascript:void(0);" onclick="openFile(\'{doc.path}\')">{name}</a>'
    if "link_window_open" in doc.quirks:
        return f'<a href="#" onclick="window.open(\'{doc.path}\');return false;">{name}</a>'
    if "link_viewer" in doc.quirks:
        return f'<a href="/pdfjs/web/viewer.html?file={doc.path}" target="_blank">{name}</a>'
    return f'<a href="{doc.path}" target="_blank">{name}</a>'


def _add_doc(world, r, doc: Doc, day) -> None:
    d = world.district(SITE)
    note = "（图片版）" if doc.fmt == "png" else ""
    article = P.attachment_article(d, "政府信息公开年报", doc.title + note, doc.published, doc.agency, _link(doc))
    r.add(doc.article_path, html_resource(article, None, False))
    body = (lambda doc=doc: world.doc_bytes(doc, day))
    mime = MEDIA_TYPES[doc.fmt]
    if doc.fault == "challenge_521":
        r.add(doc.path, Resource(status=521, body=b"<html><script>document.cookie='__jsl_clearance=1';"
                                                  b"location.href=location.pathname</script></html>",
                                 content_type="text/html"))
    elif doc.fault == "truncate":
        r.add(doc.path, Resource(body=body, content_type=mime, fault="truncate"))
    else:
        r.add(doc.path, Resource(body=body, content_type=mime, ranges=True))  # static files: nginx serves ranges


def _search(world, day, req: Request) -> Resource | None:
    if req.path != "/info_open/search":
        return None
    if req.method != "POST":
        return Resource(status=405, body=b'{"status":1,"msg":"Request method not supported"}',
                        content_type="application/json")
    if req.arg("siteId") != SITE_ID:
        return _json({"status": 1, "msg": "站点不存在"})
    docs = world.docs_on(SITE, day)
    wanted = set((req.arg("channelIds") or "").split(","))
    docs = [x for x in docs if x.column in wanted]
    title = req.arg("title")
    if title:  # title filters; keyword is accepted and ignored (wnd.gov.cn crawler tests)
        docs = [x for x in docs if title in x.title]
    size = max(1, min(int(req.arg("pageSize", "10") or 10), 50))
    page = max(1, int(req.arg("pageIndex", "1") or 1))
    chunk = docs[(page - 1) * size: page * size]
    items = [{"title": x.title + ("（图片版）" if x.fmt == "png" else ""), "writeTime": x.published.isoformat(),
              "openTime": x.published.isoformat() + " 10:00:00", "indexId": f"{x.doc_id.split('-')[1]}",
              "url": x.article_path, "organization": x.agency} for x in chunk]
    return _json({"status": 0, "data": {"totalPages": -(-len(docs) // size), "totalElements": len(docs),
                                        "data": items}})


def _json(data: dict) -> Resource:
    return Resource(body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
                    content_type="application/json;charset=UTF-8")
