"""The crawl always ends: a trickling or endless download is abandoned, a site's night is capped.

A hostile server on 127.0.0.1 trickles one byte every 2 s under a 10 MB Content-Length. The tests use
shorter floors and deadlines than production so they run in seconds; the defaults are checked to meet
the 3-minute bound by computation.
"""

from __future__ import annotations

import time

import pytest
from crawl_server import static

from extract.crawl.archive import Archive
from extract.crawl.crawl import crawl_site
from extract.crawl.fetch import FetchSettings, Fetcher, stalled_download_bound_s
from extract.crawl.registry import SiteConfig

TITLE = "示例区{}2024年政府信息公开工作年度报告"
UNITS = ("教育局", "民政局", "财政局", "商务局")


def hostile(server, *, gap: float = 2.0, step: int = 1, delay_ok: float = 0.0):
    """``/slow.pdf`` trickles ``step`` bytes every ``gap`` s under a 10 MB Content-Length; other PDFs are fine
    (after ``delay_ok`` s)."""

    def trickle(handler, n):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/pdf")
        handler.send_header("Content-Length", str(10 * 1024 * 1024))
        handler.end_headers()
        handler.close_connection = True
        while not server.stopping.is_set():
            handler.wfile.write(b"%" * step)
            handler.wfile.flush()
            if server.stopping.wait(gap):
                return None
        return None

    def report(handler, n):
        server.stopping.wait(delay_ok)
        return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.7 " + handler.path.encode() * 50

    items = "".join(f'<li><a href="/{n}.pdf">{TITLE.format(u)}</a></li>' for n, u in zip(("a", "slow", "b", "c"), UNITS))
    server.routes["/robots.txt"] = static(404, b"")
    server.routes["/nb/"] = static(200, f"<html><body><ul>{items}</ul></body></html>".encode())
    server.routes["/slow.pdf"] = trickle
    for name in ("a", "b", "c"):
        server.routes[f"/{name}.pdf"] = report
    return server


def _site(netloc: str) -> SiteConfig:
    return SiteConfig(id="hostile", name="示例区", hosts=[netloc], entries=[{"url": f"http://{netloc}/nb/"}])


def _crawl(tmp_path, netloc: str, **limits):
    # the production read timeout (30 s) is far above the 2 s trickle gap; the test keeps it above too
    settings = FetchSettings.for_tests(min_delay_s=0.05, jitter_s=0.0, read_timeout_s=5.0, **limits)
    archive = Archive(tmp_path)
    started = time.monotonic()
    with Fetcher(settings) as fetcher:
        summary = crawl_site(_site(netloc), archive, fetcher, run_id="r1")
    rows = {r["url"].rsplit("/", 1)[1]: r for r in archive.manifest() if r["kind"] == "report"}
    return summary, rows, time.monotonic() - started


def test_a_trickling_report_is_abandoned_below_the_throughput_floor_and_the_rest_archived(server, tmp_path):
    hostile(server, gap=2.0)
    summary, rows, took = _crawl(tmp_path, server.netloc, min_throughput_bps=1024, throughput_window_s=3.0,
                                 download_deadline_s=60.0)
    log = [(path, start, end) for _, path, _, start, end in server.entries(timeout=5)]
    # the floor's window (3 s), one trickle gap and the rest after it (~9 s), not the 10 MB at 0.5 B/s (243 days)
    assert took < 25
    assert rows["slow.pdf"]["state"] == "failed"
    assert "throughput" in rows["slow.pdf"]["error"] and "1024 B/s" in rows["slow.pdf"]["error"]
    assert {name: rows[name]["state"] for name in ("a.pdf", "b.pdf", "c.pdf")} == dict.fromkeys(
        ("a.pdf", "b.pdf", "c.pdf"), "new")
    assert summary.failed == 1 and summary.new == 3
    assert [p for p, _, _ in log].count("/slow.pdf") == 1  # abandoned, not retried
    # still polite: the request after the abandoned one starts only when the server let go of it
    ordered = sorted(log, key=lambda e: e[1])
    slow = next(e for e in ordered if e[0] == "/slow.pdf")
    after = [e for e in ordered if e[1] > slow[1]]
    assert after and after[0][1] >= slow[2]


def test_a_download_past_its_total_deadline_is_abandoned(server, tmp_path):
    """Fast enough for the floor (10 kB/s) but endless: the total deadline ends it."""
    hostile(server, gap=0.1, step=1024)
    _, rows, took = _crawl(tmp_path, server.netloc, min_throughput_bps=100, throughput_window_s=3.0,
                           download_deadline_s=2.0)
    assert rows["slow.pdf"]["state"] == "failed" and "deadline" in rows["slow.pdf"]["error"]
    assert took < 12
    assert all(rows[n]["state"] == "new" for n in ("a.pdf", "b.pdf", "c.pdf"))


def test_a_site_past_its_time_budget_records_the_rest_as_failed_and_moves_on(server, tmp_path):
    hostile(server, delay_ok=0.6)
    summary, rows, took = _crawl(tmp_path, server.netloc, site_time_budget_s=1.0, min_throughput_bps=1024,
                                 throughput_window_s=3.0)
    assert took < 8
    budget = [r for r in rows.values() if r["state"] == "failed" and "time budget" in (r["error"] or "")]
    assert budget and len(rows) == 4  # every discovered link still has its manifest row
    assert any("time budget" in note for note in summary.notes)


def test_default_limits_end_a_trickling_download_within_three_minutes():
    """By computation: with the production defaults, one report trickling 1 byte / 2 s costs its host at
    most ``stalled_download_bound_s`` (connect + first byte + the floor's window + the cool-down), no retry."""
    defaults = FetchSettings()
    assert defaults.min_throughput_bps >= 1024 and defaults.throughput_window_s <= 30
    assert stalled_download_bound_s(defaults) <= 180
    # the trickle's rate is far below the floor: it cannot survive the window
    assert 0.5 * defaults.throughput_window_s < defaults.min_throughput_bps * defaults.throughput_window_s
    assert defaults.site_time_budget_s is not None and defaults.download_deadline_s <= defaults.site_time_budget_s


@pytest.mark.parametrize("field", ["min_throughput_bps", "throughput_window_s", "download_deadline_s"])
def test_limits_must_be_positive(field):
    with pytest.raises(ValueError):
        FetchSettings(**{field: 0})
