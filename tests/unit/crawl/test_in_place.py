"""A report file replaced in place at the same URL is noticed the next night (issue 13).

Between the weekly full downloads a known file is checked nightly: a conditional GET when the host gave
validators, else a ranged GET of its last bytes, else (a host ignoring Range) a HEAD with its size. A
change is downloaded and archived as a new version next to the old one.
"""

from __future__ import annotations

import re

from crawl_server import static

from extract.crawl.archive import Archive
from extract.crawl.crawl import FULL_CHECK_BELOW_BYTES, TAIL_BYTES, crawl_site
from extract.crawl.fetch import FetchSettings, Fetcher
from extract.crawl.registry import SiteConfig

TITLE = "示例区教育局2024年政府信息公开工作年度报告"
V1 = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 16000 + b"trailer << /ID [<aa01>] >>\n%%EOF\n"  # 336 kB
V2 = V1.replace(b"<aa01>", b"<bb02>")  # a corrected export: same length, a new trailer ID
V3 = V1 + b"% incremental update\n%%EOF\n"


def ranged(body_ref: dict, *, honour_range: bool = True, headers: dict | None = None):
    """A PDF route answering ``Range: bytes=-N`` with 206 (or ignoring it)."""

    def route(handler, n):
        body = body_ref["body"]
        base = {"Content-Type": "application/pdf", **(headers or {})}
        match = re.fullmatch(r"bytes=-(\d+)", handler.headers.get("Range") or "")
        if honour_range and match and handler.command == "GET":
            tail = body[-int(match.group(1)):]
            return 206, {**base, "Content-Range": f"bytes {len(body) - len(tail)}-{len(body) - 1}/{len(body)}"}, tail
        return 200, base, body

    return route


def build(server, route):
    server.routes["/robots.txt"] = static(404, b"")
    server.routes["/nb/"] = static(200, f'<html><body><ul><li><a href="/f/a.pdf">{TITLE}</a></li></ul></body></html>'
                                   .encode())
    server.routes["/f/a.pdf"] = route


def night(server, archive, run_id, **overrides):
    settings = FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0, revalidate_after_days=7, **overrides)
    site = SiteConfig(id="t", name="示例区", hosts=[server.netloc], entries=[{"url": server.base + "/nb/"}])
    server.log.clear()
    with Fetcher(settings) as fetcher:
        crawl_site(site, archive, fetcher, run_id=run_id)
    row = next(r for r in archive.manifest() if r["run_id"] == run_id and r["kind"] == "report")
    pdf_requests = [(method, headers) for method, path, headers, *_ in server.entries() if path == "/f/a.pdf"]
    return row, pdf_requests


def test_a_file_replaced_in_place_without_validators_is_seen_the_next_night(server, tmp_path):
    body = {"body": V1}
    build(server, ranged(body))
    archive = Archive(tmp_path)
    first, _ = night(server, archive, "n1")
    assert first["state"] == "new"

    quiet, requests = night(server, archive, "n2")  # nothing changed: one ranged GET, nothing downloaded
    assert quiet["state"] == "unchanged" and quiet["sha256"] == first["sha256"]
    assert [(m, h.get("Range")) for m, h in requests] == [("GET", f"bytes=-{TAIL_BYTES}")]
    assert quiet["http_status"] is None and quiet["error"].startswith("checked in place: a ranged GET")

    body["body"] = V2  # the corrected file replaces the old one at the same URL, same size
    changed, requests = night(server, archive, "n3")
    assert changed["state"] == "changed" and changed["size"] == len(V2)
    assert [h.get("Range") for _, h in requests] == [f"bytes=-{TAIL_BYTES}", None]  # check, then download
    assert archive.read(changed["sha256"]) == V2
    assert archive.read(first["sha256"]) == V1  # the old version is kept beside the new one


def test_a_host_ignoring_range_is_checked_by_head_after_the_first_full_answer(server, tmp_path):
    body = {"body": V1}
    build(server, ranged(body, honour_range=False))
    archive = Archive(tmp_path)
    night(server, archive, "n1")
    second, requests = night(server, archive, "n2")
    assert second["state"] == "unchanged" and [m for m, _ in requests] == ["GET"]  # the whole file came back
    # a second file on the same host in the same night would now be asked by HEAD; a new night asks again
    body["body"] = V3
    third, requests = night(server, archive, "n3")
    assert third["state"] == "changed" and archive.read(third["sha256"]) == V3


def test_head_with_the_stored_size_is_unchanged_and_a_new_size_is_downloaded(server, tmp_path):
    body = {"body": V1}
    build(server, ranged(body, honour_range=False))
    archive = Archive(tmp_path)
    night(server, archive, "n1")
    settings = FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0, revalidate_after_days=7)
    site = SiteConfig(id="t", name="示例区", hosts=[server.netloc], entries=[{"url": server.base + "/nb/"}])
    with Fetcher(settings) as fetcher:
        fetcher.host(server.netloc).ignores_range = True  # learnt earlier tonight on another file
        server.log.clear()
        crawl_site(site, archive, fetcher, run_id="n2")
        assert [m for m, p, *_ in server.entries() if p == "/f/a.pdf"] == ["HEAD"]
        body["body"] = V3
        server.log.clear()
        crawl_site(site, archive, fetcher, run_id="n3")
        assert [m for m, p, *_ in server.entries() if p == "/f/a.pdf"] == ["HEAD", "GET"]
    rows = {r["run_id"]: r for r in archive.manifest() if r["kind"] == "report"}
    assert rows["n2"]["state"] == "unchanged" and rows["n2"]["error"].startswith("checked in place: HEAD")
    assert rows["n3"]["state"] == "changed"


