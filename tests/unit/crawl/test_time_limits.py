"""The crawl always ends: a trickling or endless download is abandoned, a site's night is capped.

A hostile server on 127.0.0.1 trickles one byte every 2 s under a 10 MB Content-Length. The tests use
shorter floors and deadlines than production so they run in seconds; the defaults are checked to meet
the 3-minute bound by computation.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from extract.crawl.archive import Archive
from extract.crawl.crawl import crawl_site
from extract.crawl.fetch import FetchSettings, Fetcher, stalled_download_bound_s
from extract.crawl.registry import SiteConfig

TITLE = "示例区{}2024年政府信息公开工作年度报告"
UNITS = ("教育局", "民政局", "财政局", "商务局")


class HostileServer:
    """``/slow.pdf`` trickles ``step`` bytes every ``gap`` s under a 10 MB Content-Length; other PDFs are fine."""

    def __init__(self, *, gap: float = 2.0, step: int = 1, delay_ok: float = 0.0):
        self.stop = threading.Event()
        self.log: list[tuple[str, float, float]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                start = time.monotonic()
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    with outer.lock:
                        outer.log.append((self.path, start, time.monotonic()))

            def _answer(self):
                if self.path == "/robots.txt":
                    return self._send(404, "text/plain", b"")
                if self.path == "/nb/":
                    items = "".join(f'<li><a href="/{n}.pdf">{TITLE.format(u)}</a></li>'
                                    for n, u in zip(("a", "slow", "b", "c"), UNITS))
                    return self._send(200, "text/html; charset=utf-8",
                                      f"<html><body><ul>{items}</ul></body></html>".encode())
                if self.path == "/slow.pdf":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/pdf")
                    self.send_header("Content-Length", str(10 * 1024 * 1024))
                    self.end_headers()
                    self.close_connection = True
                    while not outer.stop.is_set():
                        self.wfile.write(b"%" * step)
                        self.wfile.flush()
                        if outer.stop.wait(gap):
                            return
                    return
                if outer.stop.wait(delay_ok):
                    return
                return self._send(200, "application/pdf", b"%PDF-1.7 " + self.path.encode() * 50)

            def _send(self, status, ctype, body):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


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


def test_a_trickling_report_is_abandoned_below_the_throughput_floor_and_the_rest_archived(tmp_path):
    with HostileServer(gap=2.0) as server:
        summary, rows, took = _crawl(tmp_path, server.netloc, min_throughput_bps=1024, throughput_window_s=3.0,
                                     download_deadline_s=60.0)
        log = list(server.log)
    assert took < 15  # the floor's window (3 s) plus one trickle gap, not the 10 MB at 0.5 B/s (243 days)
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


def test_a_download_past_its_total_deadline_is_abandoned(tmp_path):
    """Fast enough for the floor (10 kB/s) but endless: the total deadline ends it."""
    with HostileServer(gap=0.1, step=1024) as server:
        _, rows, took = _crawl(tmp_path, server.netloc, min_throughput_bps=100, throughput_window_s=3.0,
                               download_deadline_s=2.0)
    assert rows["slow.pdf"]["state"] == "failed" and "deadline" in rows["slow.pdf"]["error"]
    assert took < 12
    assert all(rows[n]["state"] == "new" for n in ("a.pdf", "b.pdf", "c.pdf"))


def test_a_site_past_its_time_budget_records_the_rest_as_failed_and_moves_on(tmp_path):
    with HostileServer(delay_ok=0.6) as server:
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
