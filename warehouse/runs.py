"""What a run asks the published warehouse: what is loaded already, what to load tonight, the totals."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import duckdb

from transform.batch import archived_documents, extracted_path, extracted_version


def loaded_documents(published_db: Path) -> tuple[dict[str, str], set[str]]:
    """(sha256 → parser version, run ids) already in the published warehouse."""
    if not Path(published_db).exists():
        return {}, set()
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        docs = dict(con.execute("SELECT sha256, parser_version FROM raw_documents").fetchall())
        runs = {r[0] for r in con.execute("SELECT DISTINCT run_id FROM raw_fetch_manifest").fetchall()}
    finally:
        con.close()
    return docs, runs


def select_to_load(data_dir: Path, manifest_rows: list[dict], loaded: dict[str, str],
                   loaded_runs: set[str]) -> tuple[list[Path], list[dict]]:
    """Extract JSON files the warehouse lacks (first-fetched first, so versions load in time order) and
    manifest rows of runs it has not seen."""
    to_load = []
    for doc in archived_documents(manifest_rows):
        path = extracted_path(data_dir, doc.sha256)
        version = extracted_version(path)
        if version is not None and loaded.get(doc.sha256) != version:
            to_load.append(path)
    return to_load, [r for r in manifest_rows if r.get("run_id") not in loaded_runs]


def warehouse_totals(db_path: Path) -> dict:
    """Totals of a published warehouse (opened read-only): reports, agencies, facts, document states."""
    if not Path(db_path).exists():
        return {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        reports = con.execute("""SELECT count(*) FILTER (WHERE is_current), count(*) FILTER (WHERE NOT is_current),
                                        count(DISTINCT agency_id), count(DISTINCT report_year)
                                 FROM core_reports""").fetchone()
        facts = con.execute("SELECT count(*) FROM core_facts").fetchone()[0]
        states = dict(con.execute("""SELECT document_state, count(*) FROM core_documents
                                     GROUP BY ALL ORDER BY 2 DESC""").fetchall())
        failed_checks = con.execute("""SELECT count(*) FROM core_checks c JOIN core_reports r USING (sha256)
                                       WHERE r.is_current AND c.is_ok = false""").fetchone()[0]
    finally:
        con.close()
    return {"reports_current": reports[0], "reports_superseded": reports[1], "agencies": reports[2],
            "years": reports[3], "facts": facts, "documents": sum(states.values()), "document_states": states,
            "checks_failed_current": failed_checks}


def read_result_files(paths: Iterable[Path]):
    """Extract JSON files, read lazily in the given order."""
    for path in paths:
        yield json.loads(Path(path).read_text(encoding="utf-8"))
