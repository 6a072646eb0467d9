"""flows/settings.py: one Settings object from XXGK_* variables, mapped onto the crawler's FetchSettings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from flows.settings import Settings, demo_settings


def test_production_defaults_are_polite(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env here
    settings = Settings()
    fetch = settings.fetch_settings()
    assert fetch.min_delay_s >= 3.0 and fetch.crawl_delay_scale == 1.0
    assert "xxgk" in fetch.user_agent
    assert settings.published_db == Path("data/warehouse/xxgk.duckdb")
    assert settings.work_db.parent == settings.published_db.parent  # atomic rename needs one directory
    assert settings.task_runner == "local" and settings.workers >= 1


def test_environment_and_dotenv_override_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("XXGK_WORKERS=3\nXXGK_MIN_DELAY_S=5\n", encoding="utf-8")
    monkeypatch.setenv("XXGK_DATA_DIR", "/srv/xxgk")
    monkeypatch.setenv("XXGK_TASK_RUNNER", "dask")
    monkeypatch.setenv("XXGK_DASK_ADDRESS", "tcp://10.0.0.5:8786")
    settings = Settings()
    assert settings.data_dir == Path("/srv/xxgk") and settings.workers == 3
    assert settings.fetch_settings().min_delay_s == 5.0
    assert (settings.task_runner, settings.dask_address) == ("dask", "tcp://10.0.0.5:8786")
    with pytest.raises(ValidationError):
        Settings(task_runner="spark")


def test_demo_settings_are_short_only_for_the_loopback_world(tmp_path):
    settings = demo_settings(tmp_path, tmp_path / "sites.yaml", workers=2)
    fetch = settings.fetch_settings()
    assert fetch.min_delay_s < 0.1 and fetch.read_timeout_s == 1.0 and fetch.latency_factor == 0.0
    assert settings.crawl_retries == 0 and settings.workers == 2


def test_crawler_time_limits_and_nightly_check_reach_the_fetcher(monkeypatch):
    """`xxgk run` and the deployment take the same crawler switches as `xxgk crawl`, from the environment."""
    from flows.settings import Settings

    monkeypatch.setenv("XXGK_CHECK_KNOWN_NIGHTLY", "false")
    monkeypatch.setenv("XXGK_CHECK_NIGHTLY_MAX_AGE_DAYS", "180")
    monkeypatch.setenv("XXGK_SITE_TIME_BUDGET_S", "600")
    monkeypatch.setenv("XXGK_DOWNLOAD_DEADLINE_S", "90")
    fetch = Settings().fetch_settings()
    assert fetch.check_known_nightly is False
    assert fetch.check_nightly_max_age_days == 180
    assert fetch.site_time_budget_s == 600
    assert fetch.download_deadline_s == 90
    assert Settings().fetch_settings().min_throughput_bps == 1024.0
