-- out_coverage: for every agency known to publish (it has a report, or a report link read from its title)
-- and every year it was due, whether its report was published on time, late, is unreadable, could not be
-- fetched, or is missing. A year is due from the agency's first known year up to the latest year whose
-- legal deadline has passed on the as-of date (条例第四十九条: departments, 乡镇/街道 and a 办公室's own
-- report by 31 January of the next year, a government's report by 31 March; core_legal_deadlines). The
-- as-of date is today, or the session variable xxgk_as_of (SET VARIABLE xxgk_as_of = DATE '2025-03-10').
-- A year not yet due appears only when something was found for it.
-- coverage_state: on_time | late | published_undated (read, no publication date) | unreadable (the bytes
-- are here but cannot be read: document_state failed/unsupported, unreadable_reason scanned, ofd, wps …)
-- | not_fetched (the link was found, the bytes not: blocked, fetch_failed, gone …; or document_state
-- site_unreachable: the agency's registry site never answered a fetch) | missing (nothing found).
CREATE OR REPLACE VIEW out_coverage AS
WITH as_of AS (
    SELECT coalesce(try_cast(getvariable('xxgk_as_of') AS DATE), current_date) AS as_of_date
),
agencies AS (
    SELECT a.*, dl.deadline_month, dl.deadline_day,
           CASE WHEN make_date(year(o.as_of_date), dl.deadline_month, dl.deadline_day) < o.as_of_date
                THEN year(o.as_of_date) - 1 ELSE year(o.as_of_date) - 2 END AS last_due_year,
           o.as_of_date
    FROM core_agencies a
    CROSS JOIN as_of o
    LEFT JOIN core_legal_deadlines dl ON dl.level = a.level
),
doc_reasons AS (
    -- why a document with bytes cannot be used: its first error issue, the file type for unsupported_type
    SELECT d.document_id,
           CASE WHEN i.code = 'unsupported_type' OR (i.code IS NULL AND d.document_state = 'unsupported')
                THEN coalesce(nullif(lower(regexp_extract(d.url, '\.([A-Za-z0-9]{2,5})$', 1)), ''), d.media_type)
                ELSE i.code END AS reason
    FROM core_documents d
    LEFT JOIN (SELECT sha256, arg_min(issue_code, issue_code <> 'scanned') AS code
               FROM core_issues WHERE severity = 'error' GROUP BY sha256) i USING (sha256)
),
docs AS (
    -- the most telling document of an agency-year that did not become its current readable report:
    -- bytes that cannot be read before a link that could not be fetched
    SELECT d.agency_id, d.report_year,
           arg_min(d.document_state, CASE WHEN d.sha256 IS NOT NULL THEN 0 ELSE 1 END) AS document_state,
           arg_min(r.reason, CASE WHEN d.sha256 IS NOT NULL THEN 0 ELSE 1 END) AS reason,
           bool_or(d.sha256 IS NOT NULL) AS has_bytes, min(d.link_date) AS link_date, count(*) AS n_documents
    FROM core_documents d JOIN doc_reasons r USING (document_id)
    WHERE d.agency_id IS NOT NULL AND d.report_year > 2018 AND d.report_id IS NULL
    GROUP BY d.agency_id, d.report_year
),
unreachable AS (
    -- registry sites (by admin code) from which no fetch ever succeeded
    SELECT admin_code FROM raw_fetch_manifest WHERE admin_code IS NOT NULL GROUP BY admin_code
    HAVING count(*) FILTER (WHERE fetch_state IN ('new', 'changed', 'unchanged', 'not_modified', 'duplicate')) = 0
),
first_published AS (
    -- a 更正版 does not make a report late: the agency-year was published when its first version was
    SELECT agency_id, report_year, min(published_date) AS published_date FROM core_reports GROUP BY ALL
),
found AS (
    SELECT agency_id, report_year FROM core_reports WHERE report_year > 2018
    UNION SELECT agency_id, report_year FROM docs
),
grid AS (
    SELECT a.agency_id, y.report_year
    FROM agencies a, range(a.first_report_year, a.last_due_year + 1) y(report_year)
    WHERE a.first_report_year IS NOT NULL
    UNION SELECT agency_id, report_year FROM found
)
SELECT a.agency_id, a.agency_name, a.region, a.province, a.city, a.level, g.report_year::INTEGER AS report_year,
       CASE WHEN r.extract_status IN ('ok', 'warning') THEN
                CASE WHEN fp.published_date IS NULL THEN 'published_undated'
                     WHEN fp.published_date <= make_date(g.report_year + 1, a.deadline_month, a.deadline_day)
                     THEN 'on_time' ELSE 'late' END
            WHEN r.report_id IS NOT NULL OR d.has_bytes THEN 'unreadable'
            WHEN d.document_state IS NOT NULL OR u.admin_code IS NOT NULL THEN 'not_fetched'
            ELSE 'missing' END AS coverage_state,
       coalesce(r.extract_status, d.document_state, CASE WHEN u.admin_code IS NOT NULL THEN 'site_unreachable' END)
           AS document_state,
       CASE WHEN r.extract_status = 'failed' THEN ri.code
            WHEN r.report_id IS NULL THEN d.reason END AS unreadable_reason,
       r.report_id IS NOT NULL AS is_report_found,
       coalesce(r.extract_status, d.document_state, 'missing') AS report_state,
       r.n_versions, r.sha256,
       coalesce(fp.published_date, d.link_date) AS published_date,
       a.publisher_type,
       make_date(g.report_year + 1, a.deadline_month, a.deadline_day) AS deadline_date,
       coalesce(fp.published_date, d.link_date)
           - make_date(g.report_year + 1, a.deadline_month, a.deadline_day) AS days_after_deadline,
       coalesce(fp.published_date, d.link_date)
           <= make_date(g.report_year + 1, a.deadline_month, a.deadline_day) AS is_on_time,
       g.report_year <= a.last_due_year AS is_due, a.as_of_date
FROM grid g
JOIN agencies a USING (agency_id)
LEFT JOIN core_reports r ON r.agency_id = g.agency_id AND r.report_year = g.report_year AND r.is_current
LEFT JOIN (SELECT sha256, arg_min(issue_code, issue_code) AS code FROM core_issues
           WHERE severity = 'error' GROUP BY sha256) ri ON ri.sha256 = r.sha256
LEFT JOIN docs d ON d.agency_id = g.agency_id AND d.report_year = g.report_year
LEFT JOIN first_published fp ON fp.agency_id = g.agency_id AND fp.report_year = g.report_year
LEFT JOIN unreachable u ON u.admin_code = a.admin_code;
