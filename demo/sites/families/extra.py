"""The two small hosts around the district sites.

``spam`` is an off-allowlist mirror (like bet365asia.net copying 花都's column): district pages link to it
and one report link redirects to it. A polite crawler never requests anything here, so every logged
request on this host is a violation. ``down`` is a county site whose robots.txt answers 500: RFC 9309
says assume "disallow all", so the crawler skips the host for this run and reports it.
"""

from __future__ import annotations

from datetime import date

from demo.sites import pages as P
from demo.sites.families.common import html_resource, make_doc
from demo.sites.model import ExpectedPage, Resource
from demo.sites.server import Request, SiteRoutes
from demo.sites.world import plan_site

DOWN_ROOT = "/xxgk/ndbg/"


def plan(world) -> None:
    regular, _ = plan_site(world, "down", 0)
    for i, p in enumerate(regular):
        path = f"{DOWN_ROOT}{p.published.year}{p.published.month:02d}/t{p.published:%Y%m%d}_{500 + i}.html"
        world.add_doc(make_doc(world, "down", p, path=path, column="ndbg/", fmt="html", doc_id=f"down-{i}"))
    world.pages.append(ExpectedPage("down", DOWN_ROOT, "robots_skipped", "robots_500",
                                    "robots.txt answers 500: skip the whole host this run; no other request"))


def listed_on(world, doc, day):
    return [DOWN_ROOT + "index.html"]


def routes(world, day: int, bases: dict) -> dict[str, SiteRoutes]:
    return {"spam": _spam_routes(world), "down": _down_routes(world, day)}


def _spam_routes(world) -> SiteRoutes:
    r = SiteRoutes("spam")
    r.add("/robots.txt", Resource(body=b"User-agent: *\nAllow: /\n", content_type="text/plain"))

    def mirror(request: Request):
        if request.path == "/robots.txt":
            return None
        body = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报-bet365亚洲官网</title>'
                '</head><body><a href="/xxgk/zfxxgknb/index.html">政府信息公开年报</a>'
                '<p>本站内容转载自政府网站。<a href="/casino/">真人娱乐</a></p></body></html>')
        return Resource(body=body.encode("utf-8"))

    r.dynamic = mirror
    return r


def _down_routes(world, day) -> SiteRoutes:
    r = SiteRoutes("down")
    d = world.district("down")
    r.add("/robots.txt", Resource(status=500, body=b"<html><body>500 Internal Server Error</body></html>",
                                  content_type="text/html"))
    docs = world.docs_on("down", day)
    items = [(x.path, x.title, x.published) for x in docs]
    newest = docs[0].published if docs else date(2025, 1, 1)
    listing = html_resource(P.page(P.meta_block(d, "年度报告", "年度报告", newest), P.ul(items)), newest, False)
    r.add(DOWN_ROOT, listing)
    r.add(DOWN_ROOT + "index.html", listing)
    for doc in docs:
        r.add(doc.path, Resource(body=lambda doc=doc: world.doc_bytes(doc, day)))
    return r
