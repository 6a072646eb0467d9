"""Publishing with a second, real process: an analyst who holds the published warehouse open is never
blocked and sees old or new data consistently; a loader killed with SIGKILL mid-load leaves the
published file byte-identical."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

from warehouse.db import connect_readonly
from warehouse.load import load_results
from warehouse.publish import working_copy
from tests.synthetic import district_dataset, make_result

ROOT = Path(__file__).resolve().parents[2]


def _python(script: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _publish_district(published: Path) -> None:
    results, manifest = district_dataset()
    with working_copy(published) as work:
        load_results(work, results.values(), manifest)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _count(path: Path) -> int:
    con = connect_readonly(path)
    try:
        return con.execute("SELECT count(*) FROM out_agency_year").fetchall()[0][0]
    finally:
        con.close()


ANALYST = """
    import json, sys, time
    from pathlib import Path
    from warehouse.db import connect_readonly
    db, stop, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    QUERY = "SELECT (SELECT count(*) FROM out_agency_year), (SELECT count(*) FROM core_reports)"
    # "hold": one connection opened before the load and kept; "fresh": a new connection per query
    # (DuckDB shares one database instance per path inside a process, so these must be two processes).
    held = connect_readonly(db) if mode == "hold" else None
    print("ready", flush=True)
    deadline = time.time() + 60
    while not stop.exists() and time.time() < deadline:
        t0 = time.time()
        try:
            con = held or connect_readonly(db)
            seen = con.execute(QUERY).fetchall()[0]
            if held is None:
                con.close()
            print(json.dumps({"seen": list(seen), "wait": time.time() - t0}), flush=True)
        except Exception as exc:
            print(json.dumps({"error": repr(exc)}), flush=True)
        time.sleep(0.02)
"""


def _read_until(process: subprocess.Popen, done, timeout: float) -> str:
    """Lines of ``process`` stdout up to and including the first observation for which ``done`` holds."""
    lines, deadline = [], time.time() + timeout
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.strip() and done(json.loads(line)):
            break
    return "".join(lines)


def test_analyst_holding_the_file_is_never_blocked(tmp_path):
    published = tmp_path / "warehouse" / "xxgk.duckdb"
    _publish_district(published)
    old = (_count(published), 12)
    stop = tmp_path / "stop"
    analysts = {mode: _python(ANALYST, str(published), str(stop), mode) for mode in ("hold", "fresh")}
    try:
        for process in analysts.values():
            assert process.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        extra = [
            make_result("示例区财政局", "北京市示例区", 2023, "gov2021", t3={"new_received": 9}),
            make_result("示例区教育局", "北京市示例区", 2023, "gov2021", t3={"new_received": 4}),
        ]
        started = time.time()
        with working_copy(published) as work:
            load_results(work, extra)
        load_seconds = time.time() - started
        new = (_count(published), 14)
        assert new[0] == old[0] + 2
        # let the fresh-connection analyst observe the published file after the swap (bounded wait)
        early = _read_until(analysts["fresh"], lambda o: o.get("seen") == list(new), timeout=30)
        time.sleep(0.2)
        stop.touch()
        outputs = {mode: p.communicate(timeout=30) for mode, p in analysts.items()}
        outputs["fresh"] = (early + outputs["fresh"][0], outputs["fresh"][1])
    finally:
        stop.touch()
        for process in analysts.values():
            process.kill()
    seen = {}
    for mode, (out, err) in outputs.items():
        observations = [json.loads(line) for line in out.splitlines() if line.strip()]
        assert observations, err
        assert not [o for o in observations if "error" in o], observations
        # no query waited on the loader
        assert max(o["wait"] for o in observations) < max(2.0, load_seconds)
        seen[mode] = [tuple(o["seen"]) for o in observations]
    # the connection held across the publish keeps a consistent snapshot of the old file
    assert set(seen["hold"]) == {old}
    # new connections see the old or the new warehouse, never a mix, in that order, ending on the new one
    assert set(seen["fresh"]) == {old, new}
    switch = seen["fresh"].index(new)
    assert set(seen["fresh"][:switch]) == {old} and set(seen["fresh"][switch:]) == {new}


LOADER = """
    import sys, time
    from pathlib import Path
    import warehouse.load as load
    from warehouse.publish import working_copy
    from tests.synthetic import make_result
    load.BATCH_DOCUMENTS = 2          # small batches: rows reach the working database between yields

    def slow_results():
        for i in range(10_000):
            if i == 6:
                print("mid-load", flush=True)
            yield make_result(f"示例区第{i}局", "北京市示例区", 2023, "gov2021", t3={"new_received": i})
            time.sleep(0.05)

    with working_copy(Path(sys.argv[1])) as work:
        load.load_results(work, slow_results())
    print("published", flush=True)
"""


def test_sigkill_mid_load_leaves_published_file_identical(tmp_path):
    published = tmp_path / "warehouse" / "xxgk.duckdb"
    _publish_district(published)
    before = _digest(published)
    rows_before = _count(published)
    loader = _python(LOADER, str(published))
    try:
        line = loader.stdout.readline().strip()
        assert line == "mid-load", loader.stderr.read()
        time.sleep(0.3)
        work = published.with_name("xxgk.work.duckdb")
        assert work.exists()  # the load really is writing its working copy
        loader.send_signal(signal.SIGKILL)
        loader.wait(timeout=10)
    finally:
        loader.kill()
    assert loader.returncode == -signal.SIGKILL
    assert _digest(published) == before
    assert _count(published) == rows_before
    duckdb.connect(str(published), read_only=True).close()
    # the next run discards the crashed working copy and publishes normally
    with working_copy(published) as work:
        summary = load_results(work, [make_result("示例区财政局", "北京市示例区", 2023, "gov2021")])
    assert summary["documents_new"] == 1
    assert _count(published) == rows_before + 1
    assert not published.with_name("xxgk.work.duckdb").exists()


def test_failed_load_does_not_publish(tmp_path):
    published = tmp_path / "warehouse" / "xxgk.duckdb"
    _publish_district(published)
    before = _digest(published)

    def broken():
        yield make_result("示例区财政局", "北京市示例区", 2023, "gov2021")
        raise RuntimeError("extractor crashed")

    try:
        with working_copy(published) as work:
            load_results(work, broken())
    except RuntimeError:
        pass
    else:
        raise AssertionError("the error must propagate")
    assert _digest(published) == before
    assert not published.with_name("xxgk.work.duckdb").exists()
