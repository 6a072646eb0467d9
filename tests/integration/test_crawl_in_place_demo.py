"""Day 2 of the demo world on the production schedule: known documents are not due for their weekly
download, yet every file replaced in place is seen that night (issue 13).

The main demo crawl (test_crawl_demo.py) re-downloads everything nightly (``revalidate_after_days=0``);
here known files get only the nightly in-place check: a conditional GET where the host gives validators
(trs), a re-download of small files, a ranged GET / HEAD of large ones.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

import pytest
import yaml

from demo.sites import DemoWorld
from extract.crawl.archive import Archive
from extract.crawl.fetch import FetchSettings
from extract.crawl.registry import SiteConfig
from extract.crawl.runner import crawl_sites

pytestmark = pytest.mark.slow

SITES = ("trs", "hanweb", "doc", "epoint")  # epoint and trs each replace one report in place on day 2
SETTINGS = FetchSettings.for_tests(revalidate_after_days=7.0)  # known documents are not due on day 2


@dataclass
class Nights:
    world: DemoWorld
    bases: dict
    archive: Archive
    rows: dict  # day -> {url: report row}
    requests: dict  # day -> request log


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> Nights:
    world = DemoWorld(seed=7)
    for day in (1, 2):
        world.expected_reports(day)  # render up front
    archive = Archive(tmp_path_factory.mktemp("in-place"))
    rows, requests = {}, {}
    with world.serve(day=1, fast=True) as live:
        entries = [e for e in yaml.safe_load(live.sites_yaml()) if e["id"].removeprefix("demo-") in SITES]
        for entry in entries:
            entry.pop("family_hint", None)
        sites = [SiteConfig.model_validate(e) for e in entries]
        for day in (1, 2):
            live.set_day(day)
            live.clear_requests()
            crawl_sites(sites, archive, SETTINGS, run_id=f"day{day}", workers=4)
            requests[day] = live.requests()
            rows[day] = {r["url"]: r for r in archive.manifest() if r["run_id"] == f"day{day}" and r["kind"] == "report"}
        bases = live.base_urls()
    return Nights(world, bases, archive, rows, requests)


def _expected(nights: Nights, day: int):
    return [e for e in nights.world.expected_reports(day) if e.site in SITES]


def test_day2_on_the_weekly_schedule_records_every_report_in_its_expected_state(nights):
    bad = []
    for e in _expected(nights, 2):
        row = nights.rows[2].get(nights.bases[e.site] + e.url)
        state = row["state"] if row else "NOT FOUND"
        if state not in e.accepted_states:
            bad.append((e.site, e.url, e.kind, e.accepted_states, state, row and row["error"]))
    assert bad == []


def test_files_replaced_in_place_are_new_versions_and_the_old_ones_are_kept(nights):
    corrected = [e for e in _expected(nights, 2) if e.kind == "corrected"]
    assert sorted(e.site for e in corrected) == ["epoint", "trs"]
    for e in corrected:
        row = nights.rows[2][nights.bases[e.site] + e.url]
        old = nights.rows[1][nights.bases[e.site] + e.url]
        assert row["state"] == "changed" and row["sha256"] == e.sha256 != old["sha256"]
        assert nights.archive.has(old["sha256"]) and nights.archive.has(row["sha256"])


def test_each_known_file_costs_one_request_on_a_night_it_is_not_due(nights):
    per_path = collections.Counter((rq.site, rq.path, rq.query) for rq in nights.requests[2])
    known = [e for e in _expected(nights, 2) if e.kind == "original" and e.state == "unchanged" and not e.fault]
    assert len(known) >= 60
    for e in known:
        path, _, query = e.url.partition("?")
        assert per_path[(e.site, path, query)] <= 1, e.url
    # how they were asked: 304 on the host with validators; 200 (small files) or 206/HEAD elsewhere
    statuses = collections.Counter(rq.status for rq in nights.requests[2] if rq.site == "trs")
    assert statuses[304] >= 10


def test_no_two_requests_overlap_on_a_host(nights):
    by_host = collections.defaultdict(list)
    for rq in nights.requests[2]:
        by_host[rq.netloc].append(rq)
    for host, reqs in by_host.items():
        reqs.sort(key=lambda r: r.t_start)
        assert all(b.t_start >= a.t_end for a, b in zip(reqs, reqs[1:])), host
