"""No orphans (issue 15): kill -9 of ``xxgk extract`` or of a night leaves no process of it running, a second
night on the same data directory is refused in one line, and the temporary files of a killed night are
cleaned when the next one starts.

Each command runs as a real process tree (Prefect's temporary API server, the forkserver, the resource
tracker, pool workers, isolated parsing children) and is killed with SIGKILL, which no handler sees.
Every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from tests.flows.archive_fixture import REAL, archive_rows

pytestmark = pytest.mark.slow  # real process trees: a Prefect server per test, minutes in all

XXGK = [sys.executable, "-m", "flows.cli"]


def isolated_env(tmp_path: Path, **extra: str) -> dict:
    """The environment of a child xxgk: its own Prefect home (and so its own temporary API server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "XXGK_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="WARNING", PYTHONUNBUFFERED="1", **extra)
    return env


def alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    left = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
        except psutil.NoSuchProcess:
            pass
    return left


def marked(tmp_path: Path) -> list[psutil.Process]:
    """Every live process whose environment points at this test's Prefect home (spawned before or after)."""
    home = f"PREFECT_HOME={tmp_path / 'prefect-home'}".encode()
    found = []
    for pid in psutil.pids():
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                if home in handle.read().split(b"\0"):
                    found.append(psutil.Process(pid))
        except (OSError, psutil.Error):
            pass
    return alive(found)


def wait_for(condition, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def kill_and_check(main: subprocess.Popen, tmp_path: Path) -> None:
    tree = psutil.Process(main.pid).children(recursive=True)
    os.kill(main.pid, signal.SIGKILL)
    main.wait(10)
    left = wait_for(lambda: not alive(tree) and not marked(tmp_path), 15) or (alive(tree) + marked(tmp_path))
    if left is not True:
        described = [f"{p.pid} {' '.join(p.cmdline())[:120]}" for p in left if p.is_running()]
        for proc in left:  # never leave them to the next test
            try:
                proc.kill()
            except psutil.Error:
                pass
        pytest.fail(f"orphans after kill -9: {described}")


# xxgk extract with a child that never ends: reading the file (done only in the isolated child, never in
# the parent, which warms itself up by parsing a built-in PDF) is replaced by a busy loop.
SLOW_PARSE = """
import sys, time
import transform.runner as runner
def busy(*args, **kwargs):
    while True:
        sum(range(10000))
runner.read_regular_file = busy
from flows.cli import main
sys.argv = ["xxgk", *sys.argv[1:]]
main()
"""


def test_kill_9_of_extract_leaves_no_child_parsing(tmp_path):
    report = tmp_path / "report.html"
    report.write_bytes((REAL / "sh-city-office-2019.html").read_bytes())
    log = tmp_path / "stderr.txt"
    with log.open("w") as err:
        main = subprocess.Popen([sys.executable, "-c", SLOW_PARSE, "extract", str(report), "--timeout", "300"],
                                env=isolated_env(tmp_path), stdout=subprocess.DEVNULL, stderr=err)
    try:
        children = wait_for(lambda: main.poll() is None and psutil.Process(main.pid).children(recursive=True), 60)
        assert children, f"the isolated child never started (exit {main.poll()}): {log.read_text()[-2000:]}"
        time.sleep(0.5)  # the child is parsing (a busy loop) now
        kill_and_check(main, tmp_path)
    finally:
        if main.poll() is None:
            main.kill()


def many_documents(data_dir: Path, n: int) -> None:
    """``n`` distinct real PDF reports (a comment after %%EOF changes the bytes, not the content)."""
    pdfs = sorted(REAL.glob("*.pdf"))
    files = {f"http://127.0.0.1/r/{i}.pdf": pdfs[i % len(pdfs)].read_bytes() + f"\n% copy {i}\n".encode()
             for i in range(n)}
    archive_rows(data_dir, files)


def test_kill_9_of_a_rebuild_during_extraction_leaves_nothing_running(tmp_path):
    data_dir = tmp_path / "data"
    many_documents(data_dir, 12)
    main = subprocess.Popen([*XXGK, "rebuild", "--data-dir", str(data_dir), "--workers", "2"],
                            env=isolated_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def pool_working():
            tree = psutil.Process(main.pid).children(recursive=True)
            return any("forkserver" in " ".join(p.cmdline()) for p in alive(tree)) and len(alive(tree)) >= 4
        assert wait_for(pool_working, 120, 0.5), "the extraction pool never started"
        kill_and_check(main, tmp_path)
    finally:
        if main.poll() is None:
            main.kill()


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers: a night's crawl waits on it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self):
        for conn in self.conns:
            conn.close()
        self.sock.close()


def sites_file(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(f"""
- id: silent-site
  name: 测试区
  hosts: ['127.0.0.1:{port}']
  entries:
  - url: http://127.0.0.1:{port}/xxgk/ndbg/
""", encoding="utf-8")
    return path


def test_kill_9_of_a_night_during_the_crawl_leaves_no_prefect_server(tmp_path):
    server = SilentServer()
    env = isolated_env(tmp_path, XXGK_READ_TIMEOUT_S="120", XXGK_MIN_DELAY_S="0.01", XXGK_JITTER_S="0")
    main = subprocess.Popen([*XXGK, "run", "--data-dir", str(tmp_path / "data"), "--sites-file",
                             str(sites_file(tmp_path, server.port)), "--workers", "1"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: server.conns, 120, 0.5), "the crawl never reached the site"
        tree = psutil.Process(main.pid).children(recursive=True)
        assert any("uvicorn" in " ".join(p.cmdline()) for p in tree), "no temporary Prefect server?"
        kill_and_check(main, tmp_path)
    finally:
        if main.poll() is None:
            main.kill()
        server.close()


def test_a_second_night_is_refused_in_one_line(tmp_path):
    from warehouse.lock import run_lock

    data_dir = tmp_path / "data"
    with run_lock(data_dir):
        started = time.monotonic()
        proc = subprocess.run([*XXGK, "run", "--data-dir", str(data_dir), "--sites-file",
                               str(sites_file(tmp_path, 9))], env=isolated_env(tmp_path), capture_output=True,
                              text=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert time.monotonic() - started < 60
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "another xxgk run" in lines[0], proc.stderr
    assert not marked(tmp_path)


def test_temporary_files_of_a_killed_night_are_cleaned_on_the_next_start(tmp_path):
    from extract.datalayout import DataLayout
    from flows.nightly import SCRATCH_PREFIX, system_temp_dir

    layout = DataLayout(tmp_path / "data")
    many_documents(layout.root, 1)
    stale_json = layout.extracted_dir / ".tmp-killed.json"
    stale_json.parent.mkdir(parents=True)
    stale_json.write_text("{")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)  # a pid that has just ended: the killed night's
    stale_dir = system_temp_dir() / f"{SCRATCH_PREFIX}{gone.stdout.strip()}"
    (stale_dir / "pymp-x").mkdir(parents=True)
    (stale_dir / "pymp-x" / "listener").write_text("")
    proc = subprocess.run([*XXGK, "rebuild", "--data-dir", str(layout.root), "--workers", "2"],
                          env=isolated_env(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not stale_json.exists() and not stale_dir.exists()
    assert len(list(layout.extracted_dir.glob("*.json"))) == 1
