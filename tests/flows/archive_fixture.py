"""A small raw archive built from the real reports embedded in the demo package, plus two bad files."""

from __future__ import annotations

import uuid
from pathlib import Path

from extract.crawl.archive import Archive

REAL = Path(__file__).resolve().parents[2] / "demo" / "data" / "real"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
BROKEN_PDF = b"%PDF-1.7\n" + b"\x00garbage that is no PDF body\n" * 20


def archive_rows(data_dir: Path, files: dict[str, bytes], run_id: str = "r1") -> list[dict]:
    """Store ``files`` (url → bytes) in the archive under ``data_dir`` with one manifest row each."""
    archive = Archive(data_dir)
    for url, data in files.items():
        sha = archive.store(data)
        archive.append_manifest({"fetch_id": uuid.uuid4().hex, "run_id": run_id, "site": "t", "url": url,
                                 "kind": "report", "state": "new", "sha256": sha, "size": len(data),
                                 "fetched_at": "2026-11-25T20:00:00Z"})
    return archive.manifest()


def sample_files() -> dict[str, bytes]:
    files = {f"http://127.0.0.1/real/{p.name}": p.read_bytes() for p in sorted(REAL.glob("*.html"))}
    files["http://127.0.0.1/bad/scan.png"] = PNG
    files["http://127.0.0.1/bad/broken.pdf"] = BROKEN_PDF
    return files
