"""A Java (JSP) district portal like Epoint WebBuilder / TrueCMS — a family the crawler has no adapter for.

Layout: the annual-report column ``/zwgk/xxgknb/`` only links tabbed sub-columns:

- 本级 ``bjnb/``: a static list, 10 a page, ``?pageIndex=N`` pager with 首页/上一页/下一页/尾页 and 共N页.
  Items open through ``onclick="window.open('…')"``, ``<li data-url>``, ``location.href=`` handlers or a
  plain ``href``.
- 部门 ``bmnb/``: an empty ``<ul>`` filled by an inline script, ``$.ajax`` GET
  ``/api/list?channel=bmnb&page=N&size=10`` → ``{"total":…, "list":[{title, url, pubDate}]}`` (served
  as ``text/html``, as Java portals do).
- 镇街 ``zjnb/``: an empty ``<ul>`` filled by a same-site ``/js/xxgk/zjnb-list.js``: JSONP through
  ``$.ajax({url: "/api/list", data: {channel, page, size}, dataType: "jsonp"})`` → ``cb({…})``.
- a decoy column ``wzbb/`` (政府网站工作年度报表), and a visit counter ``$.post`` that must never be called.

Articles are ``detail.jsp?infoid=GUID``; an HTML report is the article itself; a PDF/DOCX hangs below it
as ``downfile.jsp?AttachGuid=…&filename=…`` (href or ``window.open``), a pdf.js viewer
``viewer.html?file=<encoded>`` (link or ``<iframe>``), or ``/servlet/DownloadServlet?fileId=N`` whose name
is only in ``Content-Disposition`` (``filename*=UTF-8''…``). No ETag / Last-Modified anywhere: this host
never answers 304. Day 2: a new 部门 report (script list), a re-post in 本级, and one PDF replaced in
place behind its servlet URL. Traps: the decoy column, a 404 item, a servlet answering 文件不存在 with
HTTP 200.
"""

from __future__ import annotations

import json
import math
from datetime import date
from urllib.parse import quote

from demo.sites import pages as P
from demo.sites.catalogue import DEPARTMENT, GOVERNMENT
from demo.sites.documents import EXTENSIONS, MEDIA_TYPES
from demo.sites.families.common import html_resource, make_doc, pick_format, pick_quirks, robots
from demo.sites.model import Decoy, Doc, Resource
from demo.sites.server import Request, SiteRoutes
from demo.sites.world import plan_site

SITE = "epoint"
ROOT = "/zwgk/xxgknb/"
DETAIL = ROOT + "detail.jsp"
DOWNFILE = "/EpointWebBuilder/pages/webbuildermis/attach/downfile.jsp"
SERVLET = "/servlet/DownloadServlet"
VIEWER = "/pdfjs/web/viewer.html"
API = "/api/list"
COUNTER = "/EpointWebBuilder/rest/visit/add"
LIST_JS = "/js/xxgk/zjnb-list.js"
PER_PAGE = 10  # script-loaded lists (the page's own size parameter)
STATIC_PER_PAGE = 6  # the static 本级 list: small, so its pager is walked even in a small world
COLUMNS = {"bjnb": "本级年报", "bmnb": "部门年报", "zjnb": "镇街年报"}
DECOY_COL = "wzbb"
# attachment link styles, in rotation (pdf only for the viewer forms)
LINK_STYLES = ("downfile", "servlet", "viewer", "onclick", "iframe")
ITEM_STYLES = ("onclick", "data_url", "location", "href")
SPECIALS = ("not_found", "missing_file_200", "new", "replaced")


def column_of(unit) -> str:
    if unit.unit_type == GOVERNMENT:
        return "bjnb"
    return "bmnb" if unit.unit_type == DEPARTMENT else "zjnb"


