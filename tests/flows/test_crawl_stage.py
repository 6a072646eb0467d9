"""A site that is down is retried by Prefect, then recorded; the night still publishes."""

from __future__ import annotations

import socket


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_site_that_stays_down_is_retried_then_recorded_and_the_night_completes(tmp_path):
    from flows.nightly import nightly

    port = _closed_port()
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"""
- id: dead-site
  name: 测试区
  province: 测试省
  admin_code: '110101'
  hosts: ['127.0.0.1:{port}']
  family_hint: trs
  entries:
  - kind: 本级
    url: http://127.0.0.1:{port}/xxgk/ndbg/
""", encoding="utf-8")
    summary = nightly(overrides={"data_dir": str(tmp_path / "data"), "sites_file": str(sites), "min_delay_s": 0.01,
                                 "jitter_s": 0.0, "connect_timeout_s": 0.5, "read_timeout_s": 0.5, "backoff_s": 0.01,
                                 "max_retries": 0, "crawl_retries": 1, "crawl_retry_delay_s": 0})
    (site,) = summary["sites"]
    assert site["site"] == "dead-site" and site["found"] == 0
    assert site["errors"] and "SiteUnreachable" in site["errors"][0]
    assert summary["problems"][0].startswith("site dead-site")
    # one try plus one Prefect retry: the entry page was asked for twice
    manifest = (tmp_path / "data" / "raw" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum(f"127.0.0.1:{port}/xxgk/ndbg/" in line for line in manifest) == 2
    # nothing to load, but the first night still publishes an (empty) warehouse and its exports
    assert summary["warehouse"]["reports_current"] == 0
    assert (tmp_path / "data" / "warehouse" / "xxgk.duckdb").exists()
    assert any(p.endswith("data_dictionary.csv") for p in summary["exports"])


def test_two_runs_on_one_data_directory_exclude_each_other(tmp_path):
    import pytest

    from warehouse.lock import RunInProgress, run_lock

    with run_lock(tmp_path):
        with pytest.raises(RunInProgress):
            with run_lock(tmp_path):
                pass
    with run_lock(tmp_path):  # released after the first run
        pass
