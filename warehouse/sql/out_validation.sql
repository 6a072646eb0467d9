-- out_validation: everything a human should look at, one row per problem, with the document, its URL,
-- page and raw text: failed consistency checks (with the printed cells the rule looked at), extractor
-- issues, and failed cross-year carry checks (out_year_over_year). is_current says whether the document
-- is the version the other views use.
CREATE OR REPLACE VIEW out_validation AS
WITH docs AS (
    SELECT d.sha256, d.url, d.document_state, d.is_current_version, a.agency_name, d.report_year
    FROM core_documents d LEFT JOIN core_agencies a USING (agency_id)
    WHERE d.sha256 IS NOT NULL
),
check_cells AS (
    SELECT c.sha256, c.rule_id, c.check_where, c.detail, c.is_ok,
           CASE WHEN c.rule_id LIKE 't3\_%' ESCAPE '\' THEN 't3_requests'
                WHEN c.rule_id LIKE 't4\_%' ESCAPE '\' THEN 't4_review_litigation' END AS table_id
    FROM core_checks c WHERE NOT c.is_ok
),
failed_checks AS (
    SELECT k.sha256, 'check' AS kind, k.rule_id AS code, 'error' AS severity, k.table_id,
           k.check_where AS location, min(rc.page) AS page,
           string_agg(rc.row_code || '.' || rc.col_code || '=' || coalesce(rc.raw_text, ''), '; '
                      ORDER BY rc.row_code, rc.col_code) AS raw_text,
           k.detail AS message
    FROM check_cells k
    LEFT JOIN (SELECT r.sha256, f.* FROM core_facts f JOIN core_reports r USING (report_id)
               WHERE r.sha256 IN (SELECT sha256 FROM check_cells)) rc
           ON rc.sha256 = k.sha256 AND rc.table_id = k.table_id
          AND (rc.col_code = k.check_where OR rc.row_code = k.check_where)
    GROUP BY k.sha256, k.rule_id, k.check_where, k.detail, k.table_id
),
issues AS (
    SELECT sha256, 'issue' AS kind, issue_code AS code, severity, table_id,
           concat_ws('.', row_code, col_code) AS location, page, raw_text, message
    FROM core_issues
),
carry AS (
    SELECT r.sha256, 'cross_year' AS kind, 'xyear_carry' AS code, 'warning' AS severity,
           't3_requests' AS table_id, 'carried_over.' || y.carry_mismatch_columns AS location,
           NULL::INTEGER AS page, CAST(y.carried_over AS VARCHAR) AS raw_text,
           format('上年结转 != previous year''s 结转下年度继续办理 in {} (total {} vs {})',
                  y.carry_mismatch_columns, y.carried_over, y.carried_forward_prev) AS message
    FROM out_year_over_year y
    JOIN core_reports r ON r.agency_id = y.agency_id AND r.report_year = y.report_year AND r.is_current
    WHERE NOT y.carry_check_ok
)
SELECT p.kind, p.code, p.severity, d.agency_name, d.report_year, p.sha256, d.url, d.document_state,
       d.is_current_version AS is_current, p.table_id, p.location, p.page, p.raw_text, p.message
FROM (SELECT * FROM failed_checks UNION ALL SELECT * FROM issues UNION ALL SELECT * FROM carry) p
LEFT JOIN docs d USING (sha256);
