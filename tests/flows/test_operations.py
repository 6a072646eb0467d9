"""Operations (issue 15): serve and prefect.yaml side by side, the flow-run name is the run id, progress only
on a terminal, time limits on flows and tasks, a webhook on a failed or late night."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

from tests.flows.test_cli import _dead_registry

ROOT = Path(__file__).resolve().parents[2]
XXGK = [sys.executable, "-m", "flows.cli"]
REAL = ROOT / "demo" / "data" / "real"


def quick(tmp_path: Path, **more) -> dict:
    values = {"data_dir": str(tmp_path / "data"), "sites_file": _dead_registry(tmp_path), "min_delay_s": 0.01,
              "jitter_s": 0.0, "connect_timeout_s": 0.5, "read_timeout_s": 0.5, "max_retries": 0,
              "crawl_retries": 0, "workers": 1}
    values.update(more)
    return values


# ------------------------------------------------------------------------------ serve vs prefect.yaml


def test_serve_and_prefect_yaml_deployments_do_not_collide():
    """`prefect deploy --all` then `xxgk serve`: both apply to one server without a 422 on schedule slugs."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from flows.commands import served_deployment
    from flows.nightly import nightly

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    night = next(d for d in spec["deployments"] if d["entrypoint"].endswith(":nightly"))
    schedule = night["schedules"][0]

    async def create_yaml_deployment():
        from prefect.client.schemas.schedules import CronSchedule

        async with get_client() as client:
            flow_id = await client.create_flow_from_name(nightly.name)
            return await client.create_deployment(
                flow_id=flow_id, name=night["name"], parameter_openapi_schema={},
                schedules=[DeploymentScheduleCreate(schedule=CronSchedule(cron=schedule["cron"],
                                                                          timezone=schedule["timezone"]),
                                                    slug=schedule["slug"], active=True)])

    asyncio.run(create_yaml_deployment())
    served = served_deployment(name=None, cron=schedule["cron"], timezone=schedule["timezone"], overrides={})
    served.apply()  # raised a 422 "schedule slugs" before
    assert served.name != night["name"]
    assert [s.slug for s in served.schedules] and all(s.slug for s in served.schedules)


# ---------------------------------------------------------------------------------------- run id


