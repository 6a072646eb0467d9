"""Load extraction results (and the crawler manifest) into the warehouse, idempotently and in bulk.

Flow of one load:
 1. ``flatten_result`` turns extract JSON objects into column batches (one per raw_/core_ table);
 2. ``load_tables`` inserts them with Arrow (never row by row), skipping documents already loaded with
    the same parser version and replacing those re-extracted by a newer parser (``load_arrow`` enters
    here directly with pre-built Arrow tables);
 3. agencies are resolved in Python (``warehouse.agencies``) only for names not seen before;
 4. set-based SQL then renumbers report versions per (agency, year), computes the measures of the new
    reports (``sql/_core_measures.sql``), and rebuilds the document states (``sql/_core_documents.sql``).
Everything happens in one transaction: a crash leaves the database as it was before the load.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from warehouse import agencies
from warehouse.db import connect, sql_text, transaction
from warehouse.measures import catalog
from warehouse.schema import WIDE_MEASURES_TABLE, arrow_schema, enforce_schema

logger = logging.getLogger(__name__)

REPORT_STATUSES = ("ok", "warning", "failed")  # statuses whose agency/year make a report version
BATCH_DOCUMENTS = 2000
ROW_GROUP_ROWS = 122_880  # DuckDB's row group size
MANIFEST_FIELDS = {"state": "fetch_state", "size": "size_bytes"}


def report_id_for(sha256: str) -> int:
    """A 60-bit integer id derived from the sha256: stable, and much cheaper to join on than the hex."""
    return int(sha256[:15], 16)


@dataclass
class Batch:
    """Rows for each table, kept column by column (cheaper than one dict per fact), filled per document."""

    columns: dict[str, dict[str, list]] = field(default_factory=dict)

    def add(self, table: str, row: dict) -> None:
        target = self.columns.setdefault(table, {})
        size = len(next(iter(target.values()))) if target else 0
        for key, value in row.items():
            column = target.get(key)
            if column is None:  # a key first seen now: earlier rows did not have it
                column = target[key] = [None] * size
            column.append(value)

    def extend(self, table: str, columns: dict[str, list]) -> None:
        target = self.columns.setdefault(table, {})
        for key, values in columns.items():
            target.setdefault(key, []).extend(values)

    def arrow(self, table: str) -> pa.Table:
        return enforce_schema(pa.table(self.columns[table]) if self.columns.get(table) else {}, table)


def _report_part(result: dict) -> dict:
    report = result.get("report") or {}
    year = report.get("year")
    return {
        "printed_agency": report.get("agency"),
        "printed_region": report.get("region"),
        "report_year": int(year) if year is not None else None,
        "format_version": report.get("format_version"),
        "printed_title": report.get("title"),
    }


def _becomes_report(status: str | None, report: dict) -> bool:
    """Whether a document will be a report version (then its cells are stored in core_facts)."""
    return status in REPORT_STATUSES and report["report_year"] is not None and bool(report["printed_agency"])


def _cell_sources(result: dict) -> dict[tuple[str, str, str], dict]:
    return {(c.get("table"), c.get("row"), c.get("col")): c for c in result.get("cells_source") or []}


def flatten_result(result: dict, batch: Batch, load_seq: int, loaded_at: datetime, as_report: bool = True) -> None:
    """Append one extract JSON object to ``batch`` (documents, cells, facts, checks, issues).

    ``as_report=False`` keeps a document that may not become a report version (its report id is taken)
    with its printed cells in raw_cells and no facts.
    """
    sha = result["sha256"]
    report = _report_part(result)
    becomes_report = as_report and _becomes_report(result["status"], report)
    batch.add(
        "raw_documents",
        {
            "sha256": sha,
            "source": result.get("source"),
            "media_type": result.get("media_type"),
            "extract_status": result.get("status"),
            "parser_version": result.get("parser_version"),
            **report,
            "load_seq": load_seq,
            "loaded_at": loaded_at,
        },
    )
    sources = _cell_sources(result)
    for (table, row, col), src in [] if becomes_report else sources.items():
        batch.add(
            "raw_cells",
            {
                "sha256": sha,
                "table_id": table,
                "row_code": row,
                "col_code": col,
                "raw_text": src.get("raw"),
                "page": src.get("page"),
                "bbox": src.get("bbox"),
                "cell_path": src.get("path"),
            },
        )
    if becomes_report:
        batch.extend("core_facts", _fact_columns(result, sources))
    for check in result.get("checks") or []:
        batch.add(
            "core_checks",
            {
                "sha256": sha,
                "rule_id": check.get("rule"),
                "check_where": check.get("where"),
                "is_ok": check.get("ok"),
                "detail": check.get("detail"),
            },
        )
    for issue in result.get("issues") or []:
        batch.add(
            "core_issues",
            {
                "sha256": sha,
                "severity": issue.get("severity"),
                "issue_code": issue.get("code"),
                "table_id": issue.get("table"),
                "row_code": issue.get("row"),
                "col_code": issue.get("col"),
                "page": issue.get("page"),
                "raw_text": issue.get("raw"),
                "message": issue.get("message"),
            },
        )


def _fact_columns(result: dict, sources: dict[tuple[str, str, str], dict]) -> dict[str, list]:
    """Every cell of every table of one result, as columns of core_facts."""
    cols: dict[str, list] = {
        k: []
        for k in (
            "table_id",
            "table_version",
            "row_code",
            "col_code",
            "value",
            "raw_text",
            "page",
            "bbox",
            "cell_path",
        )
    }
    empty: dict = {}
    for table_id, table in (result.get("tables") or {}).items():
        version = table.get("version")
        for row_code, cells in (table.get("cells") or {}).items():
            for col_code, value in cells.items():
                src = sources.get((table_id, row_code, col_code), empty)
                cols["table_id"].append(table_id)
                cols["table_version"].append(version)
                cols["row_code"].append(row_code)
                cols["col_code"].append(col_code)
                cols["value"].append(value)
                cols["raw_text"].append(src.get("raw"))
                cols["page"].append(src.get("page"))
                cols["bbox"].append(src.get("bbox"))
                cols["cell_path"].append(src.get("path"))
    n = len(cols["value"])
    cols["report_id"] = [report_id_for(result["sha256"])] * n
    cols["value_source"] = ["blank" if v is None else "printed" for v in cols["value"]]
    return cols


def manifest_row(row: dict) -> dict:
    """A manifest JSON object renamed to the raw_fetch_manifest columns."""
    out = {MANIFEST_FIELDS.get(k, k): v for k, v in row.items()}
    for column in arrow_schema("raw_fetch_manifest").names:  # older rows may lack newer fields
        out.setdefault(column, None)
    out["link_date"] = out.get("link_date") or None
    if out.get("fetched_at"):
        out["fetched_at"] = datetime.fromisoformat(str(out["fetched_at"]).replace("Z", "+00:00")).replace(
            tzinfo=None
        )
    if out.get("link_date"):
        out["link_date"] = datetime.strptime(str(out["link_date"])[:10], "%Y-%m-%d").date()
    return out


# --------------------------------------------------------------------------------------------- loading


def _next_load_seq(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(load_seq), 0) + 1 FROM raw_documents").fetchall()[0][0]


def _classify(con: duckdb.DuckDBPyConnection, docs: pa.Table) -> tuple[set[str], set[str]]:
    """(already loaded with the same parser version, loaded before with another parser version)."""
    con.register("_incoming", docs.select(["sha256", "parser_version"]))
    rows = con.execute("""
        SELECT i.sha256, d.parser_version IS NOT DISTINCT FROM i.parser_version AS same
        FROM _incoming i JOIN raw_documents d USING (sha256)""").fetchall()
    con.unregister("_incoming")
    return {s for s, same in rows if same}, {s for s, same in rows if not same}


def _drop_known(tables: dict[str, pa.Table], known: set[str]) -> dict[str, pa.Table]:
    """Rows of documents not in ``known`` (facts are keyed by report_id, everything else by sha256)."""
    if not known:
        return tables
    shas = pa.array(sorted(known), pa.string())
    ids = pa.array([report_id_for(s) for s in sorted(known)], pa.int64())
    out = {}
    for name, data in tables.items():
        key, values = ("report_id", ids) if name == "core_facts" else ("sha256", shas)
        out[name] = data.filter(pc.invert(pc.is_in(data.column(key), value_set=values)))
    return out


def _delete_documents(con: duckdb.DuckDBPyConnection, shas: set[str]) -> None:
    """Remove what an older parser produced for documents that are re-extracted."""
    con.register(
        "_gone", pa.table({"sha256": sorted(shas), "report_id": [report_id_for(s) for s in sorted(shas)]})
    )
    for table in ("raw_documents", "raw_cells", "core_checks", "core_issues"):
        con.execute(f"DELETE FROM {table} WHERE sha256 IN (SELECT sha256 FROM _gone)")
    for table in ("core_facts", "core_reports", "core_measures", WIDE_MEASURES_TABLE):
        con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM _gone)")
    con.unregister("_gone")


def insert_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> int:
    """Bulk insert an Arrow table whose columns follow the declared schema."""
    if data.num_rows == 0:
        return 0
    con.register("_batch", data)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _batch")
    con.unregister("_batch")
    return data.num_rows


def _resolve_names(con: duckdb.DuckDBPyConnection, keys: Iterable[tuple]) -> None:
    """Add to core_agency_names every (printed name, region, district, admin code) not resolved before.

    ``district`` and ``admin_code`` are the registry's, from the manifest row of the document: they keep
    same-named districts of different cities apart (``agencies.identity_key``).
    """
    keys = sorted({k for k in keys if k[0]}, key=lambda k: tuple(x or "" for x in k))
    if not keys:
        return
    con.register("_keys", pa.table({name: [k[i] for k in keys] for i, name in enumerate(NAME_KEY)}))
    new = con.execute("""
        SELECT k.* FROM _keys k
        ANTI JOIN core_agency_names n ON n.name_seen = k.name_seen AND n.region IS NOT DISTINCT FROM k.region
                                      AND n.admin_code IS NOT DISTINCT FROM k.admin_code
    """).fetchall()
    con.unregister("_keys")
    rows = []
    for name, region, district, admin_code in new:
        agency = agencies.resolve_agency(name, region, district, admin_code)
        rows.append(
            {
                "name_seen": name,
                "region": region,
                "district": district,
                "admin_code": admin_code,
                "agency_id": agency.agency_id,
                "agency_key": agency.agency_key,
                "level": agency.level,
                "publisher_type": agency.publisher,
                "province": agency.province,
                "city": agency.city,
                "agency_name": agencies.strip_title_words(agencies.clean_text(name)) or name,
            }
        )
    insert_arrow(con, "core_agency_names", enforce_schema(pa.Table.from_pylist(rows), "core_agency_names"))


NAME_KEY = ("name_seen", "region", "district", "admin_code")


def _document_sites(con: duckdb.DuckDBPyConnection, docs: pa.Table) -> pa.Table:
    """docs + the registry district and admin code of the site each document was first fetched from."""
    con.register("_docs_in", docs)
    out = con.sql("""
        SELECT d.*, s.district, s.admin_code FROM _docs_in d
        LEFT JOIN (SELECT sha256, arg_min(district, fetched_at) AS district,
                          arg_min(admin_code, fetched_at) AS admin_code
                   FROM raw_fetch_manifest WHERE sha256 IS NOT NULL GROUP BY sha256) s USING (sha256)
    """).to_arrow_table()
    con.unregister("_docs_in")
    return out


def _insert_reports(con: duckdb.DuckDBPyConnection, docs: pa.Table) -> int:
    """New report versions for documents whose extraction names an agency and a year."""
    con.register("_docs", docs)
    n = con.execute(f"""
        INSERT INTO core_reports BY NAME
        SELECT hash_id AS report_id, n.agency_id, d.report_year, d.sha256, d.extract_status, d.format_version,
               d.printed_title, d.load_seq
        FROM (SELECT *, ('0x' || left(sha256, 15))::BIGINT AS hash_id FROM _docs) d
        JOIN core_agency_names n ON n.name_seen = d.printed_agency
                                 AND n.region IS NOT DISTINCT FROM d.printed_region
                                 AND n.admin_code IS NOT DISTINCT FROM d.admin_code
        WHERE d.extract_status IN {REPORT_STATUSES} AND d.report_year IS NOT NULL
          AND hash_id NOT IN (SELECT report_id FROM core_reports)  -- a taken id: see _claim_report_id
        QUALIFY row_number() OVER (PARTITION BY hash_id ORDER BY d.load_seq) = 1
    """).fetchall()[0][0]
    con.unregister("_docs")
    return n


DOCUMENT_TABLES = ("raw_documents", "raw_cells", "core_facts", "core_checks", "core_issues")


def load_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict:
    """Insert one batch given as Arrow tables (declared column order); returns per-document counts.

    This is the bulk path every load goes through: ``load_results`` builds these tables from JSON,
    the benchmark generates them with numpy.
    """
    tables = {name: enforce_schema(tables.get(name, {}), name) for name in DOCUMENT_TABLES}
    docs = tables["raw_documents"]
    same, changed = _classify(con, docs)
    if changed:
        _delete_documents(con, changed)
    tables = _drop_known(tables, same)
    docs = tables["raw_documents"]
    counts = {
        "documents_new": docs.num_rows - len(changed),
        "documents_reextracted": len(changed),
        "documents_unchanged": len(same),
    }
    for name in ("raw_documents", "core_checks", "core_issues"):
        insert_arrow(con, name, tables[name])
    docs = _document_sites(con, docs)
    # only a document that becomes a report names an agency: a not_a_report never creates one
    reports = docs.filter(pc.is_in(docs.column("extract_status"), value_set=pa.array(REPORT_STATUSES)))
    _resolve_names(con, zip(*(reports.column(c).to_pylist()
                              for c in ("printed_agency", "printed_region", "district", "admin_code"))))
    counts["reports_loaded"] = _insert_reports(con, docs)
    # A report's printed cells live once, in core_facts (raw_text, page, bbox); raw_cells keeps the cells
    # of documents that are not reports, so nothing printed is lost and 20 M cells are not stored twice.
    con.register("_cells", tables["raw_cells"])
    con.execute(
        "INSERT INTO raw_cells BY NAME SELECT c.* FROM _cells c ANTI JOIN core_reports r USING (sha256)"
    )
    con.unregister("_cells")
    counts["facts_loaded"] = insert_arrow(
        con, "core_facts", _facts_of_reports(con, tables["core_facts"], docs)
    )
    return counts


def _facts_of_reports(con: duckdb.DuckDBPyConnection, facts: pa.Table, docs: pa.Table) -> pa.Table:
    """Facts of the documents that became reports (a not_a_report's cells stay in raw_cells only).

    Filtered in Arrow, and re-chunked so DuckDB scans the batch on all threads. The chunk is a multiple
    of DuckDB's row group (122,880 rows): 131,072-row chunks left half-filled row groups and doubled the
    file size in the benchmark.
    """
    con.register("_docs", docs.select(["sha256"]))
    report_ids = con.execute("SELECT report_id FROM core_reports SEMI JOIN _docs USING (sha256)").fetchall()
    con.unregister("_docs")
    if len(report_ids) < docs.num_rows:
        wanted = pa.array([r[0] for r in report_ids], pa.int64())
        facts = facts.filter(pc.is_in(facts.column("report_id"), value_set=wanted))
    return pa.Table.from_batches(facts.to_batches(max_chunksize=ROW_GROUP_ROWS * 4), schema=facts.schema)


def load_manifest(con: duckdb.DuckDBPyConnection, manifest_rows: Iterable[dict]) -> int:
    """Append manifest rows not loaded before (fetch_id is the identity of a fetch attempt)."""
    rows = [manifest_row(r) for r in manifest_rows]
    if not rows:
        return 0
    data = enforce_schema(pa.Table.from_pylist(rows), "raw_fetch_manifest")
    con.register("_manifest", data)
    n = con.execute("""
        INSERT INTO raw_fetch_manifest BY NAME
        SELECT DISTINCT ON (fetch_id) * FROM _manifest m ANTI JOIN raw_fetch_manifest r USING (fetch_id)
    """).fetchall()[0][0]
    con.unregister("_manifest")
    return n


def _guess_unreported_documents(con: duckdb.DuckDBPyConnection) -> None:
    """Agency and year from the link title for report links that produced no report (blocked, .wps …).

    Only a title that reads as an annual report of a body of known level counts (``…局2022年政府信息公开
    工作年度报告.pdf``); a document the extractor called not_a_report is never guessed, so neither a decoy
    nor a file name ever becomes an agency.
    """
    rows = con.execute("""
        SELECT DISTINCT m.link_title, m.district, m.admin_code FROM raw_fetch_manifest m
        LEFT JOIN raw_documents d USING (sha256)
        WHERE m.kind = 'report' AND m.link_title IS NOT NULL
          AND (m.sha256 IS NULL OR m.sha256 NOT IN (SELECT sha256 FROM core_reports))
          AND d.extract_status IS DISTINCT FROM 'not_a_report'
    """).fetchall()
    guesses, keys = [], []
    for title, district, admin_code in rows:
        name, year = agencies.name_and_year_from_title(title)
        if name and agencies.resolve_agency(name, None, district, admin_code).level != "unknown":
            keys.append((name, None, district, admin_code))
            guesses.append({"link_title": title, "district": district, "admin_code": admin_code,
                            "name_seen": name, "report_year": year})
    _resolve_names(con, keys)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _title_guesses (link_title VARCHAR, district VARCHAR, "
        "admin_code VARCHAR, name_seen VARCHAR, report_year INTEGER)"
    )
    if guesses:
        con.register("_g", pa.Table.from_pylist(guesses))
        con.execute("INSERT INTO _title_guesses SELECT link_title, district, admin_code, name_seen, report_year "
                    "FROM _g")
        con.unregister("_g")


def _registry_governments(con: duckdb.DuckDBPyConnection) -> None:
    """The government of every registry district the crawler tried (its manifest rows name the district and
    admin code) is known to publish, even when nothing of it was found: a site that never answered still
    owes its government's report. Listed in the temp table _registry_agencies for core_agencies."""
    sites = con.execute("""SELECT DISTINCT district, admin_code FROM raw_fetch_manifest
                           WHERE district IS NOT NULL AND admin_code IS NOT NULL""").fetchall()
    keys = [(f"{district}人民政府", None, district, admin_code) for district, admin_code in sites]
    _resolve_names(con, keys)
    ids = sorted({agencies.resolve_agency(*key).agency_id for key in keys})
    con.execute("CREATE OR REPLACE TEMP TABLE _registry_agencies (agency_id VARCHAR)")
    if ids:
        con.register("_ids", pa.table({"agency_id": ids}))
        con.execute("INSERT INTO _registry_agencies SELECT agency_id FROM _ids")
        con.unregister("_ids")


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Versions, measures of reports that have none yet, agencies and document states, all set-based."""
    con.execute(sql_text("_core_reports"))
    # Reports without measures are the new and the re-extracted ones (their measures were deleted).
    con.execute("""CREATE OR REPLACE TEMP TABLE _new_reports AS SELECT report_id FROM core_reports
                   ANTI JOIN core_measures USING (report_id)""")
    con.execute("DELETE FROM core_measures WHERE report_id IN (SELECT report_id FROM _new_reports)")
    con.execute(sql_text("_core_measures"))
    con.execute(f"DELETE FROM {WIDE_MEASURES_TABLE} WHERE report_id IN (SELECT report_id FROM _new_reports)")
    con.execute(wide_measures_sql())
    _guess_unreported_documents(con)
    _registry_governments(con)
    con.execute(sql_text("_core_documents"))
    con.execute(sql_text("_core_agencies"))


def wide_measures_sql() -> str:
    """Pivot core_measures of the new reports into one column per measure (+ its _source).

    DuckDB's PIVOT groups once and spreads the values; ~85 ``max(...) FILTER (...)`` pairs would scan the
    rows once per column (28x slower at 5,000 reports).
    """
    codes = ", ".join(f"'{m.code}'" for m in catalog())
    columns = []
    for m in catalog():
        columns.append(f'"{m.code}_v"::{m.sql_type} AS "{m.code}"')
        columns.append(f'"{m.code}_s" AS "{m.code}_source"')
    return (
        f"INSERT INTO {WIDE_MEASURES_TABLE} BY NAME\nSELECT report_id,\n  "
        + ",\n  ".join(columns)
        + "\nFROM (PIVOT (SELECT * FROM core_measures WHERE report_id IN (SELECT report_id FROM _new_reports))"
        + f"\n      ON measure_code IN ({codes})\n      USING first(value) AS v, first(value_source) AS s"
        + "\n      GROUP BY report_id)"
    )


def _chunks(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _sum_counts(total: dict, counts: dict) -> None:
    for key, value in counts.items():
        total[key] = total.get(key, 0) + value


def _version_counts(con: duckdb.DuckDBPyConnection) -> dict:
    row = con.execute("""SELECT count(*) FILTER (WHERE is_current), count(*) FILTER (WHERE NOT is_current),
                                count(DISTINCT agency_id) FROM core_reports""").fetchall()[0]
    return {"reports_current": row[0], "reports_superseded": row[1], "agencies": row[2]}


def load_results(db_path: Path, results: Iterable[dict], manifest_rows: Iterable[dict] = ()) -> dict:
    """Load extract JSON objects (and manifest rows) into the warehouse at ``db_path``.

    Idempotent: a document already loaded with the same parser version changes nothing. Returns counts:
    documents new/re-extracted/unchanged, report versions loaded, facts loaded, manifest rows added, and
    the resulting numbers of current and superseded reports.
    """
    con = connect(db_path)
    try:
        with transaction(con):
            before = _version_counts(con)
            totals: dict = {"documents": 0}
            load_seq = _next_load_seq(con)
            loaded_at = datetime.now(UTC).replace(tzinfo=None)
            seen: set[str] = set()
            claimed: set[int] = set()  # report ids of the documents of this load
            totals["documents_not_reports"] = []
            # the manifest first: a document's registry district and admin code are part of its agency
            totals["manifest_rows_added"] = load_manifest(con, manifest_rows)
            for chunk in _chunks(results, BATCH_DOCUMENTS):
                batch = Batch()
                taken = _taken_report_ids(con, [r["sha256"] for r in chunk])
                for offset, result in enumerate(chunk):
                    if result["sha256"] in seen:  # the same bytes twice in one input: one document
                        continue
                    seen.add(result["sha256"])
                    as_report = _claim_report_id(result, taken, claimed)
                    if not as_report:
                        totals["documents_not_reports"].append(result["sha256"])
                        result = {**result, "issues": [*(result.get("issues") or []), REPORT_ID_COLLISION]}
                    flatten_result(result, batch, load_seq + offset, loaded_at, as_report)
                load_seq += len(chunk)
                totals["documents"] += len(chunk)
                _sum_counts(totals, load_tables(con, {name: batch.arrow(name) for name in DOCUMENT_TABLES}))
            refresh_derived(con)
            after = _version_counts(con)
            totals.update(after)
            totals["reports_newly_superseded"] = after["reports_superseded"] - before["reports_superseded"]
    finally:
        con.close()
    logger.info("load %s: %s", db_path, totals)
    return totals


REPORT_ID_COLLISION = {
    "severity": "error", "code": "report_id_collision",
    "message": "the first 15 hex digits of its sha256 are another document's: not loaded as a report"}


def _taken_report_ids(con: duckdb.DuckDBPyConnection, shas: list[str]) -> set[int]:
    """Report ids of ``shas`` already used by a report version of another document."""
    ids = pa.table({"sha256": shas, "report_id": [report_id_for(s) for s in shas]})
    con.register("_ids", ids)
    taken = {r[0] for r in con.execute("""SELECT r.report_id FROM core_reports r JOIN _ids i USING (report_id)
                                          WHERE r.sha256 <> i.sha256""").fetchall()}
    con.unregister("_ids")
    return taken


def _claim_report_id(result: dict, taken: set[int], claimed: set[int]) -> bool:
    """Whether ``result`` may become a report version: its 60-bit report id (the first 15 hex digits of its
    sha256) is not another document's. Two real sha256 sharing 15 digits is a 1-in-10^18 chance per pair,
    so this is a forged or hand-edited input; the document is kept (raw_documents, raw_cells, issues) with
    the error issue ``REPORT_ID_COLLISION``, and the load goes on instead of aborting on the primary key."""
    report_id = report_id_for(result["sha256"])
    if report_id in taken or report_id in claimed:
        logger.warning("%s: its report id %d is another document's (same first 15 hex digits); kept as a "
                       "document, not as a report version", result["sha256"], report_id)
        return False
    claimed.add(report_id)
    return True


def load_arrow(db_path: Path, tables: dict[str, pa.Table], manifest_rows: Iterable[dict] = ()) -> dict:
    """Bulk-load pre-built Arrow tables (``raw_documents``, ``raw_cells``, ``core_facts``, ``core_checks``,
    ``core_issues`` in the declared schema) in one transaction, then refresh the derived tables."""
    con = connect(db_path)
    try:
        with transaction(con):
            manifest_added = load_manifest(con, manifest_rows)
            totals = {"documents": tables["raw_documents"].num_rows, **load_tables(con, tables)}
            totals["manifest_rows_added"] = manifest_added
            refresh_derived(con)
            totals.update(_version_counts(con))
    finally:
        con.close()
    return totals


def read_manifest(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def iter_extracted(extracted_dir: Path, manifest: list[dict]) -> Iterator[dict]:
    """Extract results in the order their documents were first fetched (so versions are in time order)."""
    first_seen: dict[str, str] = {}
    for row in manifest:
        sha, when = row.get("sha256"), row.get("fetched_at") or ""
        if sha and (sha not in first_seen or when < first_seen[sha]):
            first_seen[sha] = when
    paths = sorted(extracted_dir.glob("*.json"), key=lambda p: (first_seen.get(p.stem, "~"), p.stem))
    for path in paths:
        yield json.loads(path.read_text(encoding="utf-8"))


def load_archive(db_path: Path, data_dir: Path) -> dict:
    """Load ``data_dir/raw/manifest.jsonl`` and ``data_dir/extracted/*.json`` into ``db_path``."""
    manifest = read_manifest(Path(data_dir) / "raw" / "manifest.jsonl")
    return load_results(db_path, iter_extracted(Path(data_dir) / "extracted", manifest), manifest)


EXTRACT_STATUSES = ("ok", "warning", "failed", "unsupported", "not_a_report")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Optional keys of an extract result and the JSON type each must have when present.
_RESULT_PARTS = {"report": dict, "tables": dict, "cells_source": list, "checks": list, "issues": list}


class BadExtractFile(ValueError):
    """A --from-json file that is not `xxgk extract` output; the message names the file and the line."""


def result_problem(obj) -> str | None:
    """Why ``obj`` is not an extract result (spec/extract-output.md), or None."""
    if not isinstance(obj, dict):
        return f"a JSON {type(obj).__name__}, not an object"
    sha = obj.get("sha256")
    if not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
        return f"sha256 {sha!r} is not 64 lowercase hex digits"
    if obj.get("status") not in EXTRACT_STATUSES:
        return f"status {obj.get('status')!r} is none of {', '.join(EXTRACT_STATUSES)}"
    for key, kind in _RESULT_PARTS.items():
        if obj.get(key) is not None and not isinstance(obj[key], kind):
            return f"{key} is a {type(obj[key]).__name__}, not a {kind.__name__}"
    return None


def check_json_lines(path: Path) -> int:
    """Read a --from-json file once, before anything is loaded; the number of results it holds.

    Lines for files ``xxgk extract`` could not read at all (``sha256`` null) are allowed and skipped by
    ``iter_json_lines``; anything else that is not an extract result raises ``BadExtractFile``.
    """
    count = 0
    try:
        with Path(path).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    raise BadExtractFile(f"{path} line {number}: not JSON ({exc})") from None
                if isinstance(obj, dict) and obj.get("sha256") is None and obj.get("status") == "failed":
                    continue
                problem = result_problem(obj)
                if problem:
                    raise BadExtractFile(f"{path} line {number}: not an `xxgk extract` result: {problem}")
                count += 1
    except OSError as exc:
        raise BadExtractFile(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BadExtractFile(f"{path}: not UTF-8 text (expected JSON Lines from `xxgk extract --json`)") from None
    return count


def iter_json_lines(path: Path) -> Iterator[dict]:
    """Objects of a JSON Lines file of ``xxgk extract`` output."""
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                obj = json.loads(line)
                if obj.get("sha256") is not None:  # a file that could not be read has no document to load
                    yield obj
