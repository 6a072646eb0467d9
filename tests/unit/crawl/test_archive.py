import hashlib
import json

from extract.crawl.archive import Archive


def _row(url, sha, state="new", **extra):
    row = {"fetch_id": "f", "run_id": "r1", "site": "demo-trs", "url": url, "kind": "report", "state": state,
           "sha256": sha}
    row.update(extra)
    return row


def test_store_is_content_addressed_and_written_once(tmp_path):
    archive = Archive(tmp_path)
    data = b"%PDF-1.7 report bytes"
    sha = archive.store(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert archive.path(sha) == tmp_path / "raw" / "objects" / sha[:2] / sha
    assert archive.read(sha) == data and archive.has(sha)
    mtime = archive.path(sha).stat().st_mtime_ns
    assert archive.store(data) == sha
    assert archive.path(sha).stat().st_mtime_ns == mtime  # not rewritten
    assert not list(archive.path(sha).parent.glob(".tmp-*"))  # no temp file left behind


def test_manifest_is_append_only_jsonl_with_the_shared_layout(tmp_path):
    archive = Archive(tmp_path)
    archive.append_manifest(_row("http://h/a.pdf", "aa" * 32, etag='"v1"', last_modified="Mon, 03 Mar 2025 00:00:00 GMT"))
    archive.append_manifest(_row("http://h/b.pdf", None, state="blocked", error="WAF challenge"))
    lines = archive.manifest_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert list(first) == ["fetch_id", "run_id", "site", "district", "admin_code", "url", "final_url", "referrer",
                           "link_title", "link_date", "kind", "http_status", "state", "error", "sha256",
                           "media_type", "size", "etag", "last_modified", "fetched_at", "crawler_version"]
    assert json.loads(lines[1])["state"] == "blocked"


def test_validators_and_last_sha_follow_the_latest_stored_version(tmp_path):
    archive = Archive(tmp_path)
    old, new = archive.store(b"v1"), archive.store(b"v2")
    archive.append_manifest(_row("http://h/a.html", old, etag='"1"'))
    archive.append_manifest(_row("http://h/a.html", None, state="failed"))  # a failure keeps the last version
    assert archive.last_sha("http://h/a.html") == old
    archive.append_manifest(_row("http://h/a.html", new, state="changed", etag='"2"', last_modified="x"))
    assert archive.validators("http://h/a.html") == ('"2"', "x")
    assert archive.last_sha("http://h/a.html") == new
    assert archive.validators("http://h/other") == (None, None)


def test_no_validators_when_the_object_is_missing(tmp_path):
    archive = Archive(tmp_path)
    archive.append_manifest(_row("http://h/a.html", "ab" * 32, etag='"1"'))
    assert archive.validators("http://h/a.html") == (None, None)  # a 304 would leave us without bytes


def test_documents_is_the_latest_report_row_per_url_and_reloads_from_disk(tmp_path):
    archive = Archive(tmp_path)
    sha = archive.store(b"x")
    archive.append_manifest(_row("http://h/1.pdf", sha))
    archive.append_manifest(_row("http://h/2.pdf", None, state="gone"))
    archive.append_manifest({**_row("http://h/list.html", sha), "kind": "page"})
    archive.append_manifest(_row("http://h/1.pdf", sha, state="unchanged", run_id="r2"))
    reopened = Archive(tmp_path)
    docs = reopened.documents()
    assert [(d["url"], d["state"], d["run_id"]) for d in docs] == [("http://h/1.pdf", "unchanged", "r2"),
                                                                  ("http://h/2.pdf", "gone", "r1")]
    assert reopened.sha_known(sha) and not reopened.sha_known("cd" * 32)


def test_continuation_pages_in_page_order(tmp_path):
    from extract.crawl.archive import Archive

    archive = Archive(tmp_path)
    url = "http://127.0.0.1:1/xxgk/202401/t20240120_1.shtml"
    shas = [archive.store(f"page {n}".encode()) for n in (2, 3)]
    archive.append_manifest({"url": url + "_2", "kind": "page", "referrer": url, "link_title": "某某局报告 (第3页)",
                             "sha256": shas[1], "state": "new"})
    archive.append_manifest({"url": url + "_1", "kind": "page", "referrer": url, "link_title": "某某局报告 (第2页)",
                             "sha256": shas[0], "state": "new"})
    archive.append_manifest({"url": "http://127.0.0.1:1/list", "kind": "page", "referrer": url,
                             "link_title": "entry (本级)", "sha256": archive.store(b"list"), "state": "new"})
    assert archive.continuation_shas(url) == shas
    assert archive.continuation_shas("http://127.0.0.1:1/other") == []
