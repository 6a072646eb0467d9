"""Day 2: exactly three new reports, one re-post, one 更正版; pagination drift; 304 where supported."""

import hashlib
import re

import httpx


def _served(world, day):
    return {(e.site, e.url): e for e in world.expected_reports(day)}


def test_day_switch_changes_exactly_the_new_repost_and_corrected(world):
    d1, d2 = _served(world, 1), _served(world, 2)
    added = set(d2) - set(d1)
    assert set(d1) <= set(d2)
    kinds = {site: sorted(d2[k].kind for k in added if k[0] == site) for site in ("trs", "epoint")}
    assert kinds == {"trs": ["new", "new", "new", "repost"], "epoint": ["new", "repost"]}
    assert {k[0] for k in added} == {"trs", "epoint"}
    changed = [k for k in d1 if d1[k].sha256 != d2[k].sha256]
    assert sorted(k[0] for k in changed) == ["epoint", "trs"]  # one 更正版 each: with and without validators
    assert all(d2[k].state == "changed" and d2[k].kind == "corrected" for k in changed)
    for repost in (d2[k] for k in added if d2[k].kind == "repost"):
        original = next(e for e in d1.values() if e.sha256 == repost.sha256)
        assert repost.state == "duplicate" and original.url != repost.url
    states = {e.state for k, e in d2.items() if k not in added and k not in changed}
    assert states <= {"unchanged", "failed", "blocked", "not_found", "gone", "off_allowlist", "robots_skipped"}
    assert all(d2[k].state == "new" for k in added if d2[k].kind == "new")


def test_corrected_report_changes_one_number(world):
    doc = next(d for d in world.docs if d.corrected_on_day)
    before, after = world.values(doc, 1), world.values(doc, 2)
    diffs = [(t, r, c) for t, tab in before["tables"].items() for r, row in tab["cells"].items()
             for c, v in row.items() if after["tables"][t]["cells"][r][c] != v]
    assert len(diffs) == 1
    assert world.doc_bytes(doc, 1) != world.doc_bytes(doc, 2)


def test_pagination_drift_and_live_switch(world):
    with world.serve(day=1) as live:
        base = live.base_url("trs")
        page1_day1 = _items(httpx.get(base + "/xxgk/zfxxgknb/index.shtml").text)
        r = httpx.post(base + "/_admin/day/2")
        assert r.status_code == 200 and live.day == 2
        page1_day2 = _items(httpx.get(base + "/xxgk/zfxxgknb/index.shtml").text)
        page2_day2 = _items(httpx.get(base + "/xxgk/zfxxgknb/index_1.shtml").text)
        new = [e for e in world.expected_reports(2) if e.site == "trs" and e.kind in ("new", "repost")]
        assert len(set(page1_day2) - set(page1_day1)) == len(new)
        pushed = page1_day1[-len(new):]
        assert set(pushed) <= set(page2_day2)  # day-1 page-1 items now on page 2
        admin = [r for r in live.requests() if r.path.startswith("/_admin")]
        assert admin == []  # the admin switch is not part of the crawl log


def _items(text):
    return re.findall(r'<li><a href="([^"]+)"', text)


def test_conditional_get_304_on_trs_gd_legacy_never_on_doc(world):
    with world.serve(day=1) as live:
        for site, path in (("trs", "/xxgk/zfxxgknb/qzfnb/index.shtml"),
                           ("gd", "/xxgk/xxgkml/xxgknb/qzf/index.html"),
                           ("legacy", "/zfxxgk/zfxxgknb/index.htm")):
            url = live.base_url(site) + path
            first = httpx.get(url)
            assert first.status_code == 200 and first.headers.get("etag") and first.headers.get("last-modified")
            assert httpx.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
            assert httpx.get(url, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
            assert httpx.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        e = next(e for e in world.expected_reports(1) if e.site == "doc" and e.state == "new")
        r = httpx.get(live.base_url("doc") + e.url)
        assert "etag" not in r.headers and "last-modified" not in r.headers
        assert httpx.get(live.base_url("doc") + e.url,
                         headers={"If-Modified-Since": "Sun, 01 Jan 2034 00:00:00 GMT"}).status_code == 200


def test_corrected_attachment_revalidates_as_changed(world):
    doc = next(d for d in world.docs if d.corrected_on_day)
    with world.serve(day=1) as live:
        url = live.base_url(doc.site) + doc.path
        etag = httpx.get(url).headers["etag"]
        assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
        live.set_day(2)
        again = httpx.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 200
        assert hashlib.sha256(again.content).hexdigest() == _served(world, 2)[(doc.site, doc.path)].sha256


def test_day2_new_reports_are_served(world):
    with world.serve(day=2) as live:
        for e in world.expected_reports(2):
            if e.kind in ("new", "repost"):
                r = httpx.get(live.base_url(e.site) + e.url)
                assert hashlib.sha256(r.content).hexdigest() == e.sha256
