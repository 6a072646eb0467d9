"""crawl_site on a tiny scripted site: manifest states across two runs, isolation of failures."""

from datetime import datetime, timedelta

import pytest
from crawl_server import static

import extract.crawl.crawl as crawl_module
from extract.crawl.archive import Archive
from extract.crawl.fetch import FetchSettings, Fetcher
from extract.crawl.crawl import crawl_site
from extract.crawl.registry import SiteConfig
from extract.crawl.runner import crawl_sites

HTML = {"Content-Type": "text/html; charset=utf-8"}
PDF = {"Content-Type": "application/pdf"}
REPORT_A = "示例区教育局2024年政府信息公开工作年度报告"
REPORT_B = "示例区人民政府2024年政府信息公开工作年度报告"


def build_site(server, *, pdf=b"%PDF-1.7 version one", repost=False):
    items = [f'<li><a href="/nb/a.html">{REPORT_A}</a><span>2025-01-20</span></li>',
             f'<li><a href="/nb/b.html">{REPORT_B}</a><span>2025-03-01</span></li>',
             '<li><a href="http://bet365asia.example/nb/c.pdf">示例区2024年政府信息公开工作年度报告</a></li>',
             '<li><a href="/nb/guide.html">示例区政府信息公开指南</a></li>']
    if repost:
        items.append(f'<li><a href="/nb/b2.pdf">{REPORT_B}（重新发布）</a></li>')
    server.routes["/robots.txt"] = static(404, b"")
    server.routes["/nb/"] = static(200, ("<html><body><ul>" + "".join(items) + "</ul></body></html>").encode(), HTML)
    server.routes["/nb/a.html"] = static(200, ("<html><body><div class='TRS_Editor'>" + "一、总体情况" * 80
                                               + "</div></body></html>").encode(), HTML)
    server.routes["/nb/b.html"] = static(200, '<html><body><a href="/files/b.pdf">附件</a></body></html>'.encode(),
                                         HTML)
    server.routes["/files/b.pdf"] = static(200, pdf, PDF)
    server.routes["/nb/b2.pdf"] = static(200, pdf, PDF)


def site_config(server, entries=("/nb/",)):
    return SiteConfig(id="t-site", name="示例区", admin_code="110101", hosts=[server.netloc],
                      entries=[{"url": server.base + e} for e in entries])


def run(server, archive, run_id, site=None):
    with Fetcher(FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0)) as fetcher:
        return crawl_site(site or site_config(server), archive, fetcher, run_id=run_id)


def states(archive, run_id):
    return {r["url"].split("/", 3)[3]: r["state"] for r in archive.manifest()
            if r["run_id"] == run_id and r["kind"] == "report"}


def test_first_run_records_every_link(server, tmp_path):
    build_site(server)
    archive = Archive(tmp_path)
    summary = run(server, archive, "r1")
    assert states(archive, "r1") == {"nb/a.html": "new", "files/b.pdf": "new", "nb/c.pdf": "off_allowlist"}
    assert summary.found == 3 and summary.new == 2 and summary.off_allowlist == 1
    row = next(r for r in archive.manifest() if r["url"].endswith("/files/b.pdf"))
    assert row["referrer"] == server.base + "/nb/b.html" and row["link_title"] == REPORT_B
    assert row["link_date"] == "2025-03-01" and row["media_type"] == "application/pdf"
    assert row["district"] == "示例区" and row["admin_code"] == "110101" and row["site"] == "t-site"
    pages = {r["url"].split("/", 3)[3] for r in archive.manifest() if r["kind"] == "page"}
    assert pages == {"nb/", "nb/b.html"}  # the article holding the attachment is kept as a page
    assert "/nb/guide.html" not in server.paths()


def test_second_run_unchanged_changed_and_duplicate(server, tmp_path):
    build_site(server)
    archive = Archive(tmp_path)
    run(server, archive, "r1")
    build_site(server, pdf=b"%PDF-1.7 version two", repost=True)
    summary = run(server, archive, "r2")
    assert states(archive, "r2") == {"nb/a.html": "unchanged", "files/b.pdf": "changed", "nb/b2.pdf": "duplicate",
                                     "nb/c.pdf": "off_allowlist"}
    assert summary.changed == 1 and summary.duplicate == 1
    assert len({r["sha256"] for r in archive.documents() if r["sha256"]}) == 2  # a.html + the new b.pdf


def test_a_failing_entry_does_not_abort_the_site(server, tmp_path, monkeypatch):
    build_site(server)
    real_walk = crawl_module.walk_column
    calls = []

    def flaky_walk(ctx, family, column, first):
        calls.append(column.url)
        if len(calls) == 1:
            raise RuntimeError("parser bug on this column")
        return real_walk(ctx, family, column, first)

    monkeypatch.setattr(crawl_module, "walk_column", flaky_walk)
    server.routes["/nb2/"] = server.routes["/nb/"]
    summary = run(server, Archive(tmp_path), "r1", site_config(server, entries=("/nb2/", "/nb/")))
    assert any("parser bug" in e for e in summary.errors)
    assert summary.new == 2  # the second entry was still crawled


