-- Report versions per (agency, year) and the dates the crawler manifest gives them.
-- A re-published report (same agency and year, new bytes) is a new version; the latest loaded is current,
-- older ones keep their rows with is_current = false and superseded_by pointing at the next version.
UPDATE core_reports r
SET published_date = m.published_date, first_fetched_at = m.first_fetched_at
FROM (
    SELECT sha256, min(link_date) AS published_date, min(fetched_at) AS first_fetched_at
    FROM raw_fetch_manifest WHERE sha256 IS NOT NULL GROUP BY sha256
) m
WHERE r.sha256 = m.sha256;

UPDATE core_reports r
SET version_no = v.version_no, n_versions = v.n_versions, is_current = v.version_no = v.n_versions,
    superseded_by = v.superseded_by
FROM (
    SELECT report_id,
           row_number() OVER w AS version_no,
           count(*) OVER (PARTITION BY agency_id, report_year) AS n_versions,
           lead(report_id) OVER w AS superseded_by
    FROM core_reports
    WINDOW w AS (PARTITION BY agency_id, report_year ORDER BY load_seq, report_id)
) v
WHERE r.report_id = v.report_id
  AND (r.version_no IS DISTINCT FROM v.version_no OR r.n_versions IS DISTINCT FROM v.n_versions
       OR r.superseded_by IS DISTINCT FROM v.superseded_by);
