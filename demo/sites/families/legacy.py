"""An old county site (like 晋安 2016 / 朝阳系): GB2312-declared pages, per-year sub-columns, a WAF column.

After a redesign (改版) the configured column ``/xjwz/zwgk/zfxxgk/zfxxgknb/`` answers 302 to the new
``/zfxxgk/zfxxgknb/index.htm`` (path drift the crawler should report). The new column links per-year
sub-columns ``nb2019/ … nb2024/``; ``nb2022/`` sits behind a 412 + Set-Cookie + <script> challenge.
Pages declare ``charset=gb2312`` but contain GBK-only characters (镕 堃 珺 in town names); one page
says ``utf-8`` in the HTTP header while sending GBK bytes. robots.txt asks for ``Crawl-delay: 5``.
"""

from __future__ import annotations

from datetime import date

from demo.sites import pages as P
from demo.sites.catalogue import plan_reports, report_title
from demo.sites.documents import to_gbk
from demo.sites.families.common import make_doc, pages_of, pick_format, yyyymm, yyyymmdd
from demo.sites.model import Doc, ExpectedPage, Resource
from demo.sites.server import SiteRoutes

SITE = "legacy"
OLD_ROOT = "/xjwz/zwgk/zfxxgk/zfxxgknb/"
ROOT = "/zfxxgk/zfxxgknb/"
BLOCKED_YEAR = 2022
GBK_HTML = "text/html; charset=gb2312"
YEARS = (2019, 2020, 2021, 2023, 2024)


def plan(world) -> None:
    n = world.n_regular(SITE)
    planned = plan_reports(world.district(SITE), world.seed, n + 1, years=YEARS)
    rng = world.rng(SITE, "formats")
    for i, p in enumerate(planned[:n]):
        rid = 10000 + i * 7 + rng.randrange(7)
        fmt = pick_format(rng, {"html": 0.8, "pdf": 0.2})
        col = f"nb{p.year}/"
        article = f"{ROOT}{col}{yyyymm(p.published)}/t{yyyymmdd(p.published)}_{rid}.htm"
        if fmt == "pdf":
            path = f"{ROOT}{col}{yyyymm(p.published)}/P0{yyyymmdd(p.published)}{rid}.pdf"
            world.add_doc(make_doc(world, SITE, p, path=path, column=col, fmt="pdf", doc_id=f"legacy-{rid}",
                                   article_path=article))
        else:
            world.add_doc(make_doc(world, SITE, p, path=article, column=col, fmt="html",
                                   doc_id=f"legacy-{rid}", quirks=("gbk",)))
    header_liar = next(d for d in world.docs if d.site == SITE and d.fmt == "html")
    header_liar.quirks = ("gbk", "utf8_header")
    # a report under the 2007 条例: still a report, extraction must call it unsupported (pre-2019)
    p = planned[n]
    gov = p.unit.agency if p.unit.unit_type == "本级" else f"{world.district(SITE).prefix}人民政府"
    world.add_doc(Doc(doc_id="legacy-2017", site=SITE, path=f"{ROOT}lnnb/201802/t20180228_9001.htm",
                      title=report_title(gov, 2017), agency=gov, region=world.district(SITE).region,
                      year=2017, version="pre2019", fmt="pre2019-html", published=date(2018, 2, 28),
                      column="lnnb/", quirks=("gbk",)))
    world.pages.append(ExpectedPage(SITE, OLD_ROOT, "ok", "moved_column",
                                    f"302 to {ROOT}index.htm: follow it and report the drift"))
    world.pages.append(ExpectedPage(SITE, f"{ROOT}nb{BLOCKED_YEAR}/index.htm", "blocked", "challenge_412",
                                    "412 + Set-Cookie + <script> challenge, every time: blocked, no loop"))


def listed_on(world, doc, day):
    out = [f"{ROOT}{doc.column}index.htm"]
    if doc.article_path:
        out.append(doc.article_path)
    return out


def _gbk_page(head: str, body: str) -> bytes:
    return P.page(head.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" '
                                                          'content="text/html; charset=gb2312">'),
                  body).encode("gbk", errors="xmlcharrefreplace")