def test_the_flow_run_is_named_by_the_run_id(tmp_path):
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    from flows.nightly import nightly

    summary = nightly(overrides=quick(tmp_path))

    async def runs_named(name):
        async with get_client() as client:
            return await client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])))

    assert summary["run_id"].startswith("nightly-")
    assert len(asyncio.run(runs_named(summary["run_id"]))) == 1
    manifest = (tmp_path / "data" / "raw" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert {json.loads(line)["run_id"] for line in manifest} == {summary["run_id"]}


# ---------------------------------------------------------------------------------- time limits


def test_flows_and_tasks_have_time_limits():
    from flows import nightly as nightly_module
    from flows import tasks
    from flows.settings import Settings

    settings = Settings(_env_file=None)
    for flow in (nightly_module.nightly, nightly_module.rebuild):
        assert flow.timeout_seconds == settings.run_timeout_s  # deployments (prefect.yaml, serve)
        assert nightly_module.with_limits(flow, settings.model_copy(update={"run_timeout_s": 60})).timeout_seconds == 60
    # tasks run in the flow's own thread, where Prefect can stop them
    assert tasks.load_task.timeout_seconds and tasks.publish_task.timeout_seconds and tasks.report_task.timeout_seconds
    # tasks in worker threads are bounded by the library instead: a site by the crawler's budget, a chunk's
    # documents each by the extract limit
    assert settings.fetch_settings().site_time_budget_s and settings.extract_timeout_s


def test_a_night_over_its_time_limit_fails_visibly(tmp_path):
    from flows.nightly import nightly, with_limits
    from flows.settings import Settings

    server = HTTPServer(("127.0.0.1", 0), _SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sites = tmp_path / "slow.yaml"
    sites.write_text(f"- id: slow\n  name: 慢区\n  hosts: ['127.0.0.1:{server.server_port}']\n  entries:\n"
                     f"  - url: http://127.0.0.1:{server.server_port}/xxgk/\n", encoding="utf-8")
    values = quick(tmp_path, sites_file=str(sites), read_timeout_s=30, run_timeout_s=3)
    try:
        state = with_limits(nightly, Settings(**values))(overrides=values, return_state=True)
    finally:
        server.shutdown()
    assert state.is_failed() or state.is_crashed()
    assert "3" in (state.message or "") or "timed out" in (state.message or "").lower()


class _SlowHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        import time

        time.sleep(8)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


# ------------------------------------------------------------------------------------ notification


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def webhook():
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Hook.received
    server.shutdown()


def test_a_failed_night_is_notified(tmp_path, webhook):
    from flows.nightly import nightly

    url, received = webhook
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: [this is not a registry\n", encoding="utf-8")
    state = nightly(overrides=quick(tmp_path, sites_file=str(broken), notify_webhook_url=url), return_state=True)
    assert state.is_failed()
    assert len(received) == 1 and received[0]["event"] == "failed"
    assert received[0]["run_id"].startswith("nightly-") and received[0]["reason"]


def test_a_late_night_is_notified_and_a_good_one_is_not(tmp_path, webhook):
    from flows.nightly import nightly

    url, received = webhook
    nightly(overrides=quick(tmp_path, notify_webhook_url=url))
    assert received == []
    nightly(overrides=quick(tmp_path, notify_webhook_url=url, late_after_s=0.001))
    assert len(received) == 1 and received[0]["event"] == "late"


# -------------------------------------------------------------------------------------- progress


def test_no_progress_bar_when_output_is_not_a_terminal(tmp_path):
    files = [REAL / "sh-city-office-2019.html", REAL / "fj-pingtan-2022.html"]
    proc = subprocess.run([*XXGK, "extract", *map(str, files), "--json"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0
    assert "━" not in proc.stderr and "\r" not in proc.stderr
    assert len(proc.stdout.splitlines()) == 2


def test_a_progress_bar_with_counts_on_a_terminal(tmp_path):
    files = [REAL / "sh-city-office-2019.html", REAL / "fj-pingtan-2022.html", REAL / "fj-pingtan-2019.html"]
    primary, secondary = pty.openpty()
    env = dict(os.environ, COLUMNS="100", TERM="xterm")
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([*XXGK, "extract", *map(str, files), "--json"], stdout=subprocess.PIPE,
                            stderr=secondary, env=env)
    os.close(secondary)
    seen = bytearray()

    def drain():  # read the terminal as it is written, or the bar's refreshes fill it and block the child
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(10)
    os.close(primary)
    assert proc.returncode == 0
    assert len(out.splitlines()) == 3  # the JSON on stdout is untouched by the progress display
    assert b"3/3" in seen


def test_the_summary_has_one_line_per_stage():
    from flows.summary import RunSummary, overview_rows

    summary = RunSummary(run_id="nightly-x", sites=[{"site": "a"}, {"site": "b"}], documents={"found": 7},
                         extraction={"documents": 3}, load={"documents": 3, "reports_loaded": 2},
                         exports=["a.csv", "b.csv"], stages={"crawl": 12.04, "extract": 3.5, "load": 1.0,
                                                             "publish": 0.5, "total": 17.2})
    rows = {name: value for name, value in overview_rows(summary)}
    assert rows["stage crawl"] == "12.0 s · 2 sites, 7 report links"
    assert rows["stage extract"] == "3.5 s · 3 documents"
    assert rows["stage load"] == "1.0 s · 3 documents, 2 report versions"
    assert rows["stage publish"] == "0.5 s · 2 files written"
    assert "stage total" not in rows


def test_run_progress_shows_counts_per_stage_on_a_terminal_only(monkeypatch):
    import io

    from flows import progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with progress.shown():
        progress.start("crawl", 2)
        progress.advance("crawl")
        progress.advance("crawl")
        progress.finish("crawl", "2 sites")
    assert "crawl" in screen.getvalue() and "2/2" in screen.getvalue()

    piped = io.StringIO()  # not a terminal: the same calls print nothing
    monkeypatch.setattr(sys, "stderr", piped)
    with progress.shown():
        progress.start("crawl", 2)
        progress.advance("crawl")
    assert piped.getvalue() == ""
