"""extract/batch.py: what is pending, the process pool, atomic JSON with the parser version first."""

from __future__ import annotations

import json

from transform.runner import extract_bytes
from transform.batch import (archived_documents, extract_documents, extracted_path, extracted_version, find_pending,
                           write_json_atomically)
from tests.flows.archive_fixture import BROKEN_PDF, PNG, archive_rows, sample_files
from transform.report import PARSER_VERSION


def test_pool_extracts_every_pending_document_and_then_nothing_is_pending(tmp_path):
    files = sample_files()
    rows = archive_rows(tmp_path, files)
    pending = find_pending(tmp_path, rows)
    assert len(pending) == len(files) == 5

    summary = extract_documents(pending, tmp_path, workers=2, timeout_s=60, memory_mb=2048)

    assert summary.workers == 2 and len(summary.outcomes) == 5
    for url, data in files.items():
        sha = next(d.sha256 for d in pending if d.source == url)
        written = json.loads(extracted_path(tmp_path, sha).read_text(encoding="utf-8"))
        direct = extract_bytes(data, url)
        assert written["status"] == direct["status"]
        assert written["tables"] == json.loads(json.dumps(direct["tables"]))
        assert written["parser_version"] == PARSER_VERSION
        assert extracted_path(tmp_path, sha).read_text(encoding="utf-8").startswith('{"parser_version"')
    by_source = {o.source: o for o in summary.outcomes}
    assert by_source["http://127.0.0.1/bad/scan.png"].status == "unsupported"
    assert by_source["http://127.0.0.1/bad/broken.pdf"].status == "failed"
    assert by_source["http://127.0.0.1/bad/broken.pdf"].message
    assert sum(1 for o in summary.outcomes if o.status in ("ok", "warning")) == 3
    # unsupported files are stamped with the parser version too, so they are not pending every night
    assert find_pending(tmp_path, rows) == []


def test_a_result_from_an_older_parser_is_pending_again(tmp_path):
    rows = archive_rows(tmp_path, {"http://127.0.0.1/a.png": PNG, "http://127.0.0.1/b.pdf": BROKEN_PDF})
    docs = archived_documents(rows)
    write_json_atomically(extracted_path(tmp_path, docs[0].sha256), {"status": "failed", "parser_version": "old/0"})
    # written by another tool: parser_version not first (the slow path reads the whole file)
    extracted_path(tmp_path, docs[1].sha256).write_text(
        json.dumps({"status": "failed", "parser_version": PARSER_VERSION}), encoding="utf-8")
    assert extracted_version(extracted_path(tmp_path, docs[0].sha256)) == "old/0"
    assert [d.sha256 for d in find_pending(tmp_path, rows)] == [docs[0].sha256]


def test_documents_are_distinct_by_bytes_and_only_archived_rows_count(tmp_path):
    rows = archive_rows(tmp_path, {"http://127.0.0.1/a.png": PNG, "http://127.0.0.1/copy-of-a.png": PNG})
    rows.append({"kind": "report", "url": "http://127.0.0.1/blocked", "state": "blocked", "sha256": None})
    rows.append({"kind": "page", "url": "http://127.0.0.1/list", "state": "new", "sha256": "ab" * 32})
    docs = archived_documents(rows)
    assert [d.source for d in docs] == ["http://127.0.0.1/a.png"]


def test_a_manifest_row_without_its_archived_bytes_is_skipped(tmp_path):
    rows = archive_rows(tmp_path, {"http://127.0.0.1/a.png": PNG})
    sha = rows[0]["sha256"]
    (tmp_path / "raw" / "objects" / sha[:2] / sha).unlink()
    assert find_pending(tmp_path, rows) == []


def test_one_worker_runs_in_process_and_a_vanished_file_fails_alone(tmp_path):
    rows = archive_rows(tmp_path, {"http://127.0.0.1/a.png": PNG, "http://127.0.0.1/b.pdf": BROKEN_PDF})
    pending = find_pending(tmp_path, rows)
    gone = pending[0].sha256
    (tmp_path / "raw" / "objects" / gone[:2] / gone).unlink()
    summary = extract_documents(pending, tmp_path, workers=1, timeout_s=30, memory_mb=2048)
    statuses = {o.sha256: o.status for o in summary.outcomes}
    assert statuses[gone] == "failed" and "FileNotFoundError" in summary.outcomes[0].message
    assert not extracted_path(tmp_path, gone).exists()  # no JSON: it is retried next night
    assert extracted_path(tmp_path, pending[1].sha256).exists()


def test_a_document_over_the_time_limit_fails_alone_with_the_reason(tmp_path):
    from tests.flows.archive_fixture import REAL

    pdf = next(REAL.glob("*.pdf")).read_bytes()
    rows = archive_rows(tmp_path, {"http://127.0.0.1/slow.pdf": pdf})
    summary = extract_documents(find_pending(tmp_path, rows), tmp_path, workers=1, timeout_s=0.01, memory_mb=2048)
    (outcome,) = summary.outcomes
    assert outcome.status == "failed" and "longer than" in outcome.message
    written = json.loads(extracted_path(tmp_path, outcome.sha256).read_text(encoding="utf-8"))
    assert written["issues"][0]["code"] == "parser_limit" and written["tables"] == {}


def test_continuation_pages_follow_their_report_in_page_order(tmp_path):
    import uuid

    from extract.crawl.archive import Archive
    from transform.batch import continuation_index

    rows = archive_rows(tmp_path, {"http://127.0.0.1/a.shtml": PNG})
    archive = Archive(tmp_path)
    for n, body in ((3, b"<html>p3</html>"), (2, b"<html>p2</html>")):
        archive.append_manifest({"fetch_id": uuid.uuid4().hex, "run_id": "r1", "url": f"http://127.0.0.1/a_{n - 1}.shtml",
                                 "referrer": "http://127.0.0.1/a.shtml", "link_title": f"报告(第{n}页)",
                                 "kind": "page", "state": "new", "sha256": archive.store(body)})
    rows = archive.manifest()
    (doc,) = archived_documents(rows)
    assert doc.continuations == tuple(archive.continuation_shas("http://127.0.0.1/a.shtml"))
    assert len(doc.continuations) == 2 and continuation_index(rows)["http://127.0.0.1/a.shtml"] == doc.continuations
