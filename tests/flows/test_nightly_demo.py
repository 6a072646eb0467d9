"""End to end under prefect_test_harness: demo sites → nightly → published warehouse, three nights.

Night 1 crawls day 1 of the demo world (one site is down, one .docx is a decompression bomb), night 2
crawls day 2 (new reports, re-posts, a 更正版 corrected in place on two sites), night 3 crawls day 2 again.
"""

from __future__ import annotations

import pytest

from tests.flows.demo_nights import expected_cells, run_demo_nights

pytestmark = pytest.mark.slow

LOADABLE = ("ok", "warning")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    return run_demo_nights(tmp_path_factory.mktemp("nights"))


def _reports_with_values(world, day, bomb_sha):
    return [e for e in world.expected_reports(day) if e.values is not None and e.sha256 and e.sha256 != bomb_sha]


def _mismatches(facts: dict, expected: dict) -> list:
    out = []
    for key in sorted(set(facts) | set(expected), key=str):
        got, want = facts.get(key, "missing"), expected.get(key, "not in report")
        if got != want and not (isinstance(got, float) and isinstance(want, float) and abs(got - want) < 1e-6):
            out.append((key, got, want))
    return out


def test_night_one_loads_every_report_with_the_numbers_it_was_rendered_from(nights):
    snap = nights.snapshots[0]
    expected = [e for e in _reports_with_values(nights.world, 1, nights.bomb_sha) if e.extract_status in LOADABLE]
    assert len(expected) >= 20
    problems = {}
    for report in expected:
        if snap.document_states.get(report.sha256) not in LOADABLE:
            problems[report.url] = f"document state {snap.document_states.get(report.sha256)}"
        elif not snap.reports.get(report.sha256, {}).get("is_current"):
            problems[report.url] = "not a current report"
        else:
            bad = _mismatches(snap.facts.get(report.sha256, {}), expected_cells(report.values))
            if bad:
                problems[report.url] = bad[:5]
    assert problems == {}


def test_no_wrong_number_is_loaded_for_any_document(nights):
    """Whatever the extractor's verdict (failed, unsupported…), a loaded fact is the printed number."""
    known = {e.sha256: expected_cells(e.values) for day in (1, 2)
             for e in _reports_with_values(nights.world, day, nights.bomb_sha)}
    snap = nights.snapshots[1]
    wrong = {}
    for sha, facts in snap.facts.items():
        assert sha in known, f"facts loaded for a document the demo world does not know: {sha}"
        bad = [(k, v, known[sha].get(k)) for k, v in facts.items() if k in known[sha] and known[sha][k] != v
               and not (v is not None and known[sha][k] is not None and abs(v - known[sha][k]) < 1e-6)]
        if bad:
            wrong[sha] = bad[:5]
    assert wrong == {}


def test_unreadable_documents_are_visible_with_their_state(nights):
    snap = nights.snapshots[0]
    for report in nights.world.expected_reports(1):
        if report.sha256 and report.extract_status in ("unsupported",) and report.sha256 != nights.bomb_sha:
            assert snap.document_states.get(report.sha256) in ("unsupported", "failed"), report.url
            assert not snap.facts.get(report.sha256), report.url


def test_night_two_adds_exactly_the_new_reports_and_supersedes_the_corrected_one(nights):
    day1, day2 = nights.snapshots[0], nights.snapshots[1]
    expected2 = nights.world.expected_reports(2)
    new_docs = {e.sha256 for e in expected2 if e.state in ("new", "changed") and e.values is not None}
    assert set(day2.reports) - set(day1.reports) == new_docs
    assert set(day1.reports) <= set(day2.reports)  # the old version is kept

    # one 更正版 replaced in place per site that has one (trs with validators, epoint without)
    corrected = [e for e in expected2 if e.kind == "corrected"]
    assert sorted(e.site for e in corrected) == ["epoint", "trs"]
    old_shas = set()
    for new_version in corrected:
        old_sha = next(e.sha256 for e in nights.world.expected_reports(1)
                       if e.site == new_version.site and e.url == new_version.url)
        old_shas.add(old_sha)
        assert day2.reports[new_version.sha256]["is_current"] is True
        assert day2.reports[old_sha]["is_current"] is False
        assert day1.reports[old_sha]["is_current"] is True
        assert _mismatches(day2.facts[new_version.sha256], expected_cells(new_version.values)) == []
        changed = {k for k, v in day2.facts[new_version.sha256].items() if day1.facts[old_sha].get(k) != v}
        assert changed == {("t2_art20_6", "admin_penalty", "decisions")}
    # every other report keeps exactly its day-1 numbers
    for sha in set(day1.reports) - old_shas:
        assert day2.facts.get(sha) == day1.facts.get(sha)

    summary = nights.summaries[1]
    assert summary["documents"]["new"] == len([e for e in expected2 if e.state == "new"])
    assert summary["documents"]["changed"] == len(corrected)
    assert summary["load"]["reports_newly_superseded"] == len(corrected)


