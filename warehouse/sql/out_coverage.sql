-- out_coverage: for every known agency and every year seen, whether a report was found, its state,
-- and its publication date against the legal deadline (schema.yaml publication; the deadline depends
-- on the publisher type inferred from the agency's name). report_state is the current report's
-- extraction status, else the state of a document guessed for that agency-year from its link title
-- (blocked, fetch_failed …), else 'missing'. is_on_time is NULL when the publication date is unknown.
CREATE OR REPLACE VIEW out_coverage AS
WITH years AS (
    -- only years under the 2019 条例: older reports (schema.yaml format_versions.pre2019,
    -- detect_report_year_max = 2018) are documents, not a year every agency should cover
    SELECT report_year FROM (
        SELECT DISTINCT report_year FROM core_reports
        UNION SELECT DISTINCT report_year FROM core_documents WHERE report_year IS NOT NULL
    ) WHERE report_year > 2018
),
doc_states AS (
    SELECT agency_id, report_year, arg_min(document_state, last_fetched_at) AS document_state,
           min(link_date) AS link_date, count(*) AS n_documents
    FROM core_documents
    WHERE agency_id IS NOT NULL AND report_year IS NOT NULL AND report_id IS NULL
    GROUP BY agency_id, report_year
),
grid AS (
    SELECT a.agency_id, a.agency_name, a.region, a.level, a.publisher_type, y.report_year
    FROM core_agencies a CROSS JOIN years y
)
SELECT g.agency_id, g.agency_name, g.region, g.level, g.report_year,
       r.report_id IS NOT NULL AS is_report_found,
       coalesce(r.extract_status, d.document_state, 'missing') AS report_state,
       r.n_versions, r.sha256,
       coalesce(r.published_date, d.link_date) AS published_date,
       g.publisher_type,
       make_date(g.report_year + 1, dl.deadline_month, dl.deadline_day) AS deadline_date,
       coalesce(r.published_date, d.link_date)
           - make_date(g.report_year + 1, dl.deadline_month, dl.deadline_day) AS days_after_deadline,
       coalesce(r.published_date, d.link_date)
           <= make_date(g.report_year + 1, dl.deadline_month, dl.deadline_day) AS is_on_time
FROM grid g
LEFT JOIN core_reports r ON r.agency_id = g.agency_id AND r.report_year = g.report_year AND r.is_current
LEFT JOIN doc_states d ON d.agency_id = g.agency_id AND d.report_year = g.report_year
LEFT JOIN core_publication_deadlines dl ON dl.publisher_type = g.publisher_type;
