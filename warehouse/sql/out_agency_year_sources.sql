-- out_agency_year_sources: the lineage companion of out_agency_year, same rows (agency_id, report_year):
-- for every measure, <measure>_source = printed (read from the report), blank (printed blank: NULL) or
-- derived (a total printed blank, computed from its printed parts). The cells themselves, with page, box
-- and raw text, are in core_facts.
CREATE OR REPLACE VIEW out_agency_year_sources AS
SELECT a.agency_id, a.agency_name, r.report_year, r.report_id, r.sha256,
       {{measure_source_columns}}
FROM core_reports r
JOIN core_agencies a USING (agency_id)
JOIN core_report_measures m USING (report_id)
WHERE r.is_current;
