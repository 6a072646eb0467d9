"""The isolated extraction child is kept for the next document, and isolation still holds per document.

One child serves document after document (forking one per document cost a sixth of a report's CPU); a
document that runs out of time or memory, or fails, is its own result alone and the next one is served by
a fresh child with the caller's settings of the moment.
"""

from __future__ import annotations

import os
import time

import pytest

from demo.render import render_report
from demo.values import generate_report
from transform import runner
from transform.runner import IsolatedExtractor, extract_bytes


def _rendering(seed: int, fmt: str, version: str = "gov2021") -> bytes:
    year = 2023 if version == "gov2021" else 2019
    return render_report(generate_report(f"测试市第{seed}区人民政府", "", year, version, seed=seed), fmt)


@pytest.fixture
def served_by(monkeypatch):
    """Every result says which process made it, and what the OCR switch was there (plus ``hang``/``fail``/
    ``hog``/``keep`` sources that misbehave)."""
    kept: list[bytearray] = []
    real = runner.extract_bytes

    def extract(data, source, continuations=()):
        if source == "hang":
            time.sleep(60)
        if source == "hog":
            kept.append(bytearray(2 * 1024**3))
        if source.startswith("keep"):  # holds on to 300 MB after the document, as a leak would
            kept.append(bytearray(300 * 1024**2))
        if source.startswith("use"):  # needs 400 MB while it runs
            bytearray(400 * 1024**2)
        out = real(data, source, continuations) if source.endswith(".html") else {"status": "ok"}
        if source == "fail":
            out = {"status": "failed"}
        return {**out, "pid": os.getpid(), "ocr": os.environ.get("XXGK_OCR")}

    monkeypatch.setattr(runner, "extract_bytes", extract)


def test_documents_through_one_kept_child_give_what_they_give_alone(tmp_path):
    docs = [("a.pdf", _rendering(1, "pdf")), ("b.html", _rendering(2, "html", "gov2019")),
            ("c.docx", _rendering(3, "docx")), ("d.pdf", _rendering(4, "pdf", "gov2019"))]
    paths = []
    for name, data in docs:
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    with IsolatedExtractor() as extractor:
        kept = [extractor.extract_path(path) for path in paths]
        again = extractor.extract_bytes(docs[0][1], str(paths[0]))
    alone = [extract_bytes(data, str(path)) for (_, data), path in zip(docs, paths, strict=True)]
    assert kept == alone
    assert again == alone[0]
    assert {out["status"] for out in kept} <= {"ok", "warning"}  # read, not refused


def test_one_child_serves_the_documents_in_turn(served_by):
    with IsolatedExtractor() as extractor:
        pids = [extractor.extract_bytes(b"%PDF-1.4", f"doc{i}")["pid"] for i in range(4)]
    assert len(set(pids)) == 1 and pids[0] != os.getpid()


def test_a_document_out_of_time_is_stopped_alone_and_the_next_gets_a_new_child(served_by):
    with IsolatedExtractor() as extractor:
        before = extractor.extract_bytes(b"%PDF-1.4", "first")
        started = time.monotonic()
        stopped = extractor.extract_bytes(b"%PDF-1.4", "hang", timeout_s=1)
        assert time.monotonic() - started < 10
        after = extractor.extract_bytes(b"%PDF-1.4", "after")
    assert stopped["status"] == "failed"
    assert stopped["issues"][0]["code"] == "parser_limit" and stopped["issues"][0]["limit"] == "time"
    assert "hang" in stopped["issues"][0]["message"]
    assert after["status"] == "ok" and after["pid"] != before["pid"]


def test_a_memory_hog_fails_alone_and_the_next_document_is_read(served_by):
    with IsolatedExtractor() as extractor:
        hog = extractor.extract_bytes(b"%PDF-1.4", "hog", memory_mb=256)
        after = extractor.extract_bytes(b"%PDF-1.4", "after", memory_mb=256)
    assert hog["status"] == "failed" and hog["issues"][0]["limit"] == "memory"
    assert after["status"] == "ok"


def test_each_document_gets_its_whole_memory_budget_whatever_the_ones_before_kept(served_by):
    with IsolatedExtractor() as extractor:
        leaks = [extractor.extract_bytes(b"%PDF-1.4", f"keep{i}", memory_mb=512) for i in range(3)]
        needs = extractor.extract_bytes(b"%PDF-1.4", "use", memory_mb=512)
    assert len({out["pid"] for out in leaks}) == 1  # the 900 MB kept did not end the child
    assert needs["status"] == "ok" and needs["pid"] == leaks[0]["pid"]


