"""One test per injected fault case (scraping.md §4.1), hit directly with httpx."""

import time

import httpx
import pytest
from protego import Protego

from tests.unit.demo_sites.conftest import expected


def _doc(world, fault):
    return next(d for d in world.docs if d.fault == fault)


def _url(live, site, path):
    return live.base_url(site) + path


def _records(live, site, path):
    return [r for r in live.requests() if r.site == site and r.path == path.split("?")[0]]


def test_case1_slow_first_byte_list_page(live):
    slow = next(path for path, res in live.world.routes(1, live.bases)["trs"].static.items()
                if res.fault == "slow_first_byte")
    t = time.monotonic()
    r = httpx.get(_url(live, "trs", slow), timeout=5)
    assert r.status_code == 200 and time.monotonic() - t >= live.delays.slow_first_byte * 0.9
    assert live.delays.slow_first_byte < 1.0 < live.delays.trickle_gap  # a 1 s read timeout separates them


def test_case1_trickling_attachment_times_out_and_host_keeps_serving(world, live):
    doc = _doc(world, "trickle")
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(_url(live, "trs", doc.path), timeout=httpx.Timeout(5, read=1.0))
    t = time.monotonic()
    assert httpx.get(_url(live, "trs", "/xxgk/zfxxgknb/index_1.shtml"), timeout=5).status_code in (200, 500)
    assert time.monotonic() - t < live.delays.trickle_gap * 0.75  # not queued behind the stalled response
    assert expected(world, 1, url=doc.path)[0].state == "failed"


def test_case2_seeded_intermittent_500_on_trs_lists(world):
    with world.serve(day=1) as live:
        failing = [p for p, res in world.routes(1, live.bases)["trs"].static.items() if res.fault == "fail_first"]
        assert failing  # seeded ~20 % of the TRS list pages
        path = failing[0]
        assert httpx.get(_url(live, "trs", path)).status_code == 500
        assert httpx.get(_url(live, "trs", path)).status_code == 200
        live.set_day(1)  # a new night: the fault recurs
        assert httpx.get(_url(live, "trs", path)).status_code == 500


def test_case2_503_with_retry_after_then_ok(world):
    doc = _doc(world, "unavailable_once")
    with world.serve(day=1, fast=False) as live:
        r = httpx.get(_url(live, "trs", doc.path))
        assert r.status_code == 503 and r.headers["Retry-After"] == "7"
        assert httpx.get(_url(live, "trs", doc.path)).status_code == 200


def test_case2_429_once(world):
    with world.serve(day=1) as live:
        r = httpx.get(_url(live, "gd", "/xxgk/xxgkml/xxgknb/gbm/index.html"))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert httpx.get(_url(live, "gd", "/xxgk/xxgkml/xxgknb/gbm/index.html")).status_code == 200


def test_case3_404_and_410_links(world, live):
    missing, gone = _doc(world, "not_found"), _doc(world, "gone")
    assert httpx.get(_url(live, "trs", missing.path)).status_code == 404
    assert httpx.get(_url(live, "gd", gone.path)).status_code == 410
    assert expected(world, 1, url=missing.path)[0].state == "not_found"
    assert expected(world, 1, url=gone.path)[0].state == "gone"


def test_case4_html_error_page_at_pdf_url_and_html_as_octet_stream(world, live):
    err = _doc(world, "html_error_as_pdf")
    r = httpx.get(_url(live, "trs", err.path))
    assert err.path.endswith(".pdf") and r.status_code == 200
    assert r.headers["content-type"].startswith("text/html") and not r.content.startswith(b"%PDF")
    assert "页面不存在" in r.text
    octet = _doc(world, "html_as_octet")
    r = httpx.get(_url(live, "hanweb", octet.path), headers={"Referer": live.base_url("hanweb") + "/"})
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.content.lstrip().lower().startswith((b"<!doctype html", b"<html"))
    assert expected(world, 1, url=octet.path)[0].state == "new"


def test_case5_truncated_pdf_and_empty_docx(world, live):
    trunc = _doc(world, "truncate")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(_url(live, "doc", trunc.path))
    rec = _records(live, "doc", trunc.path)[-1]
    assert 0 < rec.bytes_sent < len(world.doc_bytes(trunc, 1))
    empty = _doc(world, "empty_file")
    r = httpx.get(_url(live, "doc", empty.path))
    assert r.status_code == 200 and r.content == b"" and empty.path.endswith(".docx")
    assert expected(world, 1, url=empty.path)[0].state == "failed"


def test_case6_redirects(world, live):
    moved = _doc(world, "moved_permanently")
    r = httpx.get(_url(live, "trs", moved.path))
    assert r.status_code == 301
    final = httpx.get(_url(live, "trs", moved.path), follow_redirects=True)
    assert final.status_code == 200 and "/old/" not in str(final.url)
    loop = _doc(world, "redirect_loop")
    client = httpx.Client(max_redirects=10, follow_redirects=True)
    before = len(live.requests())
    with pytest.raises(httpx.TooManyRedirects):
        client.get(_url(live, "trs", loop.path))
    assert len(live.requests()) - before <= 11
    off = _doc(world, "redirect_off_site")
    r = httpx.get(_url(live, "gd", off.path))
    assert r.status_code == 302 and r.headers["location"].startswith(live.base_url("spam"))
    col = httpx.get(_url(live, "legacy", "/xjwz/zwgk/zfxxgk/zfxxgknb/"))
    assert col.status_code == 302 and col.headers["location"] == "/zfxxgk/zfxxgknb/index.htm"


