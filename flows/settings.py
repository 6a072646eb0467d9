"""The one settings object of a run: environment variables ``XXGK_*`` and an optional ``.env`` file.

Only flows and the CLI read it; library functions keep taking explicit arguments (paths, a
``FetchSettings``, limits), so they stay testable without any environment.

    XXGK_DATA_DIR=/srv/xxgk XXGK_WORKERS=4 xxgk run
    XXGK_TASK_RUNNER=dask XXGK_DASK_ADDRESS=tcp://10.0.0.5:8786 xxgk run
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from extract.crawl.fetch import FetchSettings
from extract.datalayout import DataLayout

# Crawler switches a run passes through unchanged, with the crawler's defaults.
_CRAWL_DEFAULTS = {name: FetchSettings.model_fields[name].default for name in (
    "check_known_nightly", "check_nightly_max_age_days", "min_throughput_bps", "throughput_window_s",
    "download_deadline_s", "site_time_budget_s")}


def _default_workers() -> int:
    from transform.runner import cpu_count

    return cpu_count()


class Settings(BaseSettings):
    """Where data lives, how politely to crawl, how hard to work. Production defaults throughout."""

    model_config = SettingsConfigDict(env_prefix="XXGK_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    data_dir: Path = Path("data")
    sites_file: Path = Path("data/registry/sites.yaml")

    # Politeness (→ extract.crawl.fetch.FetchSettings). Production keeps ≥ 3 s between requests to one host;
    # only the loopback demo world may shrink it.
    user_agent: str | None = None  # None: the crawler's own honest default naming the project
    # Known documents (report files, article pages) are checked with the server again this often (days).
    revalidate_after_days: float = Field(7.0, ge=0)
    # A report document that failed is tried again after this many hours, doubling per further failure
    # up to revalidate_after_days (0 = on every run).
    retry_failed_after_hours: float = Field(20.0, ge=0)
    min_delay_s: float = Field(3.0, ge=0)
    jitter_s: float = Field(1.5, ge=0)
    crawl_delay_scale: float = Field(1.0, gt=0)  # multiplies robots Crawl-delay and per-site floors
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_retries: int = 2
    backoff_s: float = 2.0
    retry_after_cap_s: float = 60.0
    crawl_threads: int = Field(4, ge=1)  # sites crawled at once (each host still gets one connection)
    crawl_retries: int = Field(1, ge=0)  # Prefect retries of a whole site task (network trouble only)
    crawl_retry_delay_s: float = Field(600.0, ge=0)  # a site down at 02:30 is often back ten minutes later
    max_list_pages: int | None = None
    # The nightly in-place check and the crawl's time limits: meaning and defaults are FetchSettings' own.
    check_known_nightly: bool = _CRAWL_DEFAULTS["check_known_nightly"]
    check_nightly_max_age_days: float | None = Field(_CRAWL_DEFAULTS["check_nightly_max_age_days"], gt=0)
    min_throughput_bps: float = Field(_CRAWL_DEFAULTS["min_throughput_bps"], gt=0)
    throughput_window_s: float = Field(_CRAWL_DEFAULTS["throughput_window_s"], gt=0)
    download_deadline_s: float = Field(_CRAWL_DEFAULTS["download_deadline_s"], gt=0)
    site_time_budget_s: float | None = Field(_CRAWL_DEFAULTS["site_time_budget_s"], gt=0)

    # Extraction: each document in its own child process with these limits.
    extract_timeout_s: float = Field(120.0, gt=0)
    extract_memory_mb: int = Field(3072, ge=256)
    # OCR of scanned pages and pictured tables (extract.documents.ocr), inside extract_timeout_s per document.
    ocr: bool = True
    ocr_time_limit_s: float = Field(80.0, gt=0)
    workers: int = Field(default_factory=_default_workers, ge=1)  # process-pool size on one machine
    chunk_size: int = Field(200, ge=1)  # documents per extract task

    extract_max_file_mb: float = Field(200.0, gt=0)  # larger archived files are not read (parser_limit)

    # The night's time limit (Prefect flow timeout), so a stuck stage fails visibly instead of holding the
    # run lock for days. Inside it, each site has the crawler's budget (FetchSettings.site_time_budget_s,
    # 3 h), each document extract_timeout_s, load and publish their task limits (flows/tasks.py).
    run_timeout_s: float = Field(12 * 3600.0, gt=0)
    # Who hears about a failed or late night: a JSON POST (flows.notify); a night taking longer than
    # late_after_s counts as late (02:30 + 4 h: the results are not there by morning).
    notify_webhook_url: str | None = None
    late_after_s: float | None = Field(4 * 3600.0, gt=0)

    # Where extract tasks run: a local process pool, or an existing Dask cluster (prefect-dask).
    task_runner: Literal["local", "dask"] = "local"
    dask_address: str | None = None
    dask_chunk_size: int = Field(20, ge=1)  # smaller chunks than locally: they spread over the cluster
    dask_chunk_workers: int = Field(1, ge=1)  # pool size inside one Dask task (Dask itself parallelizes)

    @property
    def layout(self) -> DataLayout:
        return DataLayout(self.data_dir)

    @property
    def raw_dir(self) -> Path:
        return self.layout.raw_dir

    @property
    def manifest_path(self) -> Path:
        return self.layout.manifest_path

    @property
    def published_db(self) -> Path:
        return self.layout.published_db

    @property
    def work_db(self) -> Path:
        return self.layout.work_db

    @property
    def exports_dir(self) -> Path:
        return self.layout.exports_dir

    @property
    def report_dir(self) -> Path:
        return self.layout.report_dir

    def ocr_environment(self) -> dict[str, str]:
        """The extractor reads its OCR switch and limit from the environment, which worker processes inherit."""
        return {"XXGK_OCR": "1" if self.ocr else "0", "XXGK_OCR_TIME_LIMIT_S": str(self.ocr_time_limit_s)}

    def fetch_settings(self):
        """The crawler's FetchSettings built from these values."""
        values = dict(min_delay_s=self.min_delay_s, jitter_s=self.jitter_s, crawl_delay_scale=self.crawl_delay_scale,
                      connect_timeout_s=self.connect_timeout_s, read_timeout_s=self.read_timeout_s,
                      max_retries=self.max_retries, backoff_s=self.backoff_s,
                      retry_after_cap_s=self.retry_after_cap_s, revalidate_after_days=self.revalidate_after_days,
                      retry_failed_after_hours=self.retry_failed_after_hours,
                      **{name: getattr(self, name) for name in _CRAWL_DEFAULTS})
        if self.user_agent:
            values["user_agent"] = self.user_agent
        if self.min_delay_s < 1.0:
            # A short delay only makes sense on loopback, where no real host is hammered; the fetcher's
            # latency-proportional back-off would otherwise dominate.
            values["latency_factor"] = 0.0
        return FetchSettings(**values)


def demo_settings(data_dir: Path, sites_file: Path, **overrides) -> Settings:
    """Settings for the loopback demo world served with ``fast=True``: short delays and timeouts.

    The fast world's stalls are sized for a 1 s read timeout (a slow first byte passes, a trickling
    attachment fails); never use these values for real hosts. The demo's "days" are minutes apart and
    day 2 stands for a later night on which everything is due again: known documents are checked
    (so the correction replaced in place is seen) and failed ones retried.
    """
    values = dict(data_dir=data_dir, sites_file=sites_file, min_delay_s=0.005, jitter_s=0.002, crawl_delay_scale=0.002,
                  connect_timeout_s=1.0, read_timeout_s=1.0, backoff_s=0.05, retry_after_cap_s=2.0,
                  crawl_threads=8, crawl_retries=0, crawl_retry_delay_s=0.0, extract_timeout_s=60.0,
                  revalidate_after_days=0.0, retry_failed_after_hours=0.0)
    values.update(overrides)
    return Settings(**values)