def test_a_failed_document_is_not_followed_in_its_child(served_by):
    with IsolatedExtractor() as extractor:
        failed = extractor.extract_bytes(b"%PDF-1.4", "fail")
        after = extractor.extract_bytes(b"%PDF-1.4", "after")
    assert failed["status"] == "failed" and after["pid"] != failed["pid"]


def test_the_child_reads_the_settings_of_the_moment_each_document_is_sent(served_by, monkeypatch):
    monkeypatch.setenv("XXGK_OCR", "1")
    with IsolatedExtractor() as extractor:
        first = extractor.extract_bytes(b"%PDF-1.4", "first")
        monkeypatch.setenv("XXGK_OCR", "0")
        second = extractor.extract_bytes(b"%PDF-1.4", "second")
        monkeypatch.delenv("XXGK_OCR")
        third = extractor.extract_bytes(b"%PDF-1.4", "third")
    assert first["pid"] == second["pid"] == third["pid"]
    assert (first["ocr"], second["ocr"], third["ocr"]) == ("1", "0", None)


def test_closing_the_extractor_ends_its_child(served_by):
    extractor = IsolatedExtractor()
    pid = extractor.extract_bytes(b"%PDF-1.4", "first")["pid"]
    extractor.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_child_killed_while_idle_is_replaced_before_the_next_document(served_by):
    import signal

    with IsolatedExtractor() as extractor:
        first = extractor.extract_bytes(b"%PDF-1.4", "first")
        os.kill(first["pid"], signal.SIGKILL)
        time.sleep(0.2)
        second = extractor.extract_bytes(b"%PDF-1.4", "second")
    assert second["status"] == "ok" and second["pid"] != first["pid"]


_LOADS_AFTER_WARM_UP = """
import sys, yaml
from transform import runner
if sys.argv[2] == "warm":
    runner.warm_up()
loaded = []
real_load = yaml.load
yaml.load = lambda *a, **k: loaded.append(1) or real_load(*a, **k)
out = runner.extract_bytes(open(sys.argv[1], "rb").read(), sys.argv[1])
print(out["status"], bool(out["report"]["region"]), len(loaded))
"""


@pytest.mark.parametrize("warm", ["warm", "cold"])
def test_after_the_warm_up_a_real_report_loads_no_table_file_of_its_own(warm):
    """What every forked child would otherwise load for itself (the region gazetteer took ≈ 15 ms per report)."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.realreports import shared_dir

    path = shared_dir() / "real-reports" / "js-huaian-hongze-2024" / "report.pdf"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", _LOADS_AFTER_WARM_UP, str(path), warm], capture_output=True,
                          text=True, cwd=root, check=True, env={**os.environ, "PYTHONPATH": str(root)})
    status, has_region, n_loads = proc.stdout.split()
    assert status in ("ok", "warning") and has_region == "True"
    assert (int(n_loads) == 0) == (warm == "warm")  # cold: the report does load tables, so the count can tell


def test_the_child_freezes_what_it_inherited_and_still_collects_cycles(monkeypatch):
    """The served child leaves the warm parent's objects out of its collections and collects its young
    generation less often (GC_YOUNG_THRESHOLD); garbage cycles made while reading are still freed, and the
    calling process's own collector is left as it was."""
    import gc
    import weakref

    def extract(data, source, continuations=()):
        class Node:
            pass

        first, second = Node(), Node()
        first.other, second.other = second, first  # a cycle: only the collector frees it
        watched = weakref.ref(first)
        del first, second
        gc.collect()
        return {"status": "ok", "frozen": gc.get_freeze_count(), "young": gc.get_threshold()[0],
                "cycle_freed": watched() is None}

    monkeypatch.setattr(runner, "extract_bytes", extract)
    before = gc.get_threshold(), gc.get_freeze_count()
    with IsolatedExtractor() as extractor:
        out = extractor.extract_bytes(b"%PDF-1.4", "cycles")
    assert out["frozen"] > 10_000 and out["young"] == runner.GC_YOUNG_THRESHOLD and out["cycle_freed"]
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
