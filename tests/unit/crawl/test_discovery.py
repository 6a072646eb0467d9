"""Family parsers and the column walker on small pages written from research/scraping.md §1.2."""

import json

import pytest

from extract.crawl.fetch import FetchResult
from extract.crawl.discovery import Column, DiscoveryContext, walk_column
from extract.crawl.families import detect_family, family_module
from extract.crawl.families import doc as doc_family
from extract.crawl.families import gd, hanweb, trs
from extract.crawl.links import harvest_links
from extract.crawl.registry import SiteConfig
from extract.crawl.titles import decoy_reason, is_report_title

B = "http://127.0.0.1:18001"


@pytest.mark.parametrize("title", [
    "广州市花都区人民政府办公室2022年政府信息公开工作年度报告",
    "云溪区教育局2023年度政府信息公开工作年度报告",
    "区统计局政府信息公开工作年度报告",  # year only in the body
    "宿州市人民政府2019年政府信息公开工作年度报告（图片版）",
    "2024年政务公开年报",
])
def test_report_titles(title):
    assert is_report_title(title)


@pytest.mark.parametrize("title,why", [
    ("2023年政府网站工作年度报表", "website_form"),
    ("政府信息公开指南", "guide"),
    ("区财政局2024年部门预算公开", "budget"),
    ("2023年部门决算", "budget"),
    ("全市各县（市、区）2023年政府信息公开工作年度报告汇总", "prefecture_summary"),
])
def test_decoy_titles(title, why):
    assert not is_report_title(title) and decoy_reason(title) == why


def test_trs_pager_is_zero_based():
    html = '<script>createPageHTML(5, 0, "index", "shtml");</script>'
    count, stem, ext = trs.pager(html)
    assert (count, stem, ext) == (5, "index", "shtml")
    column = f"{B}/xxgk/zfxxgknb/"
    # page 2 is index_1 (the classic off-by-one of real crawlers maps it to index_2)
    assert [trs.page_url(column, stem, ext, n) for n in range(3)] == [
        column, f"{column}index_1.shtml", f"{column}index_2.shtml"]


def test_page_base_from_the_registry_overrides_the_family_numbering():
    column = f"{B}/xxgk/zfxxgknb/"
    assert trs.page_url(column, "index", "shtml", 1, "1") == f"{column}index_2.shtml"
    assert gd.static_page_url(column, 2, "0") == f"{column}index_1.html"
    assert gd.static_page_url(column, 2, "auto") == f"{column}index_2.html"


def test_trs_multi_page_article_continuations():
    html = '<div class="TRS_Editor">…</div><script>createPageHTML(3, 0, "t20250116_1234567", "shtml")</script>'
    url = f"{B}/xxgk/zfxxgknb/qzfnb/202501/t20250116_1234567.shtml"
    assert trs.continuation_pages(url, html) == [url.replace(".shtml", "_1.shtml"), url.replace(".shtml", "_2.shtml")]
    assert trs.continuation_pages(url, '<script>createPageHTML(3, 0, "index", "shtml")</script>') == []


def test_gd_static_pager_is_one_based():
    column = f"{B}/xxgk/xxgkml/xxgknb/gbm/"
    assert gd.static_page_url(column, 1) == column
    assert gd.static_page_url(column, 2) == f"{column}index_2.html"
    html = '<a href="index_2.html">2</a><a href="index_3.html">3</a><a href="index_3.html">尾页</a>'
    assert gd.static_page_count(html, column) == 3


def test_gkmlpt_api_articles_prefer_url_decode_titles_and_carry_attachments():
    payload = {"classify": {"post_count": 2}, "articles": [
        {"id": 1, "title": "%u82B1%u57CE%u533A2023%u5E74%u653F%u5E9C%u4FE1%u606F%u516C%u5F00%u5DE5%u4F5C%u5E74%u5EA6%u62A5%u544A",
         "url": f"{B}/xxgk/xxgkml/xxgknb/qzf/content/post_901.html",
         "post_url": f"{B}/gkmlpt/content/0/901/post_901.html", "date": 1705363200, "attachment": []},
        {"id": 2, "title": "区教育局2023年政府信息公开工作年度报告", "url": "/xxgk/content/post_902.html",
         "attachment": [{"name": "年报.pdf", "url": "/attachment/0/88/88389/963149.pdf"}]},
    ]}
    links = gd.api_articles(payload, f"{B}/gkmlpt/api/all/0?page=1&sid=755041")
    assert links[0].title == "花城区2023年政府信息公开工作年度报告"
    assert links[0].url.endswith("/xxgk/xxgkml/xxgknb/qzf/content/post_901.html")
    assert links[0].date == "2024-01-16" and links[0].attachments == []
    assert links[1].attachments[0].url == f"{B}/attachment/0/88/88389/963149.pdf"


