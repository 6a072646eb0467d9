"""Warehouse stage: extraction results → DuckDB layers → comparison views → CSV exports.

Input: extract JSON objects (``spec/extract-output.md``) and the crawler manifest. Output: one DuckDB
file with ``raw_`` tables (what came in), ``core_`` tables (agencies, report versions, long facts with
lineage, checks, issues, document states, measures) and ``out_`` views (``sql/out_*.sql``), published
atomically (``publish``) and exported as Excel-safe CSV (``export``). The schema is declared once, as
data, in ``schema.py`` and ``measures.py`` (generated from ``transform/schema.yaml``).
"""