def _guid(world, *parts) -> str:
    rng = world.rng(SITE, "guid", *parts)
    h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def plan(world) -> None:
    regular, extra = plan_site(world, SITE, len(SPECIALS))
    rng = world.rng(SITE, "formats")
    for i, p in enumerate(regular):
        fmt = pick_format(rng, {"html": 0.4, "pdf": 0.4, "docx": 0.2})
        style = LINK_STYLES[i % len(LINK_STYLES)]
        if fmt == "docx" and style in ("viewer", "iframe"):
            style = "downfile"
        world.add_doc(_doc(world, p, fmt, i, pick_quirks(rng, fmt), style, ITEM_STYLES[i % len(ITEM_STYLES)]))
    specials = dict(zip(SPECIALS, extra))
    n = len(regular)
    world.add_doc(_doc(world, specials["not_found"], "html", n, (), "href", "href", fault="not_found"))
    world.add_doc(_doc(world, specials["missing_file_200"], "pdf", n + 1, (), "servlet", "onclick",
                       fault="missing_file_200"))
    # day 2: a new department report, found only through the script-loaded list
    new = specials["new"]
    column = column_of(new.unit) if column_of(new.unit) != "bjnb" else "bmnb"
    world.add_doc(_doc(world, new, "pdf", n + 2, (), "downfile", "href", column=column, day_from=2, kind="new",
                       published=date(2025, 3, 6)))
    # a PDF behind the download servlet, replaced in place on day 2 (no validators on this host)
    repl = _doc(world, specials["replaced"], "pdf", n + 3, (), "servlet", "data_url")
    repl.corrected_on_day = 2
    world.add_doc(repl)
    _plan_repost(world, n + 4)
    _plan_decoys(world)


def _doc(world, p, fmt, i, quirks, link_style, item_style, **kw) -> Doc:
    col = kw.pop("column", None) or column_of(p.unit)
    guid = _guid(world, "article", i)
    article = f"{DETAIL}?infoid={guid}"
    quirks = quirks + (f"link_{link_style}", f"item_{item_style}")
    if fmt == "html":
        return make_doc(world, SITE, p, path=article, column=col, fmt=fmt, doc_id=f"epoint-{i}", quirks=quirks,
                        **kw)
    year = kw.get("published", p.published).year
    if link_style == "servlet":
        path = f"{SERVLET}?fileId={70100 + i}"
    else:
        path = f"{DOWNFILE}?AttachGuid={_guid(world, 'attach', i)}&filename={year}nb{i:03d}.{EXTENSIONS[fmt]}"
    return make_doc(world, SITE, p, path=path, column=col, fmt=fmt, doc_id=f"epoint-{i}", quirks=quirks,
                    article_path=article, **kw)


def _plan_repost(world, i) -> None:
    """An existing 本级 HTML report posted again under a new infoid: identical bytes."""
    src = next(d for d in world.docs if d.site == SITE and d.fmt == "html" and d.fault is None
               and d.column == "bjnb" and d.day_from == 1)
    world.add_doc(Doc(doc_id=f"epoint-{i}", site=SITE, path=f"{DETAIL}?infoid={_guid(world, 'article', i)}",
                      title=src.title, agency=src.agency, region=src.region, year=src.year, version=src.version,
                      fmt="html", published=date(2025, 3, 7), column="bjnb", t3_version=src.t3_version,
                      day_from=2, kind="repost", quirks=("item_href",), link_title=src.title + "（重新发布）",
                      same_as=src.path))


def _plan_decoys(world) -> None:
    d = world.district(SITE)
    for y in (2024, 2023):
        world.add_decoy(Decoy(SITE, f"{ROOT}{DECOY_COL}/{y}wzndbb.pdf", f"{d.prefix}政府网站工作年度报表（{y}年度）",
                              "website_form", "not_a_report"))


# --- where a report is linked ------------------------------------------------------------------------
def article_href(doc: Doc) -> str:
    return doc.article_path or doc.path


def _list_position(world, doc: Doc, day: int, per_page: int) -> int:
    docs = world.docs_on(SITE, day, doc.column)
    return next(i for i, x in enumerate(docs) if x.doc_id == doc.doc_id) // per_page + 1


