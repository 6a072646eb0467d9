"""A column that yields no report is a visible finding (``empty_column``) with a guessed reason."""

from __future__ import annotations

from crawl_server import static

from extract.crawl.archive import Archive
from extract.crawl.crawl import crawl_site
from extract.crawl.fetch import FetchSettings, Fetcher
from extract.crawl.registry import SiteConfig
from extract.crawl.scriptlists import empty_column_reason
from flows.summary import crawl_counts, link_problems

HTML = {"Content-Type": "text/html; charset=utf-8"}
REPORT = "示例区人民政府2024年政府信息公开工作年度报告"
FILLER = "<p>" + "本栏目发布本单位政府信息公开工作年度报告。" * 20 + "</p>"


def page(body: str) -> bytes:
    return f"<html><head><title>年报</title></head><body>{body}</body></html>".encode()


def build(server):
    server.routes["/robots.txt"] = static(404, b"")
    tabs = "".join(f'<a href="/nb/{c}/">{name}</a>' for c, name in
                   (("bj", "本级年报"), ("bm", "部门年报"), ("zj", "镇街年报"), ("gq", "历年年报"), ("xz", "乡镇年报")))
    server.routes["/nb/"] = static(200, page(tabs), HTML)
    server.routes["/nb/bj/"] = static(200, page(f'<ul><li><a href="/nb/bj/a.pdf">{REPORT}</a></li></ul>'), HTML)
    server.routes["/nb/bj/a.pdf"] = static(200, b"%PDF-1.7 report", {"Content-Type": "application/pdf"})
    # a login wall
    server.routes["/nb/bm/"] = static(200, page('<form action="/login.do"><input name="u"><input type="password" '
                                                 'name="p"></form><p>请先登录</p>'), HTML)
    # a list drawn by a script whose endpoint cannot be known without running it
    server.routes["/nb/zj/"] = static(200, page('<ul id="list"></ul>' + FILLER + "<script>$.ajax({url: '/api/list', "
                                                 "data: {channel: getChannel(), page: p}});</script>"), HTML)
    # a single-page application shell
    server.routes["/nb/gq/"] = static(200, page('<div id="app"></div><script src="/static/js/app.3f2a.js"></script>'),
                                      HTML)
    server.routes["/static/js/app.3f2a.js"] = static(200, b"!function(){var e=window.__INITIAL__;}()",
                                                     {"Content-Type": "application/javascript"})
    # a static page with links but no report among them
    server.routes["/nb/xz/"] = static(200, page('<ul><li><a href="/nb/xz/1.html">关于开展信息公开检查的通知</a></li>'
                                                 "</ul>" + FILLER), HTML)


def test_empty_columns_are_recorded_with_their_reason(server, tmp_path):
    build(server)
    archive = Archive(tmp_path)
    site = SiteConfig(id="t", name="示例区", hosts=[server.netloc], entries=[{"url": server.base + "/nb/"}])
    with Fetcher(FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0)) as fetcher:
        summary = crawl_site(site, archive, fetcher, run_id="r1")
    assert summary.found == 1 and summary.new == 1
    reasons = {url.removeprefix(server.base): why for url, why in summary.empty_columns}
    assert set(reasons) == {"/nb/bm/", "/nb/zj/", "/nb/gq/", "/nb/xz/"}
    assert reasons["/nb/bm/"].startswith("login wall")
    assert reasons["/nb/zj/"].startswith("script-loaded list not understood: parameter channel comes from")
    assert reasons["/nb/gq/"].startswith("JavaScript only")
    assert reasons["/nb/xz/"] == "no report-titled link on the column's pages"
    rows = [r for r in archive.manifest() if r["kind"] == "column"]
    assert {(r["url"], r["state"], r["error"]) for r in rows} == {
        (server.base + path, "empty_column", why) for path, why in reasons.items()}
    # the run summary counts them and lists each with its reason among the problems
    assert crawl_counts(archive.manifest(), "r1")["empty_columns"] == 4
    problems = link_problems(archive.manifest(), "r1")
    assert f"column {server.base}/nb/bm/: empty_column: {reasons['/nb/bm/']}" in problems
    assert summary.as_row()["empty_columns"] == 4


