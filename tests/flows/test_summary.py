"""flows/summary.py: crawl counts from the manifest and the run artifact's content."""

from __future__ import annotations

from flows.summary import RunSummary, crawl_counts, link_problems, markdown, site_table_rows


def _row(url, state, sha=None, run="night2", kind="report"):
    return {"url": url, "state": state, "sha256": sha, "run_id": run, "kind": kind}


def test_crawl_counts_a_night_by_state_and_counts_links_whose_outcome_changed():
    rows = [
        _row("a", "new", "s1", "night1"), _row("b", "new", "s2", "night1"), _row("c", "blocked", None, "night1"),
        _row("d", "new", "s4", "night1"), _row("list", "new", "p1", "night1", kind="page"),
        _row("a", "not_modified", "s1"),          # 304: same as before
        _row("b", "changed", "s2b"),              # new bytes
        _row("c", "new", "s3"),                   # was blocked, now stored
        _row("d", "unchanged", "s4"),             # 200 with the same bytes ≡ 304
        _row("e", "new", "s5"),                   # a new link
        _row("f", "gone"),                        # a new link that is gone
        _row("list", "not_modified", "p1", kind="page"),
    ]
    counts = crawl_counts(rows, "night2")
    assert counts["found"] == 6
    assert counts["states"] == {"new": 2, "changed": 1, "unchanged": 1, "not_modified": 1, "gone": 1}
    assert (counts["new"], counts["changed"], counts["unchanged"]) == (2, 1, 2)
    assert counts["links_changed"] == 4  # b, c, e, f


def test_a_night_identical_to_the_last_has_no_changed_link():
    rows = [_row("a", "new", "s1", "n1"), _row("c", "blocked", None, "n1"),
            _row("a", "not_modified", "s1", "n2"), _row("c", "blocked", None, "n2")]
    assert crawl_counts(rows, "n2")["links_changed"] == 0


def test_markdown_shows_overview_sites_and_problems():
    summary = RunSummary(
        run_id="nightly-x", parser_version="p/1",
        sites=[{"site": "demo-trs", "found": 3, "new": 2, "not_modified": 1, "blocked": 0, "gone": 1, "pages": 4,
                "errors": []},
               {"site": "demo-down", "found": 0, "pages": 0, "errors": ["robots.txt unreachable"]}],
        documents={"found": 3, "new": 2, "changed": 0, "unchanged": 1, "duplicate": 0,
                   "states": {"new": 2, "not_modified": 1, "gone": 1}},
        extraction={"documents": 2, "statuses": {"ok": 1, "failed": 1}, "checks_failed": 3},
        warehouse={"reports_current": 1, "reports_superseded": 0, "agencies": 1, "years": 1, "facts": 120,
                   "document_states": {"ok": 1, "failed": 1, "gone": 1}, "checks_failed_current": 3},
        stages={"crawl": 1.5, "extract": 2.0}, problems=["site demo-down: robots.txt unreachable"])
    text = markdown(summary)
    assert "# xxgk nightly nightly-x" in text
    assert "| … by status | ok 1, failed 1 |" in text
    assert "| warehouse: documents by state | ok 1, failed 1, gone 1 |" in text
    assert "| time per stage (s) | crawl 1.5, extract 2.0 |" in text
    assert "- site demo-down: robots.txt unreachable" in text
    header, rows = site_table_rows(summary)
    assert header[:6] == ["site", "found", "new", "changed", "unchanged", "duplicate"]
    assert rows[0] == ["demo-trs", 3, 2, 0, 1, 0, "gone 1", 4, 0]
    assert rows[1][-1] == 1


def test_links_that_could_not_be_fetched_are_problems_with_their_reason():
    rows = [_row("a", "failed", run="n1") | {"error": "read timeout"},
            _row("a", "failed", run="n2") | {"error": "not retried yet: 1 failed attempt(s)"},
            _row("b", "blocked", run="n2") | {"error": "WAF challenge (412)"},
            _row("c", "not_modified", "s3", "n2"), _row("p", "failed", run="n2", kind="page")]
    assert link_problems(rows, "n2") == ["link a: failed: not retried yet: 1 failed attempt(s)",
                                         "link b: blocked: WAF challenge (412)"]