def test_validators_make_the_nightly_check_a_conditional_get(server, tmp_path):
    body = {"body": V1}
    build(server, ranged(body, headers={"ETag": '"v1"'}))
    archive = Archive(tmp_path)
    night(server, archive, "n1")
    server.routes["/f/a.pdf"] = static(200, V2, {"Content-Type": "application/pdf", "ETag": '"v2"'})
    row, requests = night(server, archive, "n2")
    assert row["state"] == "changed"
    assert [(h.get("If-None-Match"), h.get("Range")) for _, h in requests] == [('"v1"', None)]


def test_without_the_nightly_check_a_known_file_waits_for_its_weekly_download(server, tmp_path):
    body = {"body": V1}
    build(server, ranged(body))
    archive = Archive(tmp_path)
    night(server, archive, "n1", check_known_nightly=False)
    body["body"] = V2
    row, requests = night(server, archive, "n2", check_known_nightly=False)
    assert row["state"] == "unchanged" and requests == []


def test_a_small_file_is_simply_downloaded_again(server, tmp_path):
    """Below FULL_CHECK_BELOW_BYTES the check is the full file: the same one request, a few kB more."""
    small = {"body": b"%PDF-1.7 small report " * 100}
    assert len(small["body"]) < FULL_CHECK_BELOW_BYTES
    build(server, ranged(small))
    archive = Archive(tmp_path)
    night(server, archive, "n1")
    quiet, requests = night(server, archive, "n2")
    assert quiet["state"] == "unchanged" and quiet["http_status"] == 200
    assert [h.get("Range") for _, h in requests] == [None]
    small["body"] = small["body"].replace(b"small", b"fixed")  # same size, changed in the middle
    changed, _ = night(server, archive, "n3")
    assert changed["state"] == "changed"


def test_an_html_report_page_is_checked_nightly_too(server, tmp_path):
    """An HTML report is its article page: edited in place, it is seen the next night as well."""
    page = {"body": ("<html><body><div class='TRS_Editor'>" + "一、总体情况。" * 200 + "</div></body></html>").encode()}
    server.routes["/robots.txt"] = static(404, b"")
    server.routes["/nb/"] = static(200, f'<html><body><a href="/nb/a.html">{TITLE}</a></body></html>'.encode())
    server.routes["/nb/a.html"] = lambda handler, n: (200, {"Content-Type": "text/html; charset=utf-8"}, page["body"])
    archive = Archive(tmp_path)
    settings = FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0, revalidate_after_days=7)
    site = SiteConfig(id="t", name="示例区", hosts=[server.netloc], entries=[{"url": server.base + "/nb/"}])

    def crawl(run_id):
        with Fetcher(settings) as fetcher:
            crawl_site(site, archive, fetcher, run_id=run_id)
        return next(r for r in archive.manifest() if r["run_id"] == run_id and r["kind"] == "report")

    assert crawl("n1")["state"] == "new"
    assert crawl("n2")["state"] == "unchanged"
    page["body"] = page["body"].replace("总体情况".encode(), "总体情况（更正）".encode(), 1)
    assert crawl("n3")["state"] == "changed"


def test_the_nightly_check_can_be_limited_to_recently_published_reports(server, tmp_path):
    from datetime import date, timedelta

    recent, old = (date.today() - timedelta(days=20)).isoformat(), "2021-01-15"
    items = (f'<li><a href="/f/a.pdf">{TITLE}</a><span>{recent}</span></li>'
             f'<li><a href="/f/b.pdf">{TITLE.replace("2024", "2020")}</a><span>{old}</span></li>')
    server.routes["/robots.txt"] = static(404, b"")
    server.routes["/nb/"] = static(200, f"<html><body><ul>{items}</ul></body></html>".encode())
    for name in ("a", "b"):
        server.routes[f"/f/{name}.pdf"] = static(200, b"%PDF-1.7 " + name.encode() * 100, {"Content-Type": "application/pdf"})
    archive = Archive(tmp_path)
    night(server, archive, "n1", check_nightly_max_age_days=180)
    night(server, archive, "n2", check_nightly_max_age_days=180)
    asked = {path for _, path, *_ in server.entries()}
    assert "/f/a.pdf" in asked and "/f/b.pdf" not in asked  # the 2021 report waits for its weekly download
    rows = {r["url"].rsplit("/", 1)[1]: r for r in archive.manifest() if r["run_id"] == "n2" and r["kind"] == "report"}
    assert rows["a.pdf"]["http_status"] == 200 and rows["b.pdf"]["error"].startswith("not requested again")