def routes(world, day: int, bases: dict) -> dict[str, SiteRoutes]:
    r = SiteRoutes(SITE)
    d = world.district(SITE)
    r.add("/robots.txt", Resource(body=b"User-agent: *\nCrawl-delay: 5\nDisallow: /admin/\n",
                                  content_type="text/plain"))
    docs = world.docs_on(SITE, day)
    newest = max(x.published for x in docs)
    r.add(OLD_ROOT, Resource(status=302, headers=(("Location", ROOT + "index.htm"),)))
    r.add(OLD_ROOT + "index.htm", Resource(status=302, headers=(("Location", ROOT + "index.htm"),)))
    years = sorted({x.year for x in docs if x.year >= 2019} | {BLOCKED_YEAR}, reverse=True)
    nav = "".join(f'<li><a href="nb{y}/index.htm">{y}年政府信息公开年报</a></li>' for y in years)
    nav += '<li><a href="lnnb/index.htm">历年年报</a></li>'
    root = _gbk_page(P.meta_block(d, "政府信息公开年报", "政府信息公开年报", newest),
                     f'<div class="left"><h3>{d.prefix}政府信息公开年报</h3><ul>{nav}</ul></div>')
    for path in (ROOT, ROOT + "index.htm"):
        r.add(path, Resource(body=root, content_type=GBK_HTML, conditional=True, last_modified=newest))
    for y in years:
        col = f"nb{y}/"
        if y == BLOCKED_YEAR:
            challenge = Resource(status=412, body=P.CHALLENGE_PAGE, content_type="text/html",
                                 headers=(("Set-Cookie", "FSSBBIl1UgzbN7N80S=Wq3x; Path=/; HttpOnly"),))
            r.add(ROOT + col, challenge)
            r.add(ROOT + col + "index.htm", challenge)
            continue
        _add_list(world, r, ROOT + col, [x for x in docs if x.column == col], f"{y}年政府信息公开年报")
    _add_list(world, r, ROOT + "lnnb/", [x for x in docs if x.column == "lnnb/"], "历年年报")
    for doc in docs:
        _add_doc(world, r, doc, day)
    return {SITE: r}


def _add_list(world, r, base, docs, name) -> None:
    d = world.district(SITE)
    newest = docs[0].published if docs else date(2025, 1, 1)
    chunks = pages_of(docs)
    for i, chunk in enumerate(chunks):
        items = [("./" + (x.article_path or x.path)[len(base):], x.list_title, x.published) for x in chunk]
        pager = f'<script>var countPage = {len(chunks)};createPageHTML({len(chunks)}, {i}, "index", "htm");</script>'
        body = _gbk_page(P.meta_block(d, name, name, newest), f"<h3>{name}</h3>{P.ul(items)}{pager}")
        res = Resource(body=body, content_type=GBK_HTML, conditional=True, last_modified=newest)
        r.add(base + ("index.htm" if i == 0 else f"index_{i}.htm"), res)
        if i == 0:
            r.add(base, res)


def _add_doc(world, r, doc: Doc, day: int) -> None:
    d = world.district(SITE)
    if doc.fmt == "pdf":
        link = f'<a href="./{doc.path.rsplit("/", 1)[1]}">{P.esc(doc.title)}.pdf</a>'
        article = P.attachment_article(d, "政府信息公开年报", doc.title, doc.published, doc.agency, link)
        r.add(doc.article_path, Resource(body=to_gbk(article.encode("utf-8")), content_type=GBK_HTML,
                                         conditional=True, last_modified=doc.published))
        r.add(doc.path, Resource(body=lambda doc=doc: world.doc_bytes(doc, day), content_type="application/pdf",
                                 conditional=True, last_modified=doc.published))
        return
    ctype = "text/html; charset=utf-8" if "utf8_header" in doc.quirks else GBK_HTML
    r.add(doc.path, Resource(body=lambda doc=doc: world.doc_bytes(doc, day), content_type=ctype,
                             conditional=True, last_modified=doc.published))
