"""The warehouse schema, declared once as data (PUDL style).

``FIELDS`` gives every column name one type, unit and description, used by every table and view that
has a column of that name; ``TABLES`` lists the columns and primary key of each ``raw_``/``core_`` table.
From these we generate the DuckDB DDL, the ``COMMENT ON`` statements and the data dictionary, and every
DataFrame/Arrow batch goes through ``enforce_schema`` before it is inserted. Measure columns (one per
entry of ``warehouse.measures.catalog()``) are generated from ``transform/schema.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from warehouse.measures import catalog


@dataclass(frozen=True)
class FieldSpec:
    type: str
    description: str
    unit: str | None = None


def _f(type_: str, description: str, unit: str | None = None) -> FieldSpec:
    return FieldSpec(type_, description, unit)


FIELDS: dict[str, FieldSpec] = {
    # identity and provenance
    "sha256": _f("VARCHAR", "SHA-256 of the document bytes: the document's identity in the raw archive"),
    "document_id": _f(
        "VARCHAR", "Document identity: the sha256, or 'url:<hash>' for a report link never fetched"
    ),
    "fetch_id": _f("VARCHAR", "Id of one fetch attempt in the crawler manifest"),
    "run_id": _f("VARCHAR", "Crawler run that made the fetch"),
    "site": _f("VARCHAR", "Site id in the district registry"),
    "district": _f("VARCHAR", "District name in the registry"),
    "admin_code": _f("VARCHAR", "GB/T 2260 administrative division code of the district, when known"),
    "url": _f("VARCHAR", "URL the document was found at"),
    "final_url": _f("VARCHAR", "URL after redirects"),
    "referrer": _f("VARCHAR", "Page that linked to the URL"),
    "link_title": _f("VARCHAR", "Link text or title of the report on the site"),
    "link_date": _f("DATE", "Date shown next to the link on the site (publication date as published)"),
    "kind": _f("VARCHAR", "report = report candidate (a document); page = list or article page, list API answer "
                          "or list script; column = a column that yielded no report (state empty_column)"),
    "http_status": _f("INTEGER", "HTTP status of the fetch"),
    "fetch_state": _f(
        "VARCHAR",
        "Crawler state of a fetch: new, changed, unchanged, not_modified, duplicate, "
        "blocked, failed, robots_skipped, off_allowlist, not_found, gone; empty_column for kind column "
        "(the guessed reason in error)",
    ),
    "error": _f("VARCHAR", "Crawler error message"),
    "media_type": _f("VARCHAR", "Media type detected from the bytes"),
    "size_bytes": _f("BIGINT", "Size of the document", "bytes"),
    "etag": _f("VARCHAR", "HTTP ETag"),
    "last_modified": _f("VARCHAR", "HTTP Last-Modified"),
    "fetched_at": _f("TIMESTAMP", "When the fetch happened (UTC)"),
    "crawler_version": _f("VARCHAR", "Crawler version that fetched"),
    "source": _f("VARCHAR", "Path of the file given to the extractor"),
    "extract_status": _f("VARCHAR", "Extraction status: ok, warning, failed, unsupported, not_a_report"),
    "parser_version": _f("VARCHAR", "Version of the extractor that produced the result"),
    "printed_agency": _f("VARCHAR", "Publisher name as the report prints it"),
    "printed_region": _f("VARCHAR", "Region as the extractor read it"),
    "printed_title": _f("VARCHAR", "Report title as printed"),
    "load_seq": _f("BIGINT", "Order in which documents were loaded (later loads have larger numbers)"),
    "loaded_at": _f("TIMESTAMP", "When the document was loaded into the warehouse (UTC)"),
    # cells
    "table_id": _f(
        "VARCHAR", "Statistics table id from schema.yaml (t2_art20_1 … t3_requests, t4_review_litigation)"
    ),
    "table_version": _f("VARCHAR", "Format version of this table as detected: gov2019 or gov2021"),
    "row_code": _f("VARCHAR", "Row code from schema.yaml"),
    "col_code": _f("VARCHAR", "Column code from schema.yaml"),
    "value": _f("DOUBLE", "The number as printed; NULL when the cell is printed blank (never 0)"),
    "value_source": _f(
        "VARCHAR",
        "printed = read from the report; blank = printed blank (NULL); "
        "derived = computed from printed parts (null policy)",
    ),
    "raw_text": _f("VARCHAR", "Cell text exactly as printed"),
    "page": _f("INTEGER", "1-based PDF page of the cell (NULL for HTML/DOCX)"),
    "bbox": _f("DOUBLE[]", "Cell box in PDF points: x0, top, x1, bottom (pdfplumber coordinates)"),
    "cell_path": _f("VARCHAR", "HTML/DOCX locator of the cell"),
    # agencies and reports
    "agency_id": _f("VARCHAR", "Stable agency id (hash of the normalized agency key)"),
    "agency_key": _f(
        "VARCHAR",
        "Normalized agency name: region anchor + name without region, year and title words; prefixed "
        "with the registry admin_code (420190:云溪区财政局) when the body belongs to that district",
    ),
    "province": _f("VARCHAR", "Province (or province-level city) named by the region or the agency name"),
    "city": _f("VARCHAR", "City-level component (市, 州, 盟, 地区) named by the region or the agency name"),
    "first_report_year": _f("INTEGER", "First year (after 2018) the agency is known to have published for"),
    "agency_name": _f("VARCHAR", "Agency name: the longest printed form seen"),
    "names_seen": _f("VARCHAR[]", "Every printed form of the agency's name"),
    "name_seen": _f("VARCHAR", "One printed form of an agency name"),
    "region": _f("VARCHAR", "Region as printed in the most recent report"),
    "level": _f(
        "VARCHAR",
        "Administrative level inferred from the name suffix: province, city, district, "
        "government_office, department, town, street, unknown",
    ),
    "publisher_type": _f("VARCHAR", "Publisher type of schema.yaml publication.deadlines that applies"),
    "report_id": _f("BIGINT", "Report version id (from the document sha256)"),
    "report_year": _f("INTEGER", "Year the report is about"),
    "format_version": _f("VARCHAR", "Format version of 表三 (or of the report when 表三 is missing)"),
    "version_no": _f("INTEGER", "1 for the first version of an agency-year report, 2 for the next …"),
    "n_versions": _f("INTEGER", "How many versions of this agency-year report exist"),
    "is_current": _f("BOOLEAN", "True for the version the views use (the latest)"),
    "superseded_by": _f("BIGINT", "report_id of the version that replaced this one"),
    "published_date": _f("DATE", "Publication date: the earliest link date seen for the document"),
    "first_fetched_at": _f("TIMESTAMP", "First time the crawler fetched the document"),
    "last_fetched_at": _f("TIMESTAMP", "Last time the crawler fetched the document or tried the URL"),
    "document_state": _f(
        "VARCHAR",
        "One state per document: ok, warning, failed, unsupported, not_a_report, "
        "not_extracted, or the fetch state (blocked, fetch_failed, robots_skipped, not_found, gone, "
        "off_allowlist)",
    ),
    "agency_from": _f(
        "VARCHAR", "Where agency and year come from: report (extracted) or link_title (guessed)"
    ),
    "is_current_version": _f("BOOLEAN", "True when the document is the current version of its report"),
    # checks and issues
    "rule_id": _f("VARCHAR", "Rule id from schema.yaml rules"),
    "check_where": _f("VARCHAR", "Column or row the rule was evaluated for"),
    "is_ok": _f("BOOLEAN", "Whether the check passed"),
    "detail": _f("VARCHAR", "Check detail (e.g. 'total 1362 != sum 1360')"),
    "severity": _f("VARCHAR", "error, warning or info"),
    "issue_code": _f("VARCHAR", "Issue code from the extractor (blank_cell, repaired, …; README, Issue codes)"),
    "message": _f("VARCHAR", "Human-readable message"),
    # measure catalog
    "measure_code": _f("VARCHAR", "Measure code (see core_measure_catalog)"),
    "part_measure_code": _f("VARCHAR", "A measure summed into a derived measure"),
    "role": _f("VARCHAR", "printed = the measure's own printed cell; part = a cell summed when it is blank"),
    "label": _f("VARCHAR", "Official label(s) of the cell(s)"),
    "unit": _f("VARCHAR", "Unit code from schema.yaml units"),
    "versions": _f("VARCHAR", "Format versions that have the measure"),
    "is_comparable_across_versions": _f("BOOLEAN", "Whether gov2019 and gov2021 values mean the same thing"),
    "description": _f("VARCHAR", "Description"),
}

TABLES: dict[str, dict] = {
    "raw_fetch_manifest": {
        "description": "Crawler manifest: one row per fetch attempt of a discovered link (data/raw/manifest.jsonl)",
        "columns": [
            "fetch_id",
            "run_id",
            "site",
            "district",
            "admin_code",
            "url",
            "final_url",
            "referrer",
            "link_title",
            "link_date",
            "kind",
            "http_status",
            "fetch_state",
            "error",
            "sha256",
            "media_type",
            "size_bytes",
            "etag",
            "last_modified",
            "fetched_at",
            "crawler_version",
        ],
        "primary_key": ["fetch_id"],
    },
    "raw_documents": {
        "description": "Every extracted document, with what the extractor read from it",
        "columns": [
            "sha256",
            "source",
            "media_type",
            "extract_status",
            "parser_version",
            "printed_agency",
            "printed_region",
            "report_year",
            "format_version",
            "printed_title",
            "load_seq",
            "loaded_at",
        ],
        "primary_key": ["sha256"],
    },
    "raw_cells": {
        "description": "Cells as printed (extract cells_source) of documents that are not reports; a report's "
        "printed cells are in core_facts (raw_text, page, bbox), stored once",
        "columns": ["sha256", "table_id", "row_code", "col_code", "raw_text", "page", "bbox", "cell_path"],
        "primary_key": [],
    },
    "core_agencies": {
        "description": "Agencies: one row per public body, stable across years and spellings",
        "columns": [
            "agency_id",
            "agency_key",
            "agency_name",
            "names_seen",
            "region",
            "province",
            "city",
            "district",
            "admin_code",
            "level",
            "publisher_type",
            "first_report_year",
        ],
        "primary_key": ["agency_id"],
    },
    "core_agency_names": {
        "description": "Alias table: every printed agency name (with its region) and the agency it resolves to",
        "columns": [
            "name_seen",
            "region",
            "district",
            "admin_code",
            "agency_id",
            "agency_key",
            "agency_name",
            "level",
            "publisher_type",
            "province",
            "city",
        ],
        "primary_key": [],  # (name_seen, region, admin_code) is unique; they may be NULL, so not a SQL key
    },
    "core_reports": {
        "description": "Report versions: one row per document that is a report of an agency and year",
        "columns": [
            "report_id",
            "agency_id",
            "report_year",
            "sha256",
            "version_no",
            "n_versions",
            "is_current",
            "superseded_by",
            "extract_status",
            "format_version",
            "printed_title",
            "published_date",
            "first_fetched_at",
            "load_seq",
        ],
        "primary_key": ["report_id"],
    },
    "core_facts": {
        "description": "Facts in long form: every cell of every statistics table of every report version",
        "columns": [
            "report_id",
            "table_id",
            "table_version",
            "row_code",
            "col_code",
            "value",
            "value_source",
            "raw_text",
            "page",
            "bbox",
            "cell_path",
        ],
        "primary_key": [],
    },
    "core_checks": {
        "description": "Consistency checks the extractor evaluated (schema.yaml rules)",
        "columns": ["sha256", "rule_id", "check_where", "is_ok", "detail"],
        "primary_key": [],
    },
    "core_issues": {
        "description": "Issues the extractor raised (blank cells, repairs, unknown labels, missing tables …)",
        "columns": [
            "sha256",
            "severity",
            "issue_code",
            "table_id",
            "row_code",
            "col_code",
            "page",
            "raw_text",
            "message",
        ],
        "primary_key": [],
    },
    "core_documents": {
        "description": "Document states: every document (fetched or not) in exactly one state",
        "columns": [
            "document_id",
            "sha256",
            "url",
            "site",
            "district",
            "admin_code",
            "link_title",
            "link_date",
            "media_type",
            "document_state",
            "fetch_state",
            "agency_id",
            "report_year",
            "agency_from",
            "report_id",
            "is_current_version",
            "first_fetched_at",
            "last_fetched_at",
        ],
        "primary_key": ["document_id"],
    },
    "core_measure_catalog": {
        "description": "Named measures built from the facts (generated from schema.yaml)",
        "columns": [
            "measure_code",
            "table_id",
            "label",
            "unit",
            "versions",
            "is_comparable_across_versions",
            "description",
        ],
        "primary_key": ["measure_code"],
    },
    "core_measure_sources": {
        "description": "Which fact cells feed which measure (printed cell, or part summed when it is blank)",
        "columns": ["measure_code", "table_id", "row_code", "col_code", "role"],
        "primary_key": [],
    },
    "core_measure_parts": {
        "description": "Derived measures and the measures they sum (schema.yaml derived_rows, 行政诉讼 rows)",
        "columns": ["measure_code", "part_measure_code"],
        "primary_key": [],
    },
    "core_measures": {
        "description": "Measures per report version in long form, with value_source printed/blank/derived",
        "columns": ["report_id", "measure_code", "value", "value_source"],
        "primary_key": [],  # unique (report_id, measure_code); not enforced: an index on millions of rows
        # costs more at load time than it saves
    },
}

TABLES["core_publication_deadlines"] = {
    "description": "Legal publication deadline per publisher type (schema.yaml publication), as month/day of Y+1",
    "columns": ["publisher_type", "deadline_month", "deadline_day"],
    "primary_key": ["publisher_type"],
}
TABLES["core_legal_deadlines"] = {
    "description": "Legal publication deadline per agency level (条例第四十九条; warehouse/data/agencies.yaml "
    "legal_deadlines), as month/day of Y+1: what out_coverage calls on time",
    "columns": ["level", "deadline_month", "deadline_day", "basis"],
    "primary_key": ["level"],
}
FIELDS["basis"] = _f("VARCHAR", "Legal basis of the deadline")
TABLES["core_codes"] = {
    "description": "Every row and column code of the statistics tables with its Chinese label and printed order, "
    "per format version (from transform/schema.yaml)",
    "columns": ["table_id", "format_version", "axis", "code", "label", "printed_order"],
    "primary_key": ["table_id", "format_version", "axis", "code"],
}
TABLES["core_rules"] = {
    "description": "Every consistency rule (勾稽关系) of schema.yaml: the formula and the same in words",
    "columns": ["rule_id", "status", "severity", "versions", "formula", "rule_in_words", "source_text"],
    "primary_key": ["rule_id"],
}
FIELDS["axis"] = _f("VARCHAR", "row or column")
FIELDS["code"] = _f("VARCHAR", "Row or column code from schema.yaml (or, in out_validation, the rule id or issue code)")
FIELDS["printed_order"] = _f("INTEGER", "1-based position of the row or column in the printed template")
FIELDS["formula"] = _f("VARCHAR", "Rule formula in schema codes ({c} = every column, {r} = every row)")
FIELDS["rule_in_words"] = _f("VARCHAR", "The rule with the printed Chinese labels instead of the codes")
FIELDS["status"] = _f("VARCHAR", "official (printed in the template), implied or heuristic")
FIELDS["source_text"] = _f("VARCHAR", "The template's own wording of the rule, when it prints one")
FIELDS["deadline_month"] = _f("INTEGER", "Month of the deadline in the year after the report year")
FIELDS["deadline_day"] = _f("INTEGER", "Day of the deadline")

WIDE_MEASURES_TABLE = "core_report_measures"


def measure_fields() -> dict[str, FieldSpec]:
    """One value column and one ``_source`` column per measure."""
    out = {}
    for m in catalog():
        out[m.code] = FieldSpec(m.sql_type, m.description, m.unit)
        out[f"{m.code}_source"] = FieldSpec(
            "VARCHAR", f"printed, blank or derived: how {m.code} was obtained"
        )
    return out


def all_tables() -> dict[str, dict]:
    """``TABLES`` plus the wide measure table generated from the catalog."""
    wide = {
        "description": "Measures per report version, one column per measure (+ _source), built from core_measures",
        "columns": ["report_id", *measure_fields()],
        "primary_key": ["report_id"],
    }
    return {**TABLES, WIDE_MEASURES_TABLE: wide}


def field(name: str) -> FieldSpec:
    """The spec of a column name (shared fields first, then measure columns)."""
    if name in FIELDS:
        return FIELDS[name]
    return measure_fields()[name]


def create_table_sql(table: str) -> str:
    spec = all_tables()[table]
    cols = [f'"{c}" {field(c).type}' for c in spec["columns"]]
    if spec["primary_key"]:
        cols.append("PRIMARY KEY (" + ", ".join(spec["primary_key"]) + ")")
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  " + ",\n  ".join(cols) + "\n)"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_sql(table: str) -> list[str]:
    spec = all_tables()[table]
    statements = [f"COMMENT ON TABLE {table} IS {_quote(spec['description'])}"]
    for c in spec["columns"]:
        statements.append(f'COMMENT ON COLUMN {table}."{c}" IS {_quote(describe(c))}')
    return statements


def describe(column: str) -> str:
    spec = field(column)
    return spec.description + (f" (unit: {spec.unit})" if spec.unit else "")


def arrow_type(sql_type: str) -> pa.DataType:
    return {
        "VARCHAR": pa.string(),
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "BOOLEAN": pa.bool_(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
        "DOUBLE[]": pa.list_(pa.float64()),
        "VARCHAR[]": pa.list_(pa.string()),
    }[sql_type]


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(c, arrow_type(field(c).type)) for c in all_tables()[table]["columns"]])


def enforce_schema(data: pa.Table | dict, table: str) -> pa.Table:
    """Columns of ``table`` in declared order and type; raise naming missing columns, drop extras."""
    if isinstance(data, dict):
        data = pa.table(data) if data else pa.table({})
    schema = arrow_schema(table)
    missing = [name for name in schema.names if name not in data.column_names]
    if missing and data.num_rows:
        raise ValueError(f"{table}: missing columns {missing}")
    if data.num_rows == 0:
        return schema.empty_table()
    return pa.table([data.column(n).cast(schema.field(n).type) for n in schema.names], schema=schema)


# ----------------------------------------------------------------------------------------------- views
# Rates of out_agency_year: name -> (what is counted, out of what). Each has _numerator, _denominator, _pct.
RATES: dict[str, tuple[str, str]] = {
    "disclosure": ("granted + partially_granted (予以公开 + 部分公开)", "results_total (办理结果总计)"),
    "grant": ("granted (予以公开)", "results_total"),
    "denial": ("denied_subtotal (不予公开, all 8 reasons)", "results_total"),
    "unable": ("unable_subtotal (无法提供)", "results_total"),
    "natural_person": ("new_received_natural_person (自然人 applications)", "new_received"),
    "review_correction": (
        "review_corrected (复议结果纠正)",
        "review_concluded (维持+纠正+其他, i.e. concluded)",
    ),
    "litigation_correction": ("litigation_corrected (诉讼结果纠正, both kinds)", "litigation_concluded"),
}

VIEW_FIELDS: dict[str, FieldSpec] = {
    "review_concluded": _f("BIGINT", "Concluded review cases: maintained + corrected + other", "count_cases"),
    "litigation_concluded": _f(
        "BIGINT", "Concluded litigation cases: maintained + corrected + other", "count_cases"
    ),
    "prev_report_year": _f("INTEGER", "The previous year (NULL when the agency has no report for year - 1)"),
    "prev_format_version": _f("VARCHAR", "Format version of the previous year's report"),
    "carried_forward_prev": _f("BIGINT", "Previous year's 结转下年度继续办理 (total)", "count_applications"),
    "carry_difference": _f(
        "BIGINT", "carried_over - carried_forward_prev (0 when consistent)", "count_applications"
    ),
    "carry_check_ok": _f(
        "BOOLEAN",
        "Cross-year rule xyear_carry holds in every column (NULL when a year or its 表三 is missing)",
    ),
    "carry_mismatch_columns": _f(
        "VARCHAR", "Columns (applicant columns, total) where carried_over != last year's carried_forward"
    ),
    "measure": _f("VARCHAR", "Measure ranked (a column of out_agency_year)"),
    "numerator": _f("BIGINT", "Numerator of the rate (NULL for counts)"),
    "denominator": _f("BIGINT", "Denominator of the rate (NULL for counts)"),
    "is_small_denominator": _f("BOOLEAN", "Rate whose denominator is below 5: flagged, not ranked"),
    "is_ranked": _f("BOOLEAN", "Whether the row got a rank"),
    "rank_in_group": _f("BIGINT", "Rank within the peer group (scope, place, level, year, measure); 1 = highest"),
    "n_ranked": _f("BIGINT", "How many agencies were ranked in the group"),
    "is_report_found": _f("BOOLEAN", "A report of the agency for the year is in the warehouse"),
    "report_state": _f(
        "VARCHAR", "Extraction status of the current report, else the document state, else missing"
    ),
    "deadline_date": _f("DATE", "Legal publication deadline (schema.yaml publication)"),
    "days_after_deadline": _f("BIGINT", "published_date - deadline_date in days (negative = early)"),
    "is_on_time": _f("BOOLEAN", "Published on or before the deadline (NULL when the date is unknown)"),
    "kind": _f("VARCHAR", "check (failed consistency rule), issue (extractor issue) or cross_year"),
    "code": _f("VARCHAR", "Rule id or issue code"),
    "location": _f("VARCHAR", "Row/column (row.col) the problem is about"),
    "is_current": _f("BOOLEAN", "True when the document is the current version of its report"),
    "value": _f("DOUBLE", "Value of the measure"),
    "peer_scope": _f("VARCHAR", "Scope of the peer group: national (全国), province or city"),
    "peer_region": _f("VARCHAR", "The peer group's place: 全国, the province or the city"),
    "wilson_low_pct": _f("DOUBLE", "Lower end of the 95 % Wilson score interval of the rate, in percent"),
    "wilson_high_pct": _f("DOUBLE", "Upper end of the 95 % Wilson score interval of the rate, in percent"),
    "n_in_group": _f("BIGINT", "Agencies in the peer group with a report (ranked or not)"),
    "rank_note": _f("VARCHAR", "Why a row has no rank, or that its group ranks a single agency"),
    "coverage_state": _f(
        "VARCHAR",
        "on_time, late, published_undated, unreadable (bytes here, cannot be read), not_fetched (link found, "
        "bytes not), missing (nothing found for a due year)",
    ),
    "unreadable_reason": _f(
        "VARCHAR", "Why the document cannot be used: scanned, ofd, wps, png, tables_as_images, or the error issue code"
    ),
    "is_due": _f("BOOLEAN", "The year's legal deadline has passed on the as-of date"),
    "as_of_date": _f("DATE", "The date coverage is judged on: today, or the session variable xxgk_as_of"),
    "measure_label": _f("VARCHAR", "Chinese label of the printed cell(s) of the measure"),
}


def view_column_description(name: str) -> str:
    """Description of an out_ view column, from the declared fields; KeyError when undeclared."""
    for suffix, (index, template) in {
        "_numerator": (0, "Numerator of {rate}_pct: {text}"),
        "_denominator": (1, "Denominator of {rate}_pct: {text}"),
        "_pct": (
            None,
            "{rate} rate in percent = numerator / denominator x 100; NULL when the denominator is 0",
        ),
    }.items():
        rate = name.removesuffix(suffix)
        if name.endswith(suffix) and rate in RATES:
            text = RATES[rate][index] if index is not None else ""
            return template.format(rate=rate, text=text)
    if name in VIEW_FIELDS:
        return VIEW_FIELDS[name].description
    if name in FIELDS or name in measure_fields():
        return describe(name)
    for suffix, template in (
        ("_prev", "Previous year's value of {base}"),
        ("_change", "{base} minus {base}_prev"),
    ):
        base = name.removesuffix(suffix)
        if name.endswith(suffix) and base != name:
            return template.format(base=base) + ": " + view_column_description(base)
    return describe(name)