def test_gkmlpt_report_categories_from_the_tree():
    html = ("<script>window._CONFIG.SID = '755041';\nwindow._CONFIG.TREE = "
            + json.dumps([{"id": 1, "name": "政策文件", "children": [{"id": 12, "name": "政府信息公开年报"}]}])
            + ";\n</script>")
    assert gd.report_categories(html) == ["12"]
    assert gd.report_categories("<html></html>") == ["0"]


def test_hanweb_records_and_dataproxy_params():
    html = """<html><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1229&unitid=5511&webname=x&permissiontype=0"></a>]]></nextgroup>
<recordset><record><![CDATA[<li><a href="/art/2025/1/16/art_1229_4327349.html" title="小营街道2024年政府信息公开工作年度报告">小营街道…</a><span>2025-01-16</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2025/1/10/art_1229_4327001.html">2024年政府网站工作年度报表</a></li>]]></record></recordset></datastore></script>
<script>var totalRecord = 31;</script></html>"""
    column = Column(f"{B}/col/col1229/index.html")
    links = hanweb.record_links(None, column, html, column.url)
    assert [lk.url for lk in links] == [f"{B}/art/2025/1/16/art_1229_4327349.html", f"{B}/art/2025/1/10/art_1229_4327001.html"]
    params = hanweb.proxy_params(html, column)
    assert params["columnid"] == "1229" and params["unitid"] == "5511" and params["webid"] == "3"


def test_doc_search_answer_items_and_params():
    page = "<script>var siteId = '2'; var channelIds = '1517';</script>"
    assert doc_family.search_params(page, Column(f"{B}/xxgk/")) == {"siteId": "2", "channelIds": "1517"}
    payload = {"status": 0, "data": {"totalPages": 3, "totalElements": 41, "data": [
        {"title": "安镇街道2024年政府信息公开工作年度报告", "writeTime": "2025-01-23 09:00:00",
         "url": "/doc/2025/01/23/4484819.shtml", "organization": "安镇街道"}]}}
    items, total = doc_family.search_items(payload, f"{B}/info_open/search")
    assert total == 3 and items[0].url == f"{B}/doc/2025/01/23/4484819.shtml" and items[0].date == "2025-01-23"


@pytest.mark.parametrize("url,html,family", [
    (f"{B}/xxgk/zfxxgknb/", '<script>createPageHTML(4, 0, "index", "shtml")</script>', "trs"),
    (f"{B}/gkmlpt/index", "<script>window._CONFIG = {SID: '755041'}</script>", "gd"),
    (f"{B}/col/col1229/index.html", "<datastore><recordset></recordset></datastore>", "hanweb"),
    (f"{B}/xxgk/", "<script>$.post('/info_open/search', {channelIds: '1517'})</script>", "doc"),
    (f"{B}/list.html", "<ul><li><a href='a.html'>x</a></li></ul>", "generic"),
])
def test_family_detection_from_fingerprints(url, html, family):
    assert detect_family(url, html) == family


def test_attachments_hidden_in_onclick_iframe_and_pdfjs_viewer():
    html = """<div id="zoom"><a href="javascript:void(0)" onclick="window.open('/uploadfiles/2025/01/nb.docx')">附件下载</a>
    <iframe src="/pdfjs/web/viewer.html?file=/attachment/0/1/2.pdf" width="100%"></iframe>
    <embed src="/files/scan.ofd"></div>"""
    links = harvest_links(html, f"{B}/doc/2025/01/23/4484819.shtml")
    assert [(lk.url, lk.via) for lk in links] == [(f"{B}/uploadfiles/2025/01/nb.docx", "onclick"),
                                                  (f"{B}/attachment/0/1/2.pdf", "viewer"),
                                                  (f"{B}/files/scan.ofd", "embed")]


# --- the walker, on an in-memory site -------------------------------------------------------------------
def _page(url, html):
    return FetchResult(url, "ok", 200, content=html.encode(), headers={"content-type": "text/html; charset=utf-8"})


def _li(href, title):
    return f'<li><a href="{href}">{title}</a><span>2025-01-20</span></li>'


class FakeSite:
    def __init__(self, pages):
        self.pages, self.requested, self.recorded = pages, [], []

    def fetch(self, url, **kw):
        self.requested.append(url)
        return _page(url, self.pages[url]) if url in self.pages else FetchResult(url, "not_found", 404)

    def record(self, result, **kw):
        self.recorded.append(result.url)


def _walk(pages, entry, family="trs", max_pages=10):
    fake = FakeSite(pages)
    site = SiteConfig(id="t", name="示例区", hosts=["127.0.0.1:18001"], entries=[{"url": entry}])
    ctx = DiscoveryContext(site, fake.fetch, fake.record, max_pages=max_pages, max_depth=2)
    first = ctx.fetch_page(entry)
    return list(walk_column(ctx, family_module(family), Column(entry), first)), fake