def listed_on(world, doc: Doc, day: int) -> list[str]:
    page = _list_position(world, doc, day, STATIC_PER_PAGE if doc.column == "bjnb" else PER_PAGE)
    if doc.column == "bjnb":
        first = f"{ROOT}bjnb/" + ("" if page == 1 else f"?pageIndex={page}")
    else:
        first = f"{API}?channel={doc.column}&page={page}&size={PER_PAGE}"
    return [first] + ([doc.article_path] if doc.article_path else [])


# --- serving -----------------------------------------------------------------------------------------
def routes(world, day: int, bases: dict) -> dict[str, SiteRoutes]:
    r = SiteRoutes(SITE)
    d = world.district(SITE)
    r.add("/robots.txt", robots("User-agent: *\nDisallow: /EpointWebBuilder/admin/\nDisallow: /rest/\n"))
    docs = world.docs_on(SITE, day)
    newest = max(x.published for x in docs)
    tabs = "".join(f'<li><a href="{ROOT}{c}/">{name}</a></li>' for c, name in COLUMNS.items())
    tabs += f'<li><a href="{ROOT}{DECOY_COL}/">政府网站工作年度报表</a></li>'
    entry = (f'<div class="ewb-location">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>'
             f'<div class="ewb-tab"><ul>{tabs}</ul></div>'
             f'<div class="ewb-intro">请选择栏目查看{d.prefix}各单位政府信息公开工作年度报告。</div>' + _counter_script())
    r.add(ROOT, html_resource(_page(d, "政府信息公开年报", newest, entry), None, False))
    r.add(ROOT + "index.jsp", r.static[ROOT])
    r.add(LIST_JS, Resource(body=_ZJNB_JS.encode("utf-8"), content_type="application/javascript"))
    for col, name in COLUMNS.items():
        if col != "bjnb":
            r.add(f"{ROOT}{col}/", html_resource(_page(d, name, newest, _script_list_shell(col, name)), None, False))
    _add_decoys(world, r)
    pages = _static_list_pages(world, day)
    details, files = {}, {}
    for doc in docs:
        _add_doc(world, day, doc, details, files)
    r.dynamic = lambda req: _dynamic(world, day, req, pages, details, files)
    return {SITE: r}


def _page(d, name: str, published: date, body: str) -> str:
    head = P.meta_block(d, name, name, published) + '<script src="/js/jquery-1.12.4.min.js"></script>'
    return P.page(head, body)


def _counter_script() -> str:
    """A page-view counter every Epoint page posts to: a list crawler must leave it alone."""
    return (f"<script>$(function(){{$.post('{COUNTER}', {{siteguid: '7eb5f7f1-9041-43ad-8e13-8fcb82ea831a'}});}});"
            "</script>")


def _script_list_shell(col: str, name: str) -> str:
    shell = (f'<div class="ewb-list"><h3>{name}</h3><ul id="infoList" class="ewb-list-items"></ul>'
             '<div id="pager" class="ewb-page"></div></div>' + _counter_script())
    if col == "bmnb":
        return shell + _BMNB_SCRIPT
    return shell + f'<script type="text/javascript" src="{LIST_JS}"></script>'


_BMNB_SCRIPT = """<script type="text/javascript">
    var channel = 'bmnb';
    var pageSize = 10;
    function renderList(list) {
        var html = '';
        $.each(list, function (i, item) {
            html += '<li><a href="' + item.url + '" target="_blank">' + item.title + '</a><span>' + item.pubDate + '</span></li>';
        });
        $('#infoList').html(html);
    }
    function loadList(pageIndex) {
        $.ajax({
            url: '/api/list?channel=' + channel + '&page=' + pageIndex + '&size=' + pageSize,
            type: 'GET',
            dataType: 'json',
            success: function (res) {
                renderList(res.list);
                renderPager(res.total, pageIndex, pageSize, loadList);
            }
        });
    }
    $(function () { loadList(1); });
</script>"""