def test_a_failing_site_does_not_abort_the_others(server, tmp_path, monkeypatch):
    build_site(server)
    good = site_config(server)
    bad = good.model_copy(update={"id": "t-bad"})
    real = crawl_module.crawl_site

    def crawl_or_crash(site, *args, **kwargs):
        if site.id == "t-bad":
            raise RuntimeError("boom")
        return real(site, *args, **kwargs)

    monkeypatch.setattr("extract.crawl.runner.crawl_site", crawl_or_crash)
    summaries = crawl_sites([bad, good], Archive(tmp_path), FetchSettings.for_tests(), run_id="r1", workers=2)
    assert [s.site for s in summaries] == ["t-bad", "t-site"]
    assert summaries[0].errors == ["RuntimeError: boom"] and summaries[1].new == 2


@pytest.mark.parametrize("entry_status,state", [(500, "failed"), (404, "not_found")])
def test_an_unreachable_entry_is_reported(server, tmp_path, entry_status, state):
    server.routes["/nb/"] = static(entry_status, b"x", HTML)
    archive = Archive(tmp_path)
    summary = run(server, archive, "r1")
    assert summary.found == 0 and summary.errors and state in summary.errors[0]
    assert [r["state"] for r in archive.manifest()] == [state]


def test_a_304_without_a_stored_version_is_a_failure_not_a_crash(server, tmp_path):
    build_site(server)
    server.routes["/files/b.pdf"] = static(304, b"", PDF)
    archive = Archive(tmp_path)
    run(server, archive, "r1")
    assert states(archive, "r1")["files/b.pdf"] == "failed"


def test_known_documents_are_not_requested_every_night_without_the_nightly_check(server, tmp_path):
    # With the nightly in-place check off, a quiet night re-reads list pages only; a known report document
    # is checked with the server again once per `revalidate_after_days` (staggered per URL), and the
    # manifest says so. (The default checks every night: tests/unit/crawl/test_in_place.py.)
    build_site(server)
    archive = Archive(tmp_path)
    settings = FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0, revalidate_after_days=7,
                                       check_known_nightly=False)
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r1")
    build_site(server, pdf=b"%PDF-1.7 replaced in place")
    server.log.clear()
    with Fetcher(settings) as fetcher:
        summary = crawl_site(site_config(server), archive, fetcher, run_id="r2")
    assert states(archive, "r2") == {"nb/a.html": "unchanged", "files/b.pdf": "unchanged", "nb/c.pdf": "off_allowlist"}
    requested = {path for _, path, *_ in server.log}
    assert requested == {"/robots.txt", "/nb/"}
    row = next(r for r in archive.manifest() if r["run_id"] == "r2" and r["url"].endswith("/files/b.pdf"))
    assert row["http_status"] is None and row["error"].startswith("not requested again: last checked")
    due = datetime.fromisoformat(row["error"].rsplit("after ", 1)[1].replace("Z", "+00:00"))
    checked = datetime.fromisoformat(row["error"].split("server ", 1)[1].split(";")[0].replace("Z", "+00:00"))
    assert timedelta(days=3.5) <= due - checked < timedelta(days=7)
    assert summary.found == 3
    # Once the last real download is older than the period, the document is fetched and the change seen.
    with Fetcher(settings.model_copy(update={"revalidate_after_days": 1e-9})) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r3")
    assert states(archive, "r3")["files/b.pdf"] == "changed"


def test_documents_with_validators_are_checked_conditionally_when_due(server, tmp_path):
    build_site(server)
    etag = {"Content-Type": "application/pdf", "ETag": '"v1"'}
    server.routes["/files/b.pdf"] = static(200, b"%PDF-1.7 version one", etag)
    archive = Archive(tmp_path)
    settings = FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0, revalidate_after_days=7,
                                       check_known_nightly=False)
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r1")
    server.routes["/files/b.pdf"] = static(200, b"%PDF-1.7 version two", {**etag, "ETag": '"v2"'})
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r2")
    assert states(archive, "r2")["files/b.pdf"] == "unchanged"  # not due yet: not asked
    server.log.clear()
    with Fetcher(settings.model_copy(update={"revalidate_after_days": 1e-9})) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r3")
    assert states(archive, "r3")["files/b.pdf"] == "changed"
    sent = next(headers for _, path, headers, *_ in server.log if path == "/files/b.pdf")
    assert sent.get("If-None-Match") == '"v1"'


def test_recent_article_pages_on_hosts_without_validators_are_read_from_the_archive(server, tmp_path):
    build_site(server)
    archive = Archive(tmp_path)
    settings = FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0, revalidate_after_days=7,
                                       check_known_nightly=False)  # report files' nightly check: test_in_place
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r1")
    server.log.clear()
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r2")
    requested = {path for _, path, *_ in server.log}
    assert requested == {"/robots.txt", "/nb/"}  # the list page is read every night, nothing else
    assert states(archive, "r2") == {"nb/a.html": "unchanged", "files/b.pdf": "unchanged", "nb/c.pdf": "off_allowlist"}
    # A new report appearing on the list is still fetched the same night.
    server.routes["/nb/"] = static(200, server.routes["/nb/"](None, 0)[2].replace(
        b"</ul>", '<li><a href="/nb/d.html">示例区司法局2024年政府信息公开工作年度报告</a></li></ul>'.encode()), HTML)
    server.routes["/nb/d.html"] = static(200, "<html><body>司法局报告正文</body></html>".encode(), HTML)
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r3")
    assert states(archive, "r3")["nb/d.html"] == "new"


