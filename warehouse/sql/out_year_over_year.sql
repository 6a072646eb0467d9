-- out_year_over_year: each agency-year against the same agency's previous year (year - 1), for the main
-- measures (warehouse.measures.YEAR_OVER_YEAR; the {{…}} parts are generated from it and from schema.yaml).
-- Only measures comparable across format versions are here (t3/t4 counts, 处理决定数量), so a
-- gov2019 year next to a gov2021 year is still a fair comparison; format_version and prev_format_version
-- say when the format changed. <m>_change = <m> - <m>_prev (NULL when either side is NULL).
-- The cross-year check (schema rule xyear_carry), for every applicant column and the total: this year's
-- 上年结转 (carried_over) should equal last year's 结转下年度继续办理 (carried_forward).
-- carry_mismatch_columns lists the columns where it does not ('' = consistent); carry_check_ok is NULL
-- when there is no previous year or either year has no 表三.
CREATE OR REPLACE VIEW out_year_over_year AS
SELECT c.agency_id, c.agency_name, c.region, c.level, c.report_year,
       p.report_year AS prev_report_year, c.format_version, p.format_version AS prev_format_version,
       {{year_over_year_columns}},
       c.carried_over, p.carried_forward AS carried_forward_prev,
       c.carried_over - p.carried_forward AS carry_difference,
       m.carry_mismatch_columns,
       CASE WHEN m.carry_mismatch_columns IS NOT NULL THEN m.carry_mismatch_columns = '' END AS carry_check_ok
FROM out_agency_year c
LEFT JOIN out_agency_year p ON p.agency_id = c.agency_id AND p.report_year = c.report_year - 1
LEFT JOIN core_report_measures cs ON cs.report_id = c.report_id
LEFT JOIN core_report_measures ps ON ps.report_id = p.report_id
LEFT JOIN LATERAL (
    -- Columns where the rule fails; blanks count as 0 when the table has numbers (schema null_policy),
    -- NULL when either year's table is missing (rule not evaluated).
    SELECT CASE WHEN p.agency_id IS NOT NULL AND cs.carried_over_source IS NOT NULL
                     AND ps.carried_forward_source IS NOT NULL THEN concat_ws(',',
        {{carry_mismatch_cases}})
           END AS carry_mismatch_columns
) m ON true;