_ZJNB_JS = """/* 镇街年报列表 */
(function ($) {
    var cfg = { channel: "zjnb", size: 10 };
    function load(page) {
        $.ajax({
            url: "/api/list",
            data: { channel: cfg.channel, page: page, size: cfg.size },
            dataType: "jsonp",
            jsonp: "callback",
            success: function (res) {
                var html = "";
                for (var i = 0; i < res.list.length; i++) {
                    html += "<li><a href='" + res.list[i].url + "'>" + res.list[i].title + "</a></li>";
                }
                $("#infoList").html(html);
                pager(res.total, page, cfg.size, load);
            }
        });
    }
    $(function () { load(1); });
})(jQuery);
"""


def _item_html(doc: Doc) -> str:
    href, title = article_href(doc), P.esc(doc.list_title)
    date_span = f"<span class=\"ewb-date\">{doc.published.isoformat()}</span>"
    if "item_onclick" in doc.quirks:
        return (f'<li><a href="javascript:void(0);" onclick="window.open(\'{P.esc(href)}\')" title="{title}">{title}'
                f"</a>{date_span}</li>")
    if "item_data_url" in doc.quirks:
        return f'<li class="ewb-item" data-url="{P.esc(href)}"><span class="ewb-title">{title}</span>{date_span}</li>'
    if "item_location" in doc.quirks:
        return (f'<li class="ewb-item" onclick="location.href=\'{P.esc(href)}\'" style="cursor:pointer">'
                f'<span class="ewb-title">{title}</span>{date_span}</li>')
    return f'<li><a href="{P.esc(href)}" target="_blank">{title}</a>{date_span}</li>'


def _pager(page: int, count: int) -> str:
    def link(n: int, text: str) -> str:
        return f'<a href="?pageIndex={n}">{text}</a>'

    parts = [link(1, "首页")]
    parts.append(link(page - 1, "上一页") if page > 1 else '<span class="disabled">上一页</span>')
    parts += [link(n, str(n)) if n != page else f'<span class="current">{n}</span>' for n in range(1, count + 1)]
    parts.append(link(page + 1, "下一页") if page < count else '<span class="disabled">下一页</span>')
    parts.append(link(count, "尾页"))
    return f'<div class="ewb-page">{"".join(parts)}<span>共{count}页</span></div>'


def _static_list_pages(world, day: int) -> dict[int, Resource]:
    d = world.district(SITE)
    docs = world.docs_on(SITE, day, "bjnb")
    count = max(1, math.ceil(len(docs) / STATIC_PER_PAGE))
    newest = docs[0].published if docs else date(2025, 1, 1)
    out = {}
    for page in range(1, count + 1):
        chunk = docs[(page - 1) * STATIC_PER_PAGE: page * STATIC_PER_PAGE]
        body = (f'<div class="ewb-list"><h3>本级年报</h3><ul class="ewb-list-items">'
                f'{"".join(_item_html(x) for x in chunk)}</ul>{_pager(page, count)}</div>' + _counter_script())
        out[page] = html_resource(_page(d, "本级年报", newest, body), None, False)
    return out


def _attachment_html(doc: Doc, title: str) -> str:
    ext = EXTENSIONS[doc.fmt]
    name = P.esc(f"{title}.{ext}")
    encoded = quote(doc.path, safe="")
    if "link_servlet" in doc.quirks:
        return f'<a href="{P.esc(doc.path)}" target="_blank">下载附件</a>'
    if "link_viewer" in doc.quirks:
        return f'<a href="{VIEWER}?file={encoded}" target="_blank">{name}（在线预览）</a>'
    if "link_onclick" in doc.quirks:
        return f'<a href="javascript:;" onclick="window.open(\'{P.esc(doc.path)}\');return false;">{name}</a>'
    if "link_iframe" in doc.quirks:
        return (f'<span>{name}</span><div class="pdf-preview"><iframe src="{VIEWER}?file={encoded}" width="100%" '
                'height="800" frameborder="0"></iframe></div>')
    return f'<a href="{P.esc(doc.path)}">{name}</a>'