def test_walker_follows_subcolumns_dedupes_and_resolves_attachments():
    root = f"{B}/xxgk/zfxxgknb/"
    report = "区教育局2024年政府信息公开工作年度报告"
    pages = {
        root: '<a href="./qzfnb/">区政府年报</a><a href="./zfwzndbb/">政府网站工作年度报表</a>'
              '<a href="http://127.0.0.1:18006/xxgk/">政务公开镜像</a><ul>'
              + _li("bmjdhz/jyj/202501/t20250120_1.shtml", report)
              + _li("qzfnb/202501/t20250121_2.shtml", "云溪区人民政府2024年政府信息公开工作年度报告")
              + "</ul><script>createPageHTML(1, 0, 'index', 'shtml')</script>",
        root + "qzfnb/": "<ul>" + _li("202501/t20250121_2.shtml", "云溪区人民政府2024年政府信息公开工作年度报告")
                         + "</ul>",
        root + "bmjdhz/jyj/202501/t20250120_1.shtml": "<div class='TRS_Editor'><table><tr><td>inline report</td>"
                                                      "</tr></table></div>",
        root + "qzfnb/202501/t20250121_2.shtml": '<p>详见附件：<a href="./P020250121123.pdf">年报.pdf</a></p>',
    }
    reports, fake = _walk(pages, root)
    assert [(r.url, r.title, r.prefetched is not None) for r in reports] == [
        (root + "bmjdhz/jyj/202501/t20250120_1.shtml", report, True),  # inline HTML: the article is the report
        (root + "qzfnb/202501/P020250121123.pdf", "云溪区人民政府2024年政府信息公开工作年度报告", False),
    ]
    assert reports[1].referrer == root + "qzfnb/202501/t20250121_2.shtml" and reports[0].date == "2025-01-20"
    assert root + "zfwzndbb/" not in fake.requested  # decoy column never walked
    assert not any("18006" in u for u in fake.requested)  # off-allowlist link never requested
    assert fake.requested.count(root + "qzfnb/202501/t20250121_2.shtml") == 1  # listed twice, fetched once


def test_walker_stops_when_a_page_brings_nothing_new():
    root = f"{B}/xxgk/zfxxgknb/"
    item = _li("202501/t20250121_2.shtml", "云溪区人民政府2024年政府信息公开工作年度报告")
    pager = "<script>createPageHTML(9, {n}, 'index', 'shtml')</script>"
    pages = {root: "<ul>" + item + "</ul>" + pager.format(n=0),
             root + "index_1.shtml": "<ul>" + item + "</ul>" + pager.format(n=1),  # broken pager repeats page 1
             root + "202501/t20250121_2.shtml": "<p>inline report</p>"}
    reports, fake = _walk(pages, root)
    assert len(reports) == 1
    assert root + "index_2.shtml" not in fake.requested  # stopped after the page with nothing new


class RoutedSite(FakeSite):
    """Pages chosen by a function of (url, request kwargs): list APIs answer by query or form."""

    def __init__(self, route):
        super().__init__({})
        self.route = route

    def fetch(self, url, **kw):
        self.requested.append((url, kw.get("data")))
        body = self.route(url, kw)
        return _page(url, body) if body is not None else FetchResult(url, "not_found", 404)


def _walk_routed(route, entry, family):
    fake = RoutedSite(route)
    site = SiteConfig(id="t", name="示例区", hosts=["127.0.0.1:18001"], entries=[{"url": entry}])
    ctx = DiscoveryContext(site, fake.fetch, fake.record, max_pages=10, max_depth=2)
    return list(walk_column(ctx, family_module(family), Column(entry), ctx.fetch_page(entry))), fake


def test_jpaas_column_pages_through_param_json():
    entry = f"{B}/col/col1229/index.html"
    query = '{&quot;webId&quot;:&quot;3&quot;,&quot;tplSetId&quot;:&quot;9&quot;,&quot;pageId&quot;:&quot;77&quot;,&quot;tagId&quot;:&quot;当前栏目list&quot;}'

    def route(url, kw):
        from urllib.parse import parse_qs, urlsplit

        if url == entry:
            return f'<script src="/static/unitbuild.js" queryData="{query}"></script>'
        if "/front/page/build/unit" in url:
            params = parse_qs(urlsplit(url).query)
            page_no = json.loads(params["paramJson"][0])["pageNo"]
            assert params["webId"] == ["3"] and params["pageType"] == ["column"]
            items = {1: [("/art/2025/1/16/art_1229_1.html", "A街道2024年政府信息公开工作年度报告")],
                     2: [("/art/2024/1/16/art_1229_2.html", "A街道2023年政府信息公开工作年度报告")]}.get(page_no, [])
            html = "<ul>" + "".join(_li(h, t) for h, t in items) + "</ul>"
            return json.dumps({"data": {"html": html}})
        if "/art/" in url:
            return "<p>" + "正文" * 200 + "</p>"
        return None

    reports, fake = _walk_routed(route, entry, "hanweb")
    assert [r.url for r in reports] == [f"{B}/art/2025/1/16/art_1229_1.html", f"{B}/art/2024/1/16/art_1229_2.html"]
    api_calls = [u for u, _ in fake.requested if "build/unit" in u]
    assert len(api_calls) == 3  # pages 1, 2 and the empty page 3 that ends the column


