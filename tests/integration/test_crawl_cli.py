"""`xxgk crawl` end to end against the demo world: progress, summary table, manifest on disk."""

import json

import pytest
from typer.testing import CliRunner

from demo.sites import DemoWorld
from flows.cli import app

pytestmark = pytest.mark.slow


def test_xxgk_crawl_archives_a_demo_site_and_prints_the_summary(tmp_path, monkeypatch):
    world = DemoWorld(seed=7)
    expected = [e for e in world.expected_reports(1) if e.site == "legacy"]
    with world.serve(day=1, fast=True) as live:
        sites = tmp_path / "sites.yaml"
        sites.write_text(live.sites_yaml(), encoding="utf-8")
        # delays from the environment, as the operator / Prefect deployment sets them
        monkeypatch.setenv("XXGK_MIN_DELAY_S", "0.05")
        monkeypatch.setenv("XXGK_JITTER_S", "0.01")
        monkeypatch.setenv("XXGK_CRAWL_DELAY_SCALE", "0.02")
        result = CliRunner().invoke(app, ["crawl", "--sites", str(sites), "--data-dir", str(tmp_path / "data"),
                                          "--site", "demo-legacy", "--site", "demo-down", "--run-id", "cli-1"])
        requests = live.requests()
        legacy = live.base_url("legacy")
    assert result.exit_code == 0, result.output
    assert "crawl summary" in result.output and "demo-legacy" in result.output and "demo-down" in result.output
    assert "drift:" in result.output  # the legacy entry URL moved
    rows = [json.loads(line) for line in (tmp_path / "data/raw/manifest.jsonl").read_text("utf-8").splitlines()]
    reports = {r["url"] for r in rows if r["kind"] == "report"}
    assert {legacy + e.url for e in expected} == reports
    assert all(r["run_id"] == "cli-1" and r["crawler_version"] == "xxgk/0.1.0" for r in rows)
    assert {rq.site for rq in requests} == {"legacy", "down"}


def test_xxgk_crawl_rejects_an_unknown_site(tmp_path):
    sites = tmp_path / "sites.yaml"
    sites.write_text("- id: a\n  name: 甲区\n  hosts: [x.gov.cn]\n  entries: [{url: 'http://x.gov.cn/'}]\n",
                     encoding="utf-8")
    result = CliRunner().invoke(app, ["crawl", "--sites", str(sites), "--data-dir", str(tmp_path), "--site", "b"])
    # one line on stderr, exit 2, no traceback (issue 15); nothing fetched
    assert result.exit_code == 2 and "unknown site id" in result.output and "Traceback" not in result.output
