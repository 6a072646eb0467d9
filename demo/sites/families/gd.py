"""Guangdong 集约化 (NFCMS) district site + its gkmlpt 政府信息公开目录 (like 花都).

Columns ``/xxgk/xxgkml/xxgknb/{qzf,gbm,zj}/index.html`` with a 1-based pager (page 2 = ``index_2.html``),
articles ``…/content/post_N.html``, attachments ``/attachment/0/…/N.pdf|docx``. ``/gkmlpt/index`` is the
Vue shell carrying ``SID`` and ``window._CONFIG.TREE``; its JSON API ``/gkmlpt/api/all/{cat}?page=&sid=``
lists the same reports (100 a page; page 0 answers like page 1) with ``attachment[]``, and a ``post_url``
(``/gkmlpt/content/…/post_N.html``) that serves the same bytes as ``url`` — one document, two URLs.
"""

from __future__ import annotations

import json
from datetime import date

from demo.sites import pages as P
from demo.sites.catalogue import DEPARTMENT, GOVERNMENT, DEPARTMENTS
from demo.sites.documents import MEDIA_TYPES
from demo.sites.families.common import html_resource, make_doc, pages_of, pick_format, pick_quirks
from demo.sites.model import Decoy, Doc, Resource
from demo.sites.server import Request, SiteRoutes
from demo.sites.world import plan_site

SITE = "gd"
ROOT = "/xxgk/xxgkml/xxgknb/"
COLUMNS = {"qzf/": ("区政府年报", 2001), "gbm/": ("部门年报", 2002), "zj/": ("镇街年报", 2003)}
API_PER_PAGE = 100
SPECIALS = ("gone", "script_shell", "redirect_off_site", "percent_u")


def column_of(unit) -> str:
    return {GOVERNMENT: "qzf/", DEPARTMENT: "gbm/"}.get(unit.unit_type, "zj/")


def sid(world) -> str:
    return world.district(SITE).admin_code[:4] + "41"


def plan(world) -> None:
    regular, extra = plan_site(world, SITE, len(SPECIALS))
    rng = world.rng(SITE, "formats")
    ids = iter(rng.sample(range(8_000_000, 9_999_999), len(regular) + len(extra) + 10))
    t3_old_done = False
    for p in regular:
        fmt = pick_format(rng, {"html": 0.75, "docx": 0.15, "pdf": 0.10})
        doc = _doc(world, p, fmt, next(ids), pick_quirks(rng, fmt))
        if p.year == 2022 and not t3_old_done and fmt != "html":
            doc.t3_version, t3_old_done = "gov2019", True
        world.add_doc(doc)
    # title trap: neither the list nor the page title says which year the report covers
    trap = next(d for d in world.docs if d.site == SITE and d.fmt == "html" and not d.quirks and d.year >= 2021)
    trap.quirks = ("year_only_in_body",)
    trap.link_title = trap.title.replace(f"{trap.year}年", "")
    for name, p in zip(SPECIALS, extra):
        doc = _doc(world, p, "html", next(ids), (), fault=None if name == "percent_u" else name)
        if name == "percent_u":
            doc.quirks = ("percent_u_title",)
        world.add_doc(doc)
    for key, published in (("fj-pingtan-2022", date(2023, 2, 20)), ("sh-city-office-2019", date(2020, 1, 31))):
        rid = next(ids)
        from demo.sites.real import load_real_values
        rep = load_real_values(key)["report"]
        world.add_doc(Doc(doc_id=f"gd-{rid}", site=SITE, path=f"{ROOT}qzf/content/post_{rid}.html",
                          title=rep["title"], agency=rep["agency"], region=rep["region"], year=rep["year"],
                          version=rep["format_version"], fmt="html", published=published, column="qzf/",
                          real=key, aliases=(_post_url(rid),)))
    _plan_decoys(world, next(ids), next(ids))


def _post_url(rid: int) -> str:
    return f"/gkmlpt/content/{rid // 1_000_000}/{rid // 1000}/post_{rid}.html"


def _doc(world, p, fmt, rid, quirks, **kw) -> Doc:
    col = column_of(p.unit)
    article = f"{ROOT}{col}content/post_{rid}.html"
    if fmt in ("pdf", "docx"):
        path = f"/attachment/0/{rid // 10000}/{rid // 100}/{rid}.{fmt}"
        return make_doc(world, SITE, p, path=path, column=col, fmt=fmt, doc_id=f"gd-{rid}", quirks=quirks,
                        article_path=article, **kw)
    aliases = (_post_url(rid),)
    return make_doc(world, SITE, p, path=article, column=col, fmt=fmt, doc_id=f"gd-{rid}", quirks=quirks,
                    aliases=aliases, **kw)