def test_a_failed_document_waits_before_it_is_tried_again_and_the_wait_grows(server, tmp_path):
    # A document that failed is not hammered: within its retry pause the night records it as still failed
    # (no request, the reason in the manifest); the pause doubles with each further failure.
    build_site(server)
    server.routes["/files/b.pdf"] = static(503, b"busy", HTML)
    archive = Archive(tmp_path)
    now_settings = FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0, retry_failed_after_hours=0)
    for run_id in ("r1", "r2"):  # two real attempts, both failing
        with Fetcher(now_settings) as fetcher:
            crawl_site(site_config(server), archive, fetcher, run_id=run_id)
    assert states(archive, "r2")["files/b.pdf"] == "failed"

    server.log.clear()
    patient = now_settings.model_copy(update={"retry_failed_after_hours": 20, "revalidate_after_days": 7})
    with Fetcher(patient) as fetcher:
        summary = crawl_site(site_config(server), archive, fetcher, run_id="r3")
    assert "/files/b.pdf" not in {path for _, path, *_ in server.log}
    assert summary.states["failed"] == 1 and summary.found == 3
    rows = [r for r in archive.manifest() if r["url"].endswith("/files/b.pdf")]
    deferred = rows[-1]
    assert deferred["run_id"] == "r3" and deferred["state"] == "failed" and deferred["http_status"] is None
    assert deferred["error"].startswith("not retried yet: 2 failed attempt(s)") and "503" in deferred["error"]
    last_try = datetime.fromisoformat(rows[-2]["fetched_at"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(deferred["error"].rsplit("after ", 1)[1].replace("Z", "+00:00"))
    assert due - last_try == timedelta(hours=40)  # 20 h after one failure, doubled after the second
    assert archive.failure_streak(deferred["url"])[0] == 2  # a deferred night is not another failure

    # Once due, it is fetched again, and a success ends the streak.
    server.routes["/files/b.pdf"] = static(200, b"%PDF-1.7 version one", PDF)
    with Fetcher(patient.model_copy(update={"retry_failed_after_hours": 1e-9})) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r4")
    assert states(archive, "r4")["files/b.pdf"] == "new"
    assert archive.failure_streak(deferred["url"]) == (0, None)


def _paged_site(server, newest: list[str]):
    """A generic column: page 1 holds the newest items and a 下一页 link, page 2 the older one."""
    def items(titles):
        return "".join(f'<li><a href="/nb/{n}.html">示例区{t}2024年政府信息公开工作年度报告</a></li>' for n, t in titles)
    server.routes["/robots.txt"] = static(404, b"")
    page1 = f'<ul>{items(newest)}</ul><a href="/nb/index_1.html">下一页</a>'
    server.routes["/nb/"] = static(200, f"<html><body>{page1}</body></html>".encode(), HTML)
    server.routes["/nb/index_1.html"] = static(200, f"<html><body><ul>{items([('old', '教育局')])}</ul></body></html>"
                                               .encode(), HTML)
    for name, _ in [*newest, ("old", "")]:
        server.routes[f"/nb/{name}.html"] = static(200, ("<html><body><div class='TRS_Editor'>" + name * 200
                                                         + "一、总体情况" * 80 + "</div></body></html>").encode(), HTML)


def test_further_list_pages_behind_an_unchanged_first_page_come_from_the_archive(server, tmp_path):
    _paged_site(server, [("a", "财政局")])
    archive = Archive(tmp_path)
    settings = FetchSettings.for_tests(min_delay_s=0.01, jitter_s=0.0, revalidate_after_days=7,
                                       check_known_nightly=False)  # reports' nightly check: test_in_place
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r1")
    assert states(archive, "r1") == {"nb/a.html": "new", "nb/old.html": "new"}

    server.log.clear()
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r2")
    assert {path for _, path, *_ in server.log} == {"/robots.txt", "/nb/"}  # page 2 not asked
    assert states(archive, "r2") == {"nb/a.html": "unchanged", "nb/old.html": "unchanged"}  # still walked

    # Something new on page 1: the further pages are asked again the same night.
    _paged_site(server, [("b", "民政局"), ("a", "财政局")])
    server.log.clear()
    with Fetcher(settings) as fetcher:
        crawl_site(site_config(server), archive, fetcher, run_id="r3")
    assert "/nb/index_1.html" in {path for _, path, *_ in server.log}
    assert states(archive, "r3") == {"nb/b.html": "new", "nb/a.html": "unchanged", "nb/old.html": "unchanged"}
