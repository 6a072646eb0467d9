"""Crawl the demo world twice (day 1, day 2) and check findings, fault states and politeness.

One module-scoped crawl feeds every test here: the world is served on 127.0.0.1 with fast faults, the
crawler runs with short test delays (min 0.05 s per host, site-imposed delays x 0.02). The registry
names no CMS family for any site: each entry is only its report columns' URLs, and detection decides
(the Java portal ``epoint`` matches no adapter and is read by the generic family's discovery).
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from protego import Protego

from demo.sites import DemoWorld
from demo.sites.faults import FAULTS
from extract.crawl.archive import Archive
from extract.crawl.fetch import FetchSettings
from extract.crawl.registry import load_registry
from extract.crawl.runner import crawl_sites

pytestmark = pytest.mark.slow

SETTINGS = FetchSettings.for_tests()
SEED = 7


@dataclass
class DayRun:
    reports: dict  # url -> manifest row of this run (kind=report)
    pages: list  # manifest rows of this run (kind=page)
    requests: list  # the world's request log during this run
    summaries: list


@dataclass
class Crawled:
    world: DemoWorld
    bases: dict
    robots: dict  # site -> robots.txt text
    expected: dict  # day -> list[ExpectedReport]
    runs: dict  # day -> DayRun
    archive: Archive

    def url(self, site: str, path: str) -> str:
        return self.bases[site] + path if path.startswith("/") else path.replace("{spam}", self.bases["spam"])

    def netloc(self, site: str) -> str:
        return urlsplit(self.bases[site]).netloc


def _run(archive, sites, live, run_id) -> DayRun:
    live.clear_requests()
    summaries = crawl_sites(sites, archive, SETTINGS, run_id=run_id, workers=6)
    rows = [r for r in archive.manifest() if r["run_id"] == run_id]
    reports = {r["url"]: r for r in rows if r["kind"] == "report"}
    return DayRun(reports, [r for r in rows if r["kind"] == "page"], live.requests(), summaries)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Crawled:
    world = DemoWorld(seed=SEED)
    expected = {day: world.expected_reports(day) for day in (1, 2)}  # renders every document up front
    data_dir = tmp_path_factory.mktemp("crawl-data")
    with world.serve(day=1, fast=True) as live:
        sites_file = data_dir / "sites.yaml"
        entries = yaml.safe_load(live.sites_yaml())
        for entry in entries:
            entry.pop("family_hint", None)  # only the columns' URLs: detection decides the family
        sites_file.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
        sites = load_registry(sites_file)
        bases = live.base_urls()
        robots = {s: httpx.get(f"{b}/robots.txt").text for s, b in bases.items() if s not in ("spam", "down")}
        archive = Archive(data_dir)
        runs = {1: _run(archive, sites, live, "day1")}
        live.set_day(2)
        runs[2] = _run(archive, sites, live, "day2")
    return Crawled(world, bases, robots, expected, runs, archive)


def _mismatches(crawled: Crawled, day: int, reports=None) -> list[str]:
    got = crawled.runs[day].reports
    out = []
    for exp in reports if reports is not None else crawled.expected[day]:
        row = got.get(crawled.url(exp.site, exp.url))
        state = row["state"] if row else "NOT FOUND"
        if state not in exp.accepted_states:
            out.append(f"{exp.site} {exp.url} ({exp.fault or exp.kind}): expected {exp.accepted_states}, got {state}"
                       f" {row and row['error']}")
    return out


# --- discovery ------------------------------------------------------------------------------------------
def test_day1_finds_every_report_in_its_expected_state(crawled):
    assert len(crawled.expected[1]) >= 60
    assert _mismatches(crawled, 1) == []


def test_day1_takes_nothing_else_for_a_report(crawled):
    expected = {crawled.url(e.site, e.url) for e in crawled.expected[1]}
    extra = sorted(set(crawled.runs[1].reports) - expected)
    assert extra == []


def test_decoys_are_never_taken_as_reports(crawled):
    reports = set(crawled.runs[1].reports) | set(crawled.runs[2].reports)
    for day in (1, 2):
        for decoy in crawled.world.decoys(day):
            assert crawled.url(decoy.site, decoy.url) not in reports, decoy


def test_every_report_with_bytes_is_archived_under_its_sha256(crawled):
    for exp in crawled.expected[1]:
        row = crawled.runs[1].reports[crawled.url(exp.site, exp.url)]
        if exp.sha256 and row["state"] in ("new", "duplicate"):
            assert row["sha256"] == exp.sha256
            assert crawled.archive.has(row["sha256"])


def test_day2_records_every_report_in_its_expected_state(crawled):
    assert _mismatches(crawled, 2) == []


def test_day2_reports_exactly_the_new_and_changed_ones(crawled):
    fresh = {crawled.url(e.site, e.url) for e in crawled.expected[2] if e.state in ("new", "changed")}
    kinds = collections.Counter(e.kind for e in crawled.expected[2] if e.state in ("new", "changed"))
    assert kinds["new"] >= 3 and kinds["corrected"] >= 1
    got = {url for url, row in crawled.runs[2].reports.items() if row["state"] in ("new", "changed")}
    assert got == fresh


def test_no_document_is_archived_as_new_twice(crawled):
    new_rows = [r for r in crawled.archive.manifest() if r["kind"] == "report" and r["state"] == "new"]
    shas = collections.Counter(r["sha256"] for r in new_rows)
    assert [sha for sha, n in shas.items() if n > 1] == []
    reposts = [e for e in crawled.expected[2] if e.kind == "repost"]
    assert reposts and all(crawled.runs[2].reports[crawled.url(e.site, e.url)]["state"] == "duplicate"
                           for e in reposts)


def test_every_discovered_link_has_a_recorded_state(crawled):
    for day in (1, 2):
        for summary in crawled.runs[day].summaries:
            for outcome in summary.outcomes:
                assert outcome.state in ("new", "changed", "unchanged", "not_modified", "duplicate", "blocked",
                                         "failed", "robots_skipped", "off_allowlist", "not_found", "gone")
                assert outcome.url in crawled.runs[day].reports


# --- fault cases (scraping.md §4.1): one named test each ----------------------------------------------------
# Faults injected on report links: their manifest state is declared by the world (demo/sites/faults.py).
REPORT_FAULTS = ("trickle", "unavailable_once", "not_found", "gone", "html_error_as_pdf", "missing_file_200",
                 "html_as_octet",
                 "truncate", "empty_file", "moved_permanently", "redirect_loop", "redirect_off_site",
                 "script_shell", "challenge_202", "challenge_521", "robots_disallow")
# Faults injected on list pages or on every request of a site: checked from the request log below.
PAGE_FAULTS = ("slow_first_byte", "fail_first", "rate_limited_once", "referer_required", "challenge_412")


def test_every_declared_fault_has_a_test():
    assert set(REPORT_FAULTS) | set(PAGE_FAULTS) == set(FAULTS)


@pytest.mark.parametrize("fault", REPORT_FAULTS)
def test_fault_case_ends_in_its_declared_state(crawled, fault):
    cases = [(day, e) for day in (1, 2) for e in crawled.expected[day] if e.fault == fault]
    assert cases, f"the demo world injects no {fault!r} on a report link"
    for day, exp in cases:
        assert _mismatches(crawled, day, [exp]) == []
    first_day = [e for day, e in cases if day == 1 or e.kind == "new"]
    assert first_day and all(FAULTS[fault].state in e.accepted_states for e in first_day)


def _attempts(requests):
    groups = collections.defaultdict(list)
    for rq in requests:
        groups[(rq.netloc, rq.method, rq.path, rq.query)].append(rq)
    return groups


def test_fault_slow_first_byte_page_still_passes(crawled):
    slow = [rq for rq in crawled.runs[1].requests if rq.t_end - rq.t_start >= 0.3 and rq.status == 200
            and rq.path.endswith("/")]
    assert slow
    pages = {urlsplit(r["url"]).path: r for r in crawled.runs[1].pages}
    assert all(pages[rq.path]["state"] == "new" for rq in slow if rq.path in pages)


def test_fault_fail_first_500_is_retried_with_backoff(crawled):
    retried = [rs for rs in _attempts(crawled.runs[1].requests).values()
               if rs[0].status == 500 and any(r.status == 200 for r in rs)]
    assert retried
    for rs in retried:
        assert len(rs) == 2 and rs[1].t_start - rs[0].t_end >= SETTINGS.backoff_s


def test_fault_rate_limited_once_and_retry_after_are_honoured(crawled):
    waits = {}
    for day in (1, 2):
        for rs in _attempts(crawled.runs[day].requests).values():
            for prev, nxt in zip(rs, rs[1:]):
                if prev.status in (429, 503):
                    waits.setdefault(prev.status, []).append(nxt.t_start - prev.t_end)
    assert set(waits) == {429, 503}
    # the fast world sends Retry-After: 1
    assert min(min(w) for w in waits.values()) >= min(1.0, SETTINGS.retry_after_cap_s) - 0.01


def test_fault_referer_required_articles_are_fetched_with_the_column_as_referer(crawled):
    hanweb = crawled.netloc("hanweb")
    articles = [rq for rq in crawled.runs[1].requests if rq.netloc == hanweb and rq.path.startswith("/art/")]
    assert articles and all(rq.status != 404 for rq in articles)
    assert all(urlsplit(rq.headers.get("Referer", "")).netloc == hanweb for rq in articles)


def test_expected_page_states(crawled):
    rows = {}
    for day in (1, 2):
        for row in crawled.runs[day].pages:
            rows.setdefault(row["url"], row)
    for page in crawled.world.pages:
        if "{" in page.url:  # a templated path (e.g. the stub's index_{last}) is checked below
            continue
        url = crawled.url(page.site, page.url)
        row = rows.get(url) or next((r for r in rows.values() if r.get("final_url") == url), None)
        assert row is not None, page
        state = "ok" if row["state"] in ("new", "changed", "unchanged", "not_modified", "duplicate") else row["state"]
        assert state == page.state, (page, row["state"], row["error"])


def test_stub_deep_page_ends_pagination_without_being_blocked(crawled):
    trs = crawled.netloc("trs")
    stubs = [r for r in crawled.runs[1].pages if r["url"].startswith(f"http://{trs}/xxgk/zfxxgknb/index_")
             and r["size"] and r["size"] < 400]
    assert stubs and all(r["state"] == "new" for r in stubs)
    last = max(int(r["url"].rsplit("_", 1)[1].split(".")[0]) for r in stubs)
    assert not any(rq.path == f"/xxgk/zfxxgknb/index_{last + 1}.shtml" for rq in crawled.runs[1].requests)


def test_fault_challenge_412_column_is_blocked_and_not_retried(crawled):
    blocked = [r for r in crawled.runs[1].pages if r["state"] == "blocked"]
    assert any(r["http_status"] == 412 for r in blocked)
    for row in blocked:
        path = urlsplit(row["url"]).path
        hits = [rq for rq in crawled.runs[1].requests if rq.path == path and rq.netloc == urlsplit(row["url"]).netloc]
        assert len(hits) == 1, path  # no retry, no cookie loop


def test_moved_entry_is_followed_and_reported_as_drift(crawled):
    notes = [n for s in crawled.runs[1].summaries for n in s.notes if n.startswith("drift:")]
    assert any(crawled.bases["legacy"] in n for n in notes)


def test_robots_500_host_is_skipped_for_the_run(crawled):
    down = crawled.netloc("down")
    for day in (1, 2):
        paths = {rq.path for rq in crawled.runs[day].requests if rq.netloc == down}
        assert paths == {"/robots.txt"}
    summary = next(s for s in crawled.runs[1].summaries if s.site == "demo-down")
    assert any("robots" in e for e in summary.errors)


def test_conditional_get_on_day2(crawled):
    reqs = crawled.runs[2].requests
    conditional = [rq for rq in reqs if any(h.lower() in ("if-none-match", "if-modified-since") for h in rq.headers)]
    assert sum(1 for rq in conditional if rq.status == 304) >= 10
    sites_304 = {rq.site for rq in reqs if rq.status == 304}
    assert {"trs", "gd", "legacy"} <= sites_304 and "doc" not in sites_304
    assert any(r["state"] == "not_modified" for r in crawled.runs[2].reports.values())


def test_off_allowlist_links_are_recorded_but_never_requested(crawled):
    spam = crawled.netloc("spam")
    for day in (1, 2):
        assert [rq for rq in crawled.runs[day].requests if rq.netloc == spam] == []
    assert any(r["state"] == "off_allowlist" for r in crawled.runs[1].reports.values())


# --- politeness from the server's request log -------------------------------------------------------------
def _by_host(requests):
    hosts = collections.defaultdict(list)
    for rq in requests:
        hosts[rq.netloc].append(rq)
    return {h: sorted(rs, key=lambda r: r.t_start) for h, rs in hosts.items()}


@pytest.mark.parametrize("day", [1, 2])
def test_never_two_concurrent_requests_to_one_host(crawled, day):
    for host, reqs in _by_host(crawled.runs[day].requests).items():
        for prev, nxt in zip(reqs, reqs[1:]):
            assert nxt.t_start >= prev.t_end, (host, prev.path, nxt.path)


# The server stamps t_end after its last write; on a loaded machine its thread may do so a few ms after
# the client already had the response. The crawler's own clock starts later, so allow that much.
SERVER_CLOCK_SLACK_S = 0.005


@pytest.mark.parametrize("day", [1, 2])
def test_minimum_delay_per_host_is_held(crawled, day):
    for host, reqs in _by_host(crawled.runs[day].requests).items():
        gaps = [nxt.t_start - prev.t_end for prev, nxt in zip(reqs, reqs[1:])]
        assert not gaps or min(gaps) >= SETTINGS.min_delay_s - SERVER_CLOCK_SLACK_S, host


def test_crawl_delay_of_robots_txt_is_held(crawled):
    robots = Protego.parse(crawled.robots["legacy"])
    delay = robots.crawl_delay("xxgk")
    assert delay and delay >= 5
    reqs = _by_host(crawled.runs[1].requests)[crawled.netloc("legacy")]
    gaps = [nxt.t_start - prev.t_end for prev, nxt in zip(reqs, reqs[1:])]
    assert min(gaps) >= delay * SETTINGS.crawl_delay_scale - SERVER_CLOCK_SLACK_S


def test_robots_rules_are_obeyed(crawled):
    checked = 0
    for site, text in crawled.robots.items():
        robots = Protego.parse(text)
        for day in (1, 2):
            for rq in crawled.runs[day].requests:
                if rq.site == site and rq.path != "/robots.txt":
                    url = crawled.bases[site] + rq.path + (f"?{rq.query}" if rq.query else "")
                    assert robots.can_fetch(url, "xxgk"), url
                    checked += 1
    assert checked > 100
    assert any(r["state"] == "robots_skipped" and "robots" in (r["error"] or "")
               for r in crawled.runs[1].reports.values())


def test_honest_user_agent_on_every_request(crawled):
    agents = {rq.headers.get("user-agent") or rq.headers.get("User-Agent") for rq in crawled.runs[1].requests}
    assert agents == {SETTINGS.user_agent}


def test_families_are_detected_from_the_archived_entry_pages(crawled):
    """Without a registry hint the detector picks the same adapter (the page bytes are in the archive)."""
    from extract.crawl.families import detect_family
    from extract.crawl.families import family_aliases

    hints = {"trs": "trs", "gd": "gd", "hanweb": "hanweb", "doc": "doc", "legacy": "generic", "epoint": "generic"}
    checked = 0
    for row in crawled.runs[1].pages:
        if row["link_title"] and row["link_title"].startswith("entry") and row["sha256"]:
            site = row["site"].removeprefix("demo-")
            html = crawled.archive.read(row["sha256"]).decode("utf-8", "replace")
            assert detect_family(row["final_url"] or row["url"], html) == family_aliases()[hints[site]], row["url"]
            checked += 1
    assert checked >= 7


# --- portals without an adapter (issue 13) ----------------------------------------------------------------
def test_no_family_was_named_and_detection_chose_each_sites_adapter(crawled):
    families = {s.site: s.families for s in crawled.runs[1].summaries}
    assert families["demo-epoint"] == ["generic"] and families["demo-legacy"] == ["generic"]
    assert families["demo-trs"] == ["trs"] and families["demo-hanweb"] == ["hanweb"]
    assert families["demo-doc"] == ["doc"] and families["demo-gd"] == ["gd"]


@pytest.mark.parametrize("day", [1, 2])
def test_the_java_portal_is_crawled_to_every_report(crawled, day):
    epoint = [e for e in crawled.expected[day] if e.site == "epoint"]
    assert len(epoint) >= 25 and _mismatches(crawled, day, epoint) == []
    if day == 2:  # new, replaced in place and re-posted: each seen once, old version kept
        kinds = {e.kind: crawled.runs[2].reports[crawled.url("epoint", e.url)]["state"] for e in epoint
                 if e.kind in ("new", "corrected", "repost")}
        assert kinds == {"new": "new", "corrected": "changed", "repost": "duplicate"}
        corrected = next(e for e in epoint if e.kind == "corrected")
        old = next(e for e in crawled.expected[1] if e.site == "epoint" and e.url == corrected.url)
        assert old.sha256 != corrected.sha256 and crawled.archive.has(old.sha256)


def test_script_loaded_lists_were_paged_through_json_and_jsonp(crawled):
    netloc = crawled.netloc("epoint")
    api = [rq for rq in crawled.runs[1].requests if rq.netloc == netloc and rq.path == "/api/list"]
    queries = {rq.query for rq in api}
    assert "channel=bmnb&page=1&size=10" in queries and "channel=bmnb&page=2&size=10" in queries
    assert any(q.startswith("channel=zjnb&page=1&size=10&callback=") for q in queries)
    assert all(rq.headers.get("X-Requested-With") == "XMLHttpRequest" for rq in api)
    # the list script file was read once; library scripts were not
    scripts = [rq.path for rq in crawled.runs[1].requests if rq.netloc == netloc and rq.path.startswith("/js/")]
    assert scripts == ["/js/xxgk/zjnb-list.js"]


def test_the_java_portals_traps(crawled):
    netloc = crawled.netloc("epoint")
    paths = {rq.path for day in (1, 2) for rq in crawled.runs[day].requests if rq.netloc == netloc}
    assert "/EpointWebBuilder/rest/visit/add" not in paths  # a visit counter is not a list: never called
    assert "/zwgk/xxgknb/wzbb/" not in paths  # the decoy column (政府网站工作年度报表) is not walked
    rows = crawled.runs[1].reports
    missing = next(e for e in crawled.expected[1] if e.fault == "missing_file_200")
    row = rows[crawled.url("epoint", missing.url)]
    assert row["state"] == "not_found" and row["sha256"] is None and "soft 404" in row["error"]
    servlet = [r for url, r in rows.items() if "/servlet/DownloadServlet" in url and r["state"] == "new"]
    assert servlet and all(r["link_title"].endswith("年度报告") for r in servlet)


def test_every_demo_column_yields_reports_so_none_is_an_empty_column(crawled):
    empty = [r for day in (1, 2) for r in crawled.archive.manifest()
             if r["run_id"] == f"day{day}" and r["kind"] == "column"]
    assert empty == []
