"""Each site serves its list pages / APIs / articles, and every day-1 report is reachable from them."""

import hashlib
import json
import re

import httpx
import pytest

from tests.unit.demo_sites.conftest import links_in

FETCHABLE = {"new"}


def _get(live, site, path, **kw):
    base = live.base_url(site)
    kw.setdefault("headers", {"Referer": base + "/"})
    for _ in range(3):  # first-request 500/503/429 faults pass on retry
        r = httpx.get(base + path, timeout=5, **kw)
        if r.status_code not in (429, 500, 503):
            return r
    return r


def _listing_text(live, site, page):
    if page == "/info_open/search":
        r = httpx.post(live.base_url(site) + page, data={"siteId": "32", "channelIds": "1201,1202",
                                                         "pageIndex": 1, "pageSize": 50}, timeout=5)
        return json.dumps(r.json(), ensure_ascii=False)
    r = _get(live, site, page)
    assert r.status_code == 200, (site, page, r.status_code)
    return r.content.decode(r.encoding or "utf-8", errors="replace") if site != "legacy" else r.content.decode("gbk")


@pytest.mark.parametrize("site", ["trs", "gd", "hanweb", "doc", "legacy", "epoint"])
def test_every_report_is_linked_from_its_lists_and_served(world, live, site):
    reports = [e for e in world.expected_reports(1) if e.site == site]
    assert reports
    for e in reports:
        assert e.listed_on, e.url
        first = e.listed_on[0]
        if first.startswith("/info_open/") or first.startswith("/gkmlpt/") or first.startswith("/module/"):
            page_url = live.base_url(site) + first
        else:
            page_url = live.base_url(site) + first
        text = _listing_text(live, site, first)
        target = e.listed_on[-1] if len(e.listed_on) > 1 and e.url not in links_in(page_url, text) else e.url
        assert target in links_in(page_url, text), (e.url, first)
        if len(e.listed_on) > 1 and target != e.url:  # attachment: the article page links the file
            article = e.listed_on[-1]
            art = _listing_text(live, site, article)
            assert e.url in links_in(live.base_url(site) + article, art), (e.url, article)
        if e.state in FETCHABLE:
            r = _get(live, site, e.url, follow_redirects=True)
            assert r.status_code == 200, (e.url, r.status_code)
            assert hashlib.sha256(r.content).hexdigest() == e.sha256, e.url


def test_trs_pager_is_zero_based_with_a_stub_last_page(live):
    r = _get(live, "trs", "/xxgk/zfxxgknb/")
    count, cur = map(int, re.search(r"createPageHTML\((\d+), (\d+), \"index\", \"shtml\"\)", r.text).groups())
    assert cur == 0 and count >= 3
    assert _get(live, "trs", "/xxgk/zfxxgknb/index_1.shtml").status_code == 200
    stub = _get(live, "trs", f"/xxgk/zfxxgknb/index_{count - 1}.shtml")
    assert stub.status_code == 200 and 300 <= len(stub.content) <= 400 and "<li>" not in stub.text
    assert _get(live, "trs", f"/xxgk/zfxxgknb/index_{count}.shtml").status_code == 404


def test_trs_long_article_continues_on_second_page(world, live):
    doc = next(d for d in world.docs if "multipage" in d.quirks)
    first = _get(live, "trs", doc.path)
    assert 'createPageHTML(2, 0, "' in first.text
    second = _get(live, "trs", doc.path.replace(".shtml", "_1.shtml"))
    assert second.status_code == 200 and "行政复议" in second.text and "行政复议" not in first.text.split("createPageHTML")[0][-200:]


def test_trs_reports_listed_twice_root_and_subcolumn(world, live):
    e = next(e for e in world.expected_reports(1) if e.site == "trs" and e.state == "new" and e.fmt == "html")
    assert len([p for p in e.listed_on if "index" in p]) == 2


def test_gd_gkmlpt_api_pages_alias_and_escaped_title(world, live):
    shell = _get(live, "gd", "/gkmlpt/index").text
    sid = re.search(r"SID: '(\d+)'", shell).group(1)
    tree = json.loads(re.search(r"TREE: (\[.*?\])\}", shell).group(1))
    cats = [c["id"] for c in tree]
    p0 = _get(live, "gd", f"/gkmlpt/api/all/{cats[1]}?page=0&sid={sid}").json()
    p1 = _get(live, "gd", f"/gkmlpt/api/all/{cats[1]}?page=1&sid={sid}").json()
    assert p0 == p1 and p1["articles"]
    assert _get(live, "gd", f"/gkmlpt/api/all/{cats[1]}?page=2&sid={sid}").json()["articles"] == []
    everything = [a for c in cats for a in _get(live, "gd", f"/gkmlpt/api/all/{c}?page=1&sid={sid}").json()["articles"]]
    assert any(a["title"].startswith("%u") for a in everything)
    assert any(a["attachment"] for a in everything)
    healthy = {e.url: e for e in world.expected_reports(1) if e.site == "gd" and e.state == "new"}
    a = next(a for a in everything if a["url"].split(live.netloc("gd"))[1] in healthy)
    e = healthy[a["url"].split(live.netloc("gd"))[1]]
    assert a["url"] != a["post_url"] and a["post_url"].endswith(e.aliases[0])
    body, alias = httpx.get(a["url"]).content, httpx.get(a["post_url"]).content
    assert body == alias and hashlib.sha256(body).hexdigest() == e.sha256