def _plan_decoys(world, rid1, rid2) -> None:
    d = world.district(SITE)
    dept = next(name for name, _ in DEPARTMENTS)
    world.add_decoy(Decoy(SITE, f"{ROOT}gbm/content/post_{rid1}.html", f"{d.prefix}{dept}2025年部门预算",
                          "budget", "not_a_report"))
    world.add_decoy(Decoy(SITE, f"{ROOT}qzf/content/post_{rid2}.html",
                          f"{d.city}2024年政府信息公开工作年度报告（全市汇总）", "prefecture_summary",
                          "not_a_report"))


def listed_on(world, doc: Doc, day: int) -> list[str]:
    href = doc.article_path or doc.path
    docs = world.docs_on(SITE, day, doc.column)
    for i, chunk in enumerate(pages_of(docs)):
        if any((x.article_path or x.path) == href for x in chunk):
            out = [ROOT + doc.column + ("index.html" if i == 0 else f"index_{i + 1}.html")]
            break
    else:
        out = []
    out.append(f"/gkmlpt/api/all/{COLUMNS[doc.column][1]}?page=1&sid={sid(world)}")
    if doc.article_path:
        out.append(doc.article_path)
    return out


# --- serving -----------------------------------------------------------------------------------
def routes(world, day: int, bases: dict) -> dict[str, SiteRoutes]:
    r = SiteRoutes(SITE)
    d = world.district(SITE)
    docs = world.docs_on(SITE, day)
    # no robots.txt at all: 404 means "allow everything" (RFC 9309)
    decoys = [x for x in world.decoys(day) if x.site == SITE]
    for col, (name, _) in COLUMNS.items():
        col_docs = [x for x in docs if x.column == col]
        _add_list(world, r, col, name, col_docs, decoys, bases)
    for doc in docs:
        _add_doc(world, r, doc, day, bases)
    for x in decoys:
        r.add(x.url, html_resource(P.page(P.meta_block(d, "年报", x.title, date(2025, 2, 20)),
                                          f"<h1>{P.esc(x.title)}</h1>" + _decoy_text(x)), date(2025, 2, 20), True))
    r.add("/gkmlpt/index", html_resource(_gkmlpt_shell(world), date(2025, 1, 1), True))
    r.dynamic = lambda req: _api(world, day, req, bases)
    return {SITE: r}


def _decoy_text(x: Decoy) -> str:
    if x.why == "budget":
        return "<p>一、部门主要职责……</p><table><tr><td>收入总计</td><td>3210.55</td></tr></table>"
    return ("<p>本报告由南海市人民政府办公室根据各县（市、区）政府和市政府各部门政府信息公开工作年度报告汇总编制。</p>")


def _href(doc: Doc) -> str:
    return doc.article_path or doc.path


def _add_list(world, r, col, name, docs, decoys, bases) -> None:
    d = world.district(SITE)
    items = [(_href(x), x.list_title, x.published) for x in docs]
    if col == "gbm/":
        items += [(x.url, x.title, date(2025, 2, 20)) for x in decoys if x.why == "budget"]
    if col == "qzf/":
        items += [(x.url, x.title, date(2025, 2, 20)) for x in decoys if x.why == "prefecture_summary"]
    items.sort(key=lambda t: t[2], reverse=True)
    chunks = pages_of(items)
    newest = items[0][2] if items else date(2025, 1, 1)
    for i, chunk in enumerate(chunks):
        pager = "".join(f'<a href="{"index" if k == 0 else f"index_{k + 1}"}.html">{k + 1}</a>'
                        for k in range(len(chunks)))
        body = (f'<div class="main"><h2>{name}</h2>{P.ul(chunk)}<div class="pagination">{pager}'
                f"<span>共{len(chunks)}页</span></div></div>")
        fault = "rate_limited_once" if col == "gbm/" and i == 0 else None
        res = html_resource(P.page(P.meta_block(d, name, name, newest), body), newest, True, fault=fault)
        r.add(ROOT + col + ("index.html" if i == 0 else f"index_{i + 1}.html"), res)
        if i == 0:
            r.add(ROOT + col, res)


