"""Extraction isolation covers every input (issue 15): what is not a regular file, what is too big, what
drives a reader to the limit, and files whose label was wrong.

Each case gives exactly one JSON object with a clear status and code, and the files after it are still
read. ``xxgk extract`` is run as a real process (as a user runs it) where the parent matters.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from demo.render import render_report
from demo.values import generate_report
from transform.runner import extract_bytes, extract_isolated

XXGK = [sys.executable, "-m", "flows.cli"]
AGENCY = "某某市某某区人民政府"
DATA = Path(__file__).with_name("data")


def report(version: str = "gov2021", year: int = 2023) -> dict:
    return generate_report(AGENCY, "", year, version, seed=11, scale=60)


def extract_cli(*paths: Path | str, options: tuple[str, ...] = (), timeout: float = 120) -> list[dict]:
    proc = subprocess.run([*XXGK, "extract", *map(str, paths), "--json", *options], capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(paths), proc.stdout
    return [json.loads(line) for line in lines]


def codes(out: dict, severity: str = "error") -> list[str]:
    return [i["code"] for i in out["issues"] if i["severity"] == severity]


@pytest.fixture(scope="module")
def good_html(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.html"
    path.write_bytes(render_report(report(), "html"))
    return path


# ------------------------------------------------------------------------------- not a regular file


def test_a_fifo_does_not_hang_the_batch(tmp_path, good_html):
    fifo = tmp_path / "report.pdf"
    os.mkfifo(fifo)
    started = time.monotonic()
    fifo_out, good = extract_cli(fifo, good_html, timeout=60)
    assert time.monotonic() - started < 45
    assert fifo_out["status"] == "failed" and codes(fifo_out) == ["unreadable_file"]
    assert "not a regular file" in fifo_out["issues"][0]["message"]
    assert good["status"] == "ok"


def test_dev_zero_gives_one_json_object(good_html):
    zero, good = extract_cli("/dev/zero", good_html, timeout=60)
    assert zero["status"] == "failed" and codes(zero) == ["unreadable_file"]
    assert zero["source"] == "/dev/zero"
    assert good["status"] == "ok"


def test_a_directory_and_a_missing_file_are_unreadable(tmp_path, good_html):
    folder, missing, good = extract_cli(tmp_path, tmp_path / "missing.pdf", good_html)
    assert codes(folder) == ["unreadable_file"] and codes(missing) == ["unreadable_file"]
    assert good["status"] == "ok"


def test_a_2_gib_file_is_not_read_into_memory(tmp_path, good_html):
    """A sparse 2 GiB file: refused by its size before reading, in the parent and in the child."""
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(2 * 1024**3)
    # Run under a wrapper that reports the largest resident set of any process of the extract.
    wrapper = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
               "sys.stderr.write(p.stderr); print(p.stdout, end='');"
               "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", wrapper, *XXGK, "extract", str(huge), str(good_html), "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    lines = proc.stdout.splitlines()
    max_rss_kib = int(lines[-1].split()[1])
    big, good = (json.loads(line) for line in lines[:-1])
    assert max_rss_kib < 700 * 1024, f"some process held {max_rss_kib // 1024} MiB"
    assert big["status"] == "failed" and codes(big) == ["parser_limit"]
    assert big["issues"][0]["limit"] == "file_size"
    assert good["status"] == "ok"


def test_the_size_cap_is_an_option(tmp_path, good_html):
    big = tmp_path / "big.html"
    big.write_bytes(render_report(report(), "html") + b"<!-- padding -->" * 80_000)  # ~1.3 MB
    capped, good = extract_cli(big, good_html, options=("--max-file-mb", "1"))
    assert codes(capped) == ["parser_limit"] and capped["issues"][0]["limit"] == "file_size"
    assert good["status"] == "ok"


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_timeout_of_zero_or_less_is_refused(good_html, value):
    proc = subprocess.run([*XXGK, "extract", str(good_html), "--timeout", value], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "timeout" in proc.stderr.lower()
    assert proc.stdout == ""


# ------------------------------------------------------------------------------------ reader limits


def docx_with_body(body_xml: str) -> bytes:
    """A real .docx (the demo renderer's package) whose document body is replaced by ``body_xml``."""
    source = zipfile.ZipFile(io.BytesIO(render_report(report(), "docx")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                head, _, _ = data.decode("utf-8").partition("<w:body>")
                data = (head + "<w:body>" + body_xml + "</w:body></w:document>").encode("utf-8")
            target.writestr(item.filename, data)
    return out.getvalue()


def merge_bomb_docx() -> bytes:
    """Rows of cells spanning 60 000 grid columns each, merged down: a few KB zipped, billions of grid slots."""
    cell = ('<w:tc><w:tcPr><w:gridSpan w:val="60000"/><w:vMerge/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p>'
            '</w:tc>')
    first = cell.replace("<w:vMerge/>", '<w:vMerge w:val="restart"/>')
    rows = ["<w:tr>" + first * 40 + "</w:tr>"] + ["<w:tr>" + cell * 40 + "</w:tr>"] * 400
    return docx_with_body("<w:p><w:r><w:t>2023年政府信息公开工作年度报告</w:t></w:r></w:p><w:tbl>" + "".join(rows)
                          + "</w:tbl>")


def test_a_docx_merge_bomb_hits_a_named_limit_not_the_memory_limit():
    data = merge_bomb_docx()
    assert len(data) < 60_000
    started = time.monotonic()
    out = extract_isolated(data, "bomb.docx", timeout_s=60, memory_mb=1024)
    assert time.monotonic() - started < 45
    assert out["status"] == "failed" and codes(out) == ["parser_limit"], out["issues"]
    assert out["issues"][0]["limit"].startswith("docx_")
    assert "bomb.docx" in out["issues"][0]["message"]


def test_a_docx_with_wide_but_honest_spans_still_reads():
    """Capping gridSpan must not change a real report: the renderer's DOCX reads as before."""
    data = render_report(report(), "docx")
    assert extract_bytes(data, "r.docx")["status"] == "ok"


# ------------------------------------------------------------------------------------ right labels


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_html_is_html(encoding):
    """Notepad's "Unicode" save: with a BOM (utf-16) or without one (-le/-be)."""
    page = render_report(report(), "html").decode("utf-8")
    page = page.replace('charset="utf-8"', 'charset="utf-16"').replace("charset=utf-8", "charset=utf-16")
    out = extract_bytes(page.encode(encoding), "unicode.html")
    assert out["media_type"] == "text/html"
    assert out["status"] == "ok", out["issues"]
    assert out["report"]["agency"] == AGENCY


def test_a_password_protected_word_file_is_encrypted():
    """tests/extract/data/password-protected.docx: the demo's DOCX encrypted by msoffcrypto-tool (password
    xxgk-test) — an OLE container with EncryptionInfo and EncryptedPackage streams, as Word writes it."""
    data = (DATA / "password-protected.docx").read_bytes()
    out = extract_bytes(data, "locked.docx")
    assert out["status"] == "failed"
    assert codes(out) == ["encrypted"]


def test_an_old_doc_without_password_stays_unsupported():
    out = extract_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.doc")
    assert out["status"] == "unsupported" and codes(out, "error") == ["unsupported_type"]


@pytest.mark.parametrize(("name", "code"), [("report.pdf", "broken_pdf"), ("report.docx", "broken_docx")])
def test_an_empty_pdf_or_docx_is_broken(tmp_path, name, code):
    empty = tmp_path / name
    empty.write_bytes(b"")
    (out,) = extract_cli(empty)
    assert out["status"] == "failed" and codes(out) == [code]


def test_a_cut_off_pdf_is_broken():
    from tests.realreports import REAL

    data = (REAL / "js-huaian-city-2024" / "report.pdf").read_bytes()
    for cut in (len(data) // 2, len(data) - 40):
        out = extract_bytes(data[:cut], "cut.pdf")
        assert out["status"] == "failed", (cut, out["status"])
        assert "broken_pdf" in codes(out), (cut, out["issues"][:3])


def test_a_cut_off_docx_is_broken():
    data = render_report(report(), "docx")
    for cut in (len(data) // 2, len(data) - 30):
        out = extract_bytes(data[:cut], "cut.docx")
        assert out["status"] == "failed" and codes(out) == ["broken_docx"], (cut, out["issues"])


def test_an_html_table_past_the_grid_cap_is_cut_visibly_and_fast():
    """30 000 one-cell rows: the grid stops at 20 000 cells with a reader warning (a cut table may miss
    rows the report needs), in linear time."""
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(30_000))
    page = f"<html><body><h1>某区2023年政府信息公开工作年度报告</h1><table border=1>{rows}</table></body></html>"
    started = time.monotonic()
    out = extract_bytes(page.encode("utf-8"), "long.html")
    assert time.monotonic() - started < 20
    cut = [i for i in out["issues"] if i["code"] == "reader" and "20,000 cells" in i["message"]]
    assert cut and out["status"] != "ok"


def test_a_crash_outside_the_parser_is_said_not_taken_for_the_memory_limit(monkeypatch, tmp_path):
    from transform import runner

    def vanished(path, max_bytes):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(runner, "read_regular_file", vanished)
    path = tmp_path / "r.html"
    path.write_bytes(b"<html></html>")
    out = runner.extract_path(path, timeout_s=30)
    assert out["status"] == "failed" and codes(out) == ["extractor_error"]
    assert "the disk went away" in out["issues"][0]["message"]


def test_a_native_library_out_of_memory_is_a_memory_limit_not_a_crash(monkeypatch):
    """onnxruntime/OpenCV report a failed allocation under the child's limit as their own RuntimeError
    (`std::bad_alloc`): that is the memory limit, named as such, not an extractor bug."""
    from transform import runner

    def exhausted(*_args, **_kwargs):
        raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : std::bad_alloc")

    monkeypatch.setattr(runner, "read_pages", exhausted)
    out = runner.extract_bytes(b"%PDF-1.4\n%%EOF\n", "scan.pdf")
    issue = out["issues"][0]
    assert (out["status"], issue["code"], issue.get("limit")) == ("failed", "parser_limit", "memory")
    assert "bad_alloc" in issue["message"]