def test_reason_for_a_list_api_that_answered_nothing_usable(server, tmp_path):
    server.routes["/robots.txt"] = static(404, b"")
    server.routes["/nb/"] = static(200, page('<ul id="list"></ul>' + FILLER + "<script>var ch='3';"
                                             "$.get('/api/list?ch=' + ch + '&page=' + p);</script>"), HTML)
    server.routes["/api/list"] = static(200, page("系统繁忙，请稍后再试"), HTML)
    archive = Archive(tmp_path)
    site = SiteConfig(id="t", name="示例区", hosts=[server.netloc], entries=[{"url": server.base + "/nb/"}])
    with Fetcher(FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0)) as fetcher:
        summary = crawl_site(site, archive, fetcher, run_id="r1")
    (url, why), = summary.empty_columns
    assert why == f"script-loaded list not understood: list endpoint answered no JSON: {server.base}/api/list?ch=3&page=1"
    assert "/api/list?ch=3&page=1" in server.paths()


def test_reason_guess_without_a_crawl():
    assert empty_column_reason("<html><body>x</body></html>", "http://h/sso/login?next=/nb/", None).startswith(
        "login wall")
    shell = '<html><body><div id="root"></div><script>window.location.hash="#/list";</script></body></html>'
    assert empty_column_reason(shell, "http://h/nb/", None).startswith("JavaScript only")
    header = f'<html><body><div class="top"><a href="/uc/">用户登录</a></div>{FILLER}</body></html>'
    assert empty_column_reason(header, "http://h/nb/", None) == "no report-titled link on the column's pages"
    calls = '<html><body>' + FILLER + '<script>var x = new XMLHttpRequest(); x.open("GET", u);</script></body></html>'
    assert empty_column_reason(calls, "http://h/nb/", None).startswith("script-loaded list not understood")


UNITS = (("教育局", "jyj"), ("民政局", "mzj"), ("财政局", "czj"))


def test_a_json_post_list_is_paged_through(server, tmp_path):
    """A Vue-style column: POST JSON {pageNo, pageSize} → {"data": {"records": [...], "total": 3}}."""
    import json

    def api(handler, n):
        ask = json.loads(handler.body)
        assert handler.headers.get("Content-Type") == "application/json"
        rows = [{"infoTitle": f"示例区{u}2024年政府信息公开工作年度报告", "linkUrl": f"/files/{slug}.pdf",
                 "publishTime": "2025-01-20"} for u, slug in UNITS]
        chunk = rows[(ask["pageNo"] - 1) * 2: ask["pageNo"] * 2]
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {"code": 0, "data": {"records": chunk, "total": 3}}, ensure_ascii=False).encode()

    server.routes["/robots.txt"] = static(404, b"")
    server.routes["/nb/"] = static(200, page('<div id="app"></div>' + FILLER + "<script>var col = 'nb';"
                                             "axios.post('/api/q', {column: col, pageNo: cur, pageSize: 2})"
                                             ".then(r => show(r.data));</script>"), HTML)
    server.routes["/api/q"] = api
    for _, slug in UNITS:
        server.routes[f"/files/{slug}.pdf"] = static(200, f"%PDF-1.7 {slug}".encode(), {"Content-Type": "application/pdf"})
    archive = Archive(tmp_path)
    site = SiteConfig(id="t", name="示例区", hosts=[server.netloc], entries=[{"url": server.base + "/nb/"}])
    with Fetcher(FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0)) as fetcher:
        summary = crawl_site(site, archive, fetcher, run_id="r1")
    assert summary.new == 3 and summary.empty_columns == []
    keys = [r["url"] for r in archive.manifest() if r["kind"] == "page" and "/api/q" in r["url"]]
    assert keys == [f"{server.base}/api/q#POST:" + json.dumps({"column": "nb", "pageNo": n, "pageSize": 2})
                    .replace(" ", "") for n in (1, 2)]