def test_a_night_with_nothing_new_changes_nothing(nights):
    summary = nights.summaries[2]
    assert summary["extraction"]["documents"] == 0
    assert summary["load"] is None
    assert any("load and publish" in s for s in summary["skipped"])
    assert summary["documents"]["new"] == summary["documents"]["changed"] == 0
    assert summary["documents"]["links_changed"] == 0
    assert nights.snapshots[2].file_digest == nights.snapshots[1].file_digest
    assert nights.exports_digest[2] == nights.exports_digest[1]
    assert summary["warehouse"]["reports_current"] == nights.summaries[1]["warehouse"]["reports_current"]


def test_a_down_site_and_a_hostile_document_do_not_stop_the_night(nights):
    summary = nights.summaries[0]
    down = [s for s in summary["sites"] if s["site"] == "demo-down"]
    assert down and down[0]["errors"] and down[0]["found"] == 0
    assert any(p.startswith("site demo-down") for p in summary["problems"])
    # the bomb failed alone, visibly, without numbers; everything else was published
    snap = nights.snapshots[0]
    assert snap.document_states[nights.bomb_sha] == "failed"
    assert not snap.facts.get(nights.bomb_sha)
    assert any(nights.bomb_sha[:12] in p for p in summary["problems"])
    assert summary["load"]["reports_loaded"] >= 20
    assert (nights.data_dir / "warehouse" / "xxgk.duckdb").exists()
    assert (nights.data_dir / "exports" / "out_agency_year.csv").exists()


def test_every_night_ends_with_a_summary_artifact(nights):
    from prefect.artifacts import Artifact

    from flows.nightly import SUMMARY_ARTIFACT_KEY

    latest = Artifact.get(SUMMARY_ARTIFACT_KEY)
    assert latest is not None
    text = latest.data
    assert nights.summaries[2]["run_id"] in text
    for needle in ("report links found", "documents extracted", "warehouse: current reports", "time per stage",
                   "demo-down", "skipped"):
        assert needle in text


def test_rebuild_reextracts_every_document_into_a_fresh_warehouse(nights):
    """Runs last: it rewrites the extracted JSON and replaces the warehouse of the nights above."""
    from transform.batch import archived_documents, extracted_path, extracted_version, write_json_atomically
    from extract.crawl.archive import Archive
    from flows.nightly import rebuild
    from tests.flows.demo_nights import snapshot
    from transform.report import PARSER_VERSION

    docs = archived_documents(Archive(nights.data_dir).manifest())
    stale = extracted_path(nights.data_dir, docs[0].sha256)
    write_json_atomically(stale, {"status": "failed", "parser_version": "xxgk-extract/0.9", "sha256": docs[0].sha256})

    summary = rebuild(overrides={"data_dir": str(nights.data_dir), "workers": 2, "extract_timeout_s": 60,
                                 "extract_memory_mb": 3072})

    assert summary["extraction"]["documents"] == len(docs)
    assert summary["sites"] == [] and "crawl" not in summary["stages"]
    assert extracted_version(stale) == PARSER_VERSION
    rebuilt, before = snapshot(nights.data_dir / "warehouse" / "xxgk.duckdb"), nights.snapshots[2]
    assert rebuilt.reports == before.reports
    assert rebuilt.facts == before.facts
    assert rebuilt.document_states == before.document_states