def test_gd_pager_is_one_based(live, world):
    gbm = [d for d in world.docs_on("gd", 1, "gbm/")]
    r = _get(live, "gd", "/xxgk/xxgkml/xxgknb/gbm/index.html")
    assert "index_2.html" in r.text if len(gbm) > 15 else "共1页" in r.text
    assert _get(live, "gd", "/xxgk/xxgkml/xxgknb/gbm/index_1.html").status_code == 404


def test_hanweb_recordset_dataproxy_and_iframe(live, world):
    col = _get(live, "hanweb", "/col/col1229233089/index.html").text
    first = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", col)
    assert len(first) == 15
    url = live.base_url("hanweb") + "/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15"
    form = {"col": 1, "appid": 1, "webid": 3185, "path": "/", "columnid": 1229233089, "unitid": 7765713,
            "permissiontype": 0}
    ignored = httpx.post(url, data=form).text
    assert re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", ignored) == first  # startrecord ignored
    page2 = httpx.post(url, data={**form, "page": 2}).text
    recs2 = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", page2)
    assert recs2 and not set(recs2) & set(first)
    big = httpx.post(url.replace("perpage=15", "perpage=500"), data={**form, "page": 1}).text
    assert len(re.findall("<record>", big)) <= 50
    assert httpx.get(url).status_code == 405
    shell = _get(live, "hanweb", "/col/col1229233100/index.html").text
    src = re.search(r'<iframe src="([^"]+)"', shell).group(1)
    assert "<li>" in _get(live, "hanweb", src).text


def test_doc_column_has_no_links_and_search_pages(live, world):
    page = _get(live, "doc", "/xxgk/zfxxgknb/index.shtml").text
    assert "/doc/" not in page and "/info_open/search" in _get(live, "doc", "/js/info_open.js").text
    base = live.base_url("doc") + "/info_open/search"
    form = {"siteId": "32", "channelIds": "1201,1202", "pageSize": 10}
    first = httpx.post(base, data={**form, "pageIndex": 1}).json()
    assert first["status"] == 0
    total_pages, total = first["data"]["totalPages"], first["data"]["totalElements"]
    seen = [it["url"] for p in range(1, total_pages + 1)
            for it in httpx.post(base, data={**form, "pageIndex": p}).json()["data"]["data"]]
    assert len(seen) == len(set(seen)) == total == len(world.docs_on("doc", 1))
    assert httpx.post(base, data={**form, "pageIndex": 1, "keyword": "zzz"}).json() == first
    some = world.docs_on("doc", 1)[0].agency
    filtered = httpx.post(base, data={**form, "pageIndex": 1, "title": some}).json()["data"]["data"]
    assert filtered and all(some in it["title"] for it in filtered)
    assert httpx.get(base).status_code == 405


def test_doc_attachment_link_styles(world, live):
    styles = set()
    for d in world.docs_on("doc", 1):
        text = _get(live, "doc", d.article_path).text
        if "openFile(" in text:
            styles.add("onclick")
        if "window.open(" in text:
            styles.add("window_open")
        if "viewer.html?file=" in text:
            styles.add("viewer")
        if f'href="{d.path}"' in text:
            styles.add("href")
    assert styles == {"onclick", "window_open", "viewer", "href"}


def test_legacy_gbk_pages(world, live):
    r = _get(live, "legacy", "/zfxxgk/zfxxgknb/index.htm")
    assert "gb2312" in r.headers["content-type"]
    year = next(d for d in world.docs_on("legacy", 1)
                if d.fmt == "html" and any(ch in d.agency for ch in "堃珺镕"))
    listing = _get(live, "legacy", f"/zfxxgk/zfxxgknb/{year.column}index.htm").content
    with pytest.raises(UnicodeDecodeError):
        listing.decode("gb2312")  # declared gb2312, but GBK-only characters inside
    assert year.agency in listing.decode("gb18030")
    liar = next(d for d in world.docs if d.site == "legacy" and "utf8_header" in d.quirks)
    page = _get(live, "legacy", liar.path)
    assert "utf-8" in page.headers["content-type"]
    with pytest.raises(UnicodeDecodeError):
        page.content.decode("utf-8")
    assert "政府信息公开" in page.content.decode("gb18030")


def test_every_legacy_page_is_gbk_whatever_it_declares(world, live):
    docs = [d for d in world.docs_on("legacy", 1) if d.fmt in ("html", "pre2019-html")]
    assert len(docs) >= 3
    for d in docs:
        body = httpx.get(live.base_url("legacy") + d.path).content
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gb18030")
        assert d.agency in text and "gb2312" in text.lower()
