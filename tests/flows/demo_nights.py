"""Run the nightly flow against the demo world (day 1, day 2, day 2 again) and snapshot the warehouse."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


def docx_bomb(paragraphs: int = 4_000_000) -> bytes:
    """A 400 KB .docx whose document.xml inflates to ~160 MB: the kind of file that must fail alone."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    body = ('<?xml version="1.0" encoding="UTF-8"?><w:document '
            'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>').encode()
    body += "<w:p><w:r><w:t>政</w:t></w:r></w:p>".encode() * paragraphs + b"</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", body)
    return buffer.getvalue()


@dataclass
class Snapshot:
    """The published warehouse after one night."""

    reports: dict[str, dict]  # sha256 → agency_id, report_year, is_current, superseded_by
    facts: dict[str, dict]  # sha256 → {(table, row, col): value}
    document_states: dict[str, str]  # sha256 → document_state
    file_digest: str


def snapshot(db: Path) -> Snapshot:
    con = duckdb.connect(str(db), read_only=True)
    try:
        reports = {sha: {"agency_id": a, "report_year": y, "is_current": c, "report_id": rid}
                   for sha, a, y, c, rid in con.execute(
                       "SELECT sha256, agency_id, report_year, is_current, report_id FROM core_reports").fetchall()}
        facts: dict[str, dict] = {}
        for sha, table, row, col, value in con.execute("""
                SELECT r.sha256, f.table_id, f.row_code, f.col_code, f.value
                FROM core_facts f JOIN core_reports r USING (report_id)""").fetchall():
            facts.setdefault(sha, {})[(table, row, col)] = value
        states = dict(con.execute(
            "SELECT sha256, document_state FROM core_documents WHERE sha256 IS NOT NULL").fetchall())
    finally:
        con.close()
    return Snapshot(reports, facts, states, hashlib.sha256(db.read_bytes()).hexdigest())


def expected_cells(values: dict) -> dict:
    """{(table, row, col): value} of a demo report's known values (blank cells are None)."""
    cells = {}
    for table_id, table in values["tables"].items():
        for row, cols in table["cells"].items():
            for col, value in cols.items():
                cells[(table_id, row, col)] = None if value is None else float(value)
    return cells


@dataclass
class Nights:
    world: object
    bomb_sha: str
    summaries: list[dict] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    exports_digest: list[str] = field(default_factory=list)
    data_dir: Path | None = None


def digest_dir(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def run_demo_nights(tmp: Path, *, scale: int = 5, seed: int = 7) -> Nights:
    """Day 1, day 2, and day 2 again, with one day-1 docx replaced by a decompression bomb."""
    from demo.sites import DemoWorld
    from flows.nightly import nightly
    from flows.settings import demo_settings

    world = DemoWorld(seed=seed, scale=scale)
    victim = next(d for d in world.docs if d.fmt == "docx" and not d.fault and d.day_from == 1
                  and not d.corrected_on_day and not d.aliases and not d.same_as)
    bomb = docx_bomb()
    original = world.doc_bytes
    world.doc_bytes = lambda doc, day: bomb if doc.doc_id == victim.doc_id else original(doc, day)
    nights = Nights(world, hashlib.sha256(bomb).hexdigest())
    with world.serve(day=1, fast=True) as live:
        sites_file = tmp / "sites.yaml"
        sites_file.write_text(live.sites_yaml(), encoding="utf-8")
        # 3072 MB is the production default: OCR (onnxruntime) of the demo's scan needs ~1.1 GB resident.
        settings = demo_settings(tmp / "data", sites_file, workers=2, extract_timeout_s=60, extract_memory_mb=3072)
        nights.data_dir = settings.data_dir
        for day in (1, 2, 2):
            live.set_day(day)
            nights.summaries.append(nightly(overrides=settings.model_dump(mode="json")))
            nights.snapshots.append(snapshot(settings.published_db))
            nights.exports_digest.append(digest_dir(settings.exports_dir))
    return nights
