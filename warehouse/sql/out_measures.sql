-- out_measures: out_agency_year in long form, one row per agency, year and measure that has a value or
-- a printed blank: ready for a pivot table. measure_label is the Chinese label of the printed cell(s)
-- (core_measure_catalog), value_source says printed, blank or derived. Current report versions only.
CREATE OR REPLACE VIEW out_measures AS
SELECT a.agency_id, a.agency_name, a.region, a.level, r.report_year, r.format_version, r.extract_status,
       m.measure_code, c.label AS measure_label, c.unit, m.value, m.value_source
FROM core_measures m
JOIN core_reports r USING (report_id)
JOIN core_agencies a USING (agency_id)
JOIN core_measure_catalog c USING (measure_code)
WHERE r.is_current;