def test_hanweb_dataproxy_pages_by_post_with_the_column_form():
    entry = f"{B}/col/col1229/index.html"
    first = ('<script type="text/xml"><datastore><recordset>'
             + "".join(f'<record><![CDATA[{_li(f"/art/2025/1/{d}/art_1229_{d}.html", f"{d}局2024年政府信息公开工作年度报告")}]]></record>'
                       for d in range(1, 16))
             + "</recordset></datastore></script><script>var webid=3; var unitid=5511; totalRecord = 17;</script>")

    def route(url, kw):
        if url == entry:
            return first
        if "dataproxy.jsp" in url:
            assert kw["method"] == "POST" and kw["data"]["columnid"] == "1229" and kw["data"]["unitid"] == "5511"
            assert "page=2" in url
            return ("<datastore>" + "".join(f'<record><![CDATA[{_li(f"/art/2024/2/{d}/art_1229_{d}.html", f"{d}镇2024年政府信息公开工作年度报告")}]]></record>'
                                             for d in (16, 17)) + "</datastore>")
        return "<p>" + "正文" * 200 + "</p>"

    reports, fake = _walk_routed(route, entry, "hanweb")
    assert len(reports) == 17
    assert all(r.referrer == entry for r in reports)  # Hanweb articles 404 without the column as Referer


def test_doc_family_posts_pages_until_total_pages():
    entry = f"{B}/xxgk/zfxxgknb/index.shtml"

    def route(url, kw):
        if url == entry:
            return '<ul id="infoList" data-site-id="32" data-channel-ids="1201,1202"></ul>'
        if url.endswith("/info_open/search"):
            page = int(kw["data"]["pageIndex"])
            rows = [{"title": f"{page}镇2024年政府信息公开工作年度报告", "url": f"/doc/2025/01/2{page}/44{page}.shtml",
                     "writeTime": f"2025-01-2{page} 10:00:00"}]
            return json.dumps({"status": 0, "data": {"totalPages": 2, "data": rows}})
        if "/doc/" in url:
            doc_id = url.rsplit("/", 1)[1].split(".")[0]
            return f'<p>附件：<a href="javascript:;" onclick="openFile(\'/attach/{doc_id}.docx\')">年报</a></p>'
        return None

    reports, fake = _walk_routed(route, entry, "doc")
    assert [r.url for r in reports] == [f"{B}/attach/441.docx", f"{B}/attach/442.docx"]
    assert [r.date for r in reports] == ["2025-01-21", "2025-01-22"]
    assert [d["pageIndex"] for u, d in fake.requested if d] == ["1", "2"]  # stops at totalPages


def test_gkmlpt_api_walk_uses_report_categories_and_attachments():
    entry = f"{B}/gkmlpt/index"
    tree = json.dumps([{"id": 2001, "name": "区政府年报"}, {"id": 3000, "name": "政策解读"}])

    def route(url, kw):
        if url == entry:
            return f"<script>window._CONFIG = {{SID: '440141', TREE: {tree}}};</script>"
        if "/gkmlpt/api/all/2001" in url:
            assert "sid=440141" in url and "page=1" in url
            return json.dumps({"classify": {"post_count": 2}, "articles": [
                {"title": "区政府2024年政府信息公开工作年度报告", "url": f"{B}/xxgk/qzf/content/post_1.html",
                 "date": "2025-03-01", "attachment": [{"name": "年报.pdf", "url": "/attachment/0/1/1.pdf"}]},
                {"title": "区政府2023年政府信息公开工作年度报告", "url": f"{B}/xxgk/qzf/content/post_2.html",
                 "date": "2024-03-01", "attachment": []}]})
        return None

    reports, fake = _walk_routed(route, entry, "gd")
    assert [(r.url, r.referrer) for r in reports] == [
        (f"{B}/attachment/0/1/1.pdf", f"{B}/xxgk/qzf/content/post_1.html"),
        (f"{B}/xxgk/qzf/content/post_2.html", entry)]
    assert not any("/api/all/3000" in u for u, _ in fake.requested)
    assert not any("content/post_" in u for u, _ in fake.requested)  # the API already named the attachments