def test_case7_duplicates_two_columns_and_alias(world):
    e = next(e for e in world.expected_reports(1) if e.site == "trs" and e.state == "new" and e.fmt == "html"
             and "/qzfnb/" in e.url)
    assert any(p.startswith("/xxgk/zfxxgknb/index") for p in e.listed_on)
    assert any("/qzfnb/index" in p for p in e.listed_on)
    assert any(e.aliases for e in world.expected_reports(1) if e.site == "gd")


def test_case10_soft_blocks(world, live):
    shell = httpx.get(_url(live, "gd", _doc(world, "script_shell").path))
    assert shell.status_code == 200 and len(shell.content) == 109 and b"<script" in shell.content
    c202 = httpx.get(_url(live, "hanweb", _doc(world, "challenge_202").path),
                     headers={"Referer": live.base_url("hanweb") + "/"})
    assert c202.status_code == 202 and b"<script" in c202.content
    assert httpx.get(_url(live, "doc", _doc(world, "challenge_521").path)).status_code == 521
    url = _url(live, "legacy", "/zfxxgk/zfxxgknb/nb2022/index.htm")
    with httpx.Client() as client:
        first = client.get(url)
        assert first.status_code == 412 and "set-cookie" in first.headers and b"<script" in first.content
        assert client.get(url).status_code == 412  # the cookie alone never passes: blocked, not a loop
    states = {e.fault: e.state for e in world.expected_reports(1) if e.fault}
    assert states["script_shell"] == states["challenge_202"] == states["challenge_521"] == "blocked"


def test_case11_robots(world, live):
    doc_robots = Protego.parse(httpx.get(_url(live, "doc", "/robots.txt")).text)
    disallowed = _doc(world, "robots_disallow")
    assert not doc_robots.can_fetch(_url(live, "doc", disallowed.path), "xxgk")
    assert doc_robots.can_fetch(_url(live, "doc", "/doc/2025/01/01/1.shtml"), "xxgk")
    legacy = Protego.parse(httpx.get(_url(live, "legacy", "/robots.txt")).text)
    assert legacy.crawl_delay("xxgk") == 5
    assert httpx.get(_url(live, "down", "/robots.txt")).status_code == 500
    assert httpx.get(_url(live, "gd", "/robots.txt")).status_code == 404
    assert not any(e.site == "down" for e in world.expected_reports(1))
    assert any(p.site == "down" and p.state == "robots_skipped" for p in world.expected_pages(1))


def test_case12_title_traps(world, live):
    assert any(d.year < 2019 and d.fmt == "pre2019-html" for d in world.docs)
    decoys = {d.why: d for d in world.decoys(1) if d.site in ("trs", "gd")}
    r = httpx.get(_url(live, "trs", decoys["website_form"].url))
    assert r.status_code == 200 and "网站" in r.text
    summary = decoys["prefecture_summary"]
    assert "汇总" in httpx.get(_url(live, "gd", summary.url)).text


def test_case13_spam_link_inside_a_page_points_off_allowlist(world, live):
    page = httpx.get(_url(live, "trs", "/xxgk/zfxxgknb/")).text
    assert live.base_url("spam") in page
    yaml_text = live.sites_yaml()
    assert live.netloc("spam") not in yaml_text


def test_hanweb_articles_need_a_same_site_referer(world, live):
    art = next(d for d in world.docs if d.site == "hanweb" and d.fmt == "html" and not d.fault)
    assert httpx.get(_url(live, "hanweb", art.path)).status_code == 404
    assert httpx.get(_url(live, "hanweb", art.path), headers={"Referer": "http://elsewhere.example/"}).status_code == 404
    ok = httpx.get(_url(live, "hanweb", art.path), headers={"Referer": live.base_url("hanweb") + "/col/col1229233089/index.html"})
    assert ok.status_code == 200


def test_request_log_shows_overlapping_requests_on_one_host(world):
    trickle = _doc(world, "trickle")
    with world.serve(day=1) as live, httpx.Client(timeout=10) as client:
        with client.stream("GET", _url(live, "trs", trickle.path)) as stalled:  # mid-response from here on
            assert stalled.status_code == 200
            assert httpx.get(_url(live, "trs", "/xxgk/zfxxgknb/qzfnb/index.shtml")).status_code == 200
        recs = [r for r in live.requests() if r.site == "trs"]
        assert [r.path for r in recs] == [trickle.path, "/xxgk/zfxxgknb/qzfnb/index.shtml"]
        a, b = recs
        assert a.t_start < b.t_start and b.t_end < (a.t_end or float("inf"))  # b ran inside a
        assert b.status == 200 and b.netloc == live.netloc("trs") and b.method == "GET"
        live.clear_requests()
        assert live.requests() == []