def _add_doc(world, r, doc: Doc, day, bases) -> None:
    _add_doc_pages(world, r, doc, day, bases)
    # the gkmlpt detail URL serves whatever the 集约化 article URL serves
    rid = int(doc.doc_id.split("-")[1])
    r.add(_post_url(rid), r.static[doc.article_path or doc.path])


def _add_doc_pages(world, r, doc: Doc, day, bases) -> None:
    d = world.district(SITE)
    body = (lambda doc=doc: world.doc_bytes(doc, day))
    if doc.fault == "gone":
        r.add(doc.path, Resource(status=410, body=b"<html><body><h1>410 Gone</h1></body></html>"))
        return
    if doc.fault == "script_shell":
        r.add(doc.path, Resource(body=P.SCRIPT_SHELL, content_type="text/html"))
        return
    if doc.fault == "redirect_off_site":
        spam = bases.get("spam", "http://127.0.0.1:9")
        r.add(doc.path, Resource(status=302, headers=(("Location", f"{spam}{doc.path}"),)))
        return
    if doc.article_path:
        name = f"{doc.title}.{doc.fmt}"
        link = f'<a href="{doc.path}" title="{P.esc(name)}">{P.esc(name)}</a>'
        r.add(doc.article_path, html_resource(
            P.attachment_article(d, "政府信息公开年报", doc.title, doc.published, doc.agency, link),
            doc.published, True))
        r.add(doc.path, Resource(body=body, content_type=MEDIA_TYPES[doc.fmt], conditional=True,
                                 last_modified=doc.published))
        return
    r.add(doc.path, Resource(body=body, conditional=True, last_modified=doc.published))


def _gkmlpt_shell(world) -> str:
    tree = [{"id": cat, "name": name, "parent": 2000, "jump_url": f"{ROOT}{col}"} for col, (name, cat) in
            COLUMNS.items()]
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开目录</title>'
            f"<script>window._CONFIG = {{SID: '{sid(world)}', TREE: {json.dumps(tree, ensure_ascii=False)}}};"
            '</script></head><body><div id="app"></div><script src="/gkmlpt/static/js/app.js"></script>'
            "</body></html>")


def _api(world, day, req: Request, bases) -> Resource | None:
    if not req.path.startswith("/gkmlpt/api/all/"):
        return None
    try:
        cat = int(req.path.rsplit("/", 1)[1])
        page = int(req.arg("page", "1") or 1)
    except ValueError:
        return Resource(status=400, body=b'{"error":"bad request"}', content_type="application/json")
    if req.arg("sid") != sid(world):
        return Resource(body=b'{"classify":{"post_count":0},"articles":[]}', content_type="application/json")
    cols = [c for c, (_, cat_id) in COLUMNS.items() if cat == cat_id or cat == 0]
    docs = [x for x in world.docs_on(SITE, day) if x.column in cols]
    page = max(page, 1)  # page 0 answers like page 1 (hulelan SCRATCHPAD)
    chunk = docs[(page - 1) * API_PER_PAGE: page * API_PER_PAGE]
    base = bases.get(SITE, "")
    articles = [_api_article(world, x, base, day) for x in chunk]
    data = {"classify": {"id": cat, "post_count": len(docs)}, "articles": articles}
    return Resource(body=json.dumps(data, ensure_ascii=False).encode("utf-8"),
                    content_type="application/json;charset=UTF-8")


def _api_article(world, doc: Doc, base: str, day) -> dict:
    rid = int(doc.doc_id.split("-")[1])
    title = doc.list_title
    if "percent_u_title" in doc.quirks:  # some gkmlpt titles arrive JavaScript-escape()d
        title = "".join(f"%u{ord(ch):04X}" if ord(ch) > 127 else ch for ch in title)
    attachments = []
    if doc.article_path:
        attachments.append({"name": f"{doc.title}.{doc.fmt}", "type": doc.fmt, "mime": MEDIA_TYPES[doc.fmt],
                            "size": None, "url": base + doc.path})
    return {"id": rid, "title": title, "identifier": f"11{world.district(SITE).admin_code}MB2C/{doc.year + 1}-{rid % 1000:05d}",
            "document_number": "", "publisher": doc.agency, "date": doc.published.isoformat() + " 09:30:00", "url": base + (doc.article_path or doc.path),
            "post_url": base + _post_url(rid), "attachment": attachments}
