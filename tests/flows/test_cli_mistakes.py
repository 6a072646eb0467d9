"""Ordinary mistakes get one clear line on stderr, an exit status ≠ 0 and no traceback (issue 15).

Run as real processes: the line a user sees is what ``xxgk`` prints, including how usage errors are
rendered (the console-script entry point, not only the Typer app).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synthetic import district_dataset

XXGK = [sys.executable, "-m", "flows.cli"]


def xxgk(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XXGK_", "PREFECT_API"))}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", COLUMNS="120")
    return subprocess.run([*XXGK, *args], capture_output=True, text=True, timeout=timeout, check=False, env=env,
                          cwd=cwd)


def one_line(proc: subprocess.CompletedProcess, *words: str) -> str:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def extract_jsonl(tmp_path_factory) -> Path:
    results, _manifest = district_dataset()
    path = tmp_path_factory.mktemp("jsonl") / "extract.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in results.values()) + "\n", encoding="utf-8")
    return path


def test_version():
    proc = xxgk("--version")
    assert proc.returncode == 0
    from transform.report import PARSER_VERSION

    assert proc.stdout.startswith("xxgk ") and PARSER_VERSION in proc.stdout


def test_export_without_a_warehouse(tmp_path):
    one_line(xxgk("export", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "out")), "xxgk load")
    assert not (tmp_path / "out").exists()


def test_export_in_an_encoding_that_cannot_hold_every_name(tmp_path):
    one_line(xxgk("export", "--encoding", "gbk", "--db", str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "o")),
             "utf-8")


def test_load_of_a_missing_file(tmp_path):
    one_line(xxgk("load", "--from-json", str(tmp_path / "missing.jsonl"), "--db", str(tmp_path / "w.duckdb")),
             "missing.jsonl")
    assert not (tmp_path / "w.duckdb").exists()


def test_load_of_a_malformed_file_names_the_line(tmp_path, extract_jsonl):
    bad = tmp_path / "bad.jsonl"
    first = extract_jsonl.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(first + "\n{\"status\": \"ok\", \"tables\": \n", encoding="utf-8")
    line = one_line(xxgk("load", "--from-json", str(bad), "--db", str(tmp_path / "w.duckdb")), "line 2")
    assert "json" in line.lower()
    assert not (tmp_path / "w.duckdb").exists()  # nothing half-loaded


@pytest.mark.parametrize("content", [
    '[{"status": "ok"}]',
    '{"hello": "world"}',
    '{"sha256": "not-a-hash", "status": "ok", "report": {}, "tables": {}}',
    '"just a string"',
])
def test_load_of_a_file_that_is_not_extract_output(tmp_path, content):
    odd = tmp_path / "odd.jsonl"
    odd.write_text(content + "\n", encoding="utf-8")
    one_line(xxgk("load", "--from-json", str(odd), "--db", str(tmp_path / "w.duckdb")), "line 1")


def test_load_with_a_report_id_collision_goes_on(tmp_path, extract_jsonl):
    """Two documents whose sha256 share the first 15 hex digits (the 60-bit report id): both documents are
    kept, the second one is named as not loaded as a report, and the rest of the load completes."""
    objects = [json.loads(line) for line in extract_jsonl.read_text(encoding="utf-8").splitlines()]
    reports = [o for o in objects if o["status"] in ("ok", "warning")]
    a, b = reports[0], reports[1]
    b["sha256"] = a["sha256"][:15] + ("0" if a["sha256"][15] != "0" else "1") + a["sha256"][16:]
    path = tmp_path / "collide.jsonl"
    path.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in objects), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    proc = xxgk("load", "--from-json", str(path), "--db", str(db))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "ConstraintException" not in proc.stderr
    assert b["sha256"][:16] in proc.stderr
    reference = tmp_path / "reference.duckdb"
    assert xxgk("load", "--from-json", str(extract_jsonl), "--db", str(reference)).returncode == 0
    docs, reports = counts(db)
    _, reports_without_collision = counts(reference)
    assert {o["sha256"] for o in objects} <= docs
    assert reports == reports_without_collision - 1


def counts(db: Path) -> tuple[set[str], int]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = {r[0] for r in con.execute("SELECT sha256 FROM raw_documents").fetchall()}
        return docs, con.execute("SELECT count(*) FROM core_reports").fetchone()[0]
    finally:
        con.close()


def test_crawl_of_an_unknown_site(tmp_path):
    sites = tmp_path / "sites.yaml"
    sites.write_text("- id: real-site\n  name: 测试区\n  hosts: ['127.0.0.1:9']\n  entries:\n"
                     "  - url: http://127.0.0.1:9/xxgk/\n", encoding="utf-8")
    one_line(xxgk("crawl", "--site", "nope", "--sites", str(sites), "--data-dir", str(tmp_path / "d")), "nope")


def test_run_with_an_unknown_task_runner(tmp_path):
    one_line(xxgk("run", "--task-runner", "foo", "--data-dir", str(tmp_path)), "task-runner")
    assert not (tmp_path / "warehouse").exists()


@pytest.mark.parametrize("command", ["run", "rebuild"])
def test_zero_workers(tmp_path, command):
    one_line(xxgk(command, "--workers", "0", "--data-dir", str(tmp_path)), "workers")


def test_an_unknown_option_is_one_line():
    one_line(xxgk("query", "SELECT 1", "--no-such-option"), "no-such-option")