def _add_doc(world, day: int, doc: Doc, details: dict, files: dict) -> None:
    d = world.district(SITE)
    if doc.fault == "not_found":
        return  # listed, never served: 404
    body = (lambda doc=doc, day=day: world.doc_bytes(doc, day))
    if doc.fmt == "html":
        details[doc.path] = Resource(body=body)
        return
    corrected = doc.corrected_on_day and day >= doc.corrected_on_day
    title = doc.list_title + ("（更正）" if corrected else "")
    article = P.attachment_article(d, COLUMNS[doc.column], title, doc.published, doc.agency,
                                   _attachment_html(doc, doc.title))
    details[doc.article_path] = html_resource(article, None, False)
    if doc.fault == "missing_file_200":
        files[doc.path] = Resource(body=MISSING_FILE_PAGE, content_type="text/html;charset=UTF-8")
        return
    headers = ()
    if doc.path.startswith(SERVLET):
        utf8_name = quote(f"{doc.title}.{EXTENSIONS[doc.fmt]}", safe="")
        headers = (("Content-Disposition",
                    f"attachment; filename=\"download.{EXTENSIONS[doc.fmt]}\"; filename*=UTF-8''{utf8_name}"),)
    files[doc.path] = Resource(body=body, content_type="application/octet-stream" if headers else
                               MEDIA_TYPES[doc.fmt], headers=headers)


MISSING_FILE_PAGE = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head>'
                     '<body><div style="text-align:center;margin-top:80px">文件不存在或已被删除！</div></body></html>'
                     ).encode("utf-8")


def _add_decoys(world, r) -> None:
    d = world.district(SITE)
    decoys = [x for x in world.decoys() if x.site == SITE]
    items = "".join(f'<li><a href="{P.esc(x.url)}">{P.esc(x.title)}</a><span>2025-01-20</span></li>' for x in decoys)
    body = f'<div class="ewb-list"><h3>政府网站工作年度报表</h3><ul class="ewb-list-items">{items}</ul></div>'
    r.add(f"{ROOT}{DECOY_COL}/", html_resource(_page(d, "政府网站工作年度报表", date(2025, 1, 20), body), None, False))
    for x in decoys:
        r.add(x.url, Resource(body=b"%PDF-1.4\n% website form, not a report\n%%EOF\n", content_type="application/pdf"))


# --- parameterised URLs ------------------------------------------------------------------------------
def _dynamic(world, day: int, req: Request, pages: dict, details: dict, files: dict) -> Resource | None:
    if req.path == f"{ROOT}bjnb/" or req.path == f"{ROOT}bjnb/index.jsp":
        page = _int(req.arg("pageIndex"), 1)
        return pages.get(page) or pages[max(pages)]  # past the end: a JSP shows its last page
    if req.path == API:
        return _api(world, day, req)
    if req.path == COUNTER:
        return Resource(body=b'{"status":"ok"}', content_type="application/json")
    key = req.path + "?" + "&".join(f"{k}={v[0]}" for k, v in req.query.items())
    if req.path == DETAIL:
        return details.get(key)
    if req.path in (DOWNFILE, SERVLET):
        return files.get(key)
    return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _api(world, day: int, req: Request) -> Resource:
    channel = req.arg("channel") or ""
    if channel not in COLUMNS:
        return Resource(body=b'{"total":0,"list":[]}', content_type="text/html;charset=UTF-8")
    size = max(1, min(_int(req.arg("size"), PER_PAGE), 50))
    page = max(1, _int(req.arg("page"), 1))
    docs = world.docs_on(SITE, day, channel)
    chunk = docs[(page - 1) * size: page * size]
    payload = {"total": len(docs), "pageIndex": page, "pageSize": size,
               "list": [{"title": x.list_title, "url": article_href(x), "pubDate": x.published.isoformat(),
                         "infoid": (x.article_path or x.path).rsplit("=", 1)[1]} for x in chunk]}
    text = json.dumps(payload, ensure_ascii=False)
    callback = req.arg("callback")
    if callback:
        return Resource(body=f"{callback}({text});".encode("utf-8"), content_type="application/javascript")
    return Resource(body=text.encode("utf-8"), content_type="text/html;charset=UTF-8")
