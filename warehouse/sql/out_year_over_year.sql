-- out_year_over_year: each agency-year against the same agency's previous year (year - 1), for the main
-- measures. Only measures comparable across format versions are here (t3/t4 counts, 处理决定数量), so a
-- gov2019 year next to a gov2021 year is still a fair comparison; format_version and prev_format_version
-- say when the format changed. <m>_change = <m> - <m>_prev (NULL when either side is NULL).
-- The cross-year check (schema rule xyear_carry), for every applicant column and the total: this year's
-- 上年结转 (carried_over) should equal last year's 结转下年度继续办理 (carried_forward).
-- carry_mismatch_columns lists the columns where it does not ('' = consistent); carry_check_ok is NULL
-- when there is no previous year or either year has no 表三.
CREATE OR REPLACE VIEW out_year_over_year AS
SELECT c.agency_id, c.agency_name, c.region, c.level, c.report_year,
       p.report_year AS prev_report_year, c.format_version, p.format_version AS prev_format_version,
       c.new_received, p.new_received AS new_received_prev, c.new_received - p.new_received AS new_received_change,
       c.results_total, p.results_total AS results_total_prev,
       c.results_total - p.results_total AS results_total_change,
       c.granted, p.granted AS granted_prev, c.granted - p.granted AS granted_change,
       c.partially_granted, p.partially_granted AS partially_granted_prev,
       c.partially_granted - p.partially_granted AS partially_granted_change,
       c.denied_subtotal, p.denied_subtotal AS denied_subtotal_prev,
       c.denied_subtotal - p.denied_subtotal AS denied_subtotal_change,
       c.unable_subtotal, p.unable_subtotal AS unable_subtotal_prev,
       c.unable_subtotal - p.unable_subtotal AS unable_subtotal_change,
       c.not_processed_subtotal, p.not_processed_subtotal AS not_processed_subtotal_prev,
       c.not_processed_subtotal - p.not_processed_subtotal AS not_processed_subtotal_change,
       c.other_processing, p.other_processing AS other_processing_prev,
       c.other_processing - p.other_processing AS other_processing_change,
       c.review_total, p.review_total AS review_total_prev, c.review_total - p.review_total AS review_total_change,
       c.litigation_total, p.litigation_total AS litigation_total_prev,
       c.litigation_total - p.litigation_total AS litigation_total_change,
       c.admin_licensing_decisions, p.admin_licensing_decisions AS admin_licensing_decisions_prev,
       c.admin_licensing_decisions - p.admin_licensing_decisions AS admin_licensing_decisions_change,
       c.admin_penalty_decisions, p.admin_penalty_decisions AS admin_penalty_decisions_prev,
       c.admin_penalty_decisions - p.admin_penalty_decisions AS admin_penalty_decisions_change,
       c.disclosure_pct, p.disclosure_pct AS disclosure_pct_prev,
       c.disclosure_pct - p.disclosure_pct AS disclosure_pct_change,
       c.carried_over, p.carried_forward AS carried_forward_prev,
       c.carried_over - p.carried_forward AS carry_difference,
       m.carry_mismatch_columns,
       CASE WHEN m.carry_mismatch_columns IS NOT NULL THEN m.carry_mismatch_columns = '' END AS carry_check_ok
FROM out_agency_year c
LEFT JOIN out_agency_year p ON p.agency_id = c.agency_id AND p.report_year = c.report_year - 1
LEFT JOIN LATERAL (
    -- Columns where the rule fails; blanks count as 0 when the table has numbers (schema null_policy),
    -- NULL when either year's table is missing (rule not evaluated).
    SELECT CASE WHEN p.agency_id IS NOT NULL AND c.carried_over_source IS NOT NULL
                     AND p.carried_forward_source IS NOT NULL THEN concat_ws(',',
        CASE WHEN coalesce(c.carried_over_natural_person, 0) <> coalesce(p.carried_forward_natural_person, 0)
             THEN 'natural_person' END,
        CASE WHEN coalesce(c.carried_over_commercial_enterprise, 0)
                  <> coalesce(p.carried_forward_commercial_enterprise, 0) THEN 'commercial_enterprise' END,
        CASE WHEN coalesce(c.carried_over_research_institution, 0)
                  <> coalesce(p.carried_forward_research_institution, 0) THEN 'research_institution' END,
        CASE WHEN coalesce(c.carried_over_public_interest_org, 0)
                  <> coalesce(p.carried_forward_public_interest_org, 0) THEN 'public_interest_org' END,
        CASE WHEN coalesce(c.carried_over_legal_service_org, 0) <> coalesce(p.carried_forward_legal_service_org, 0)
             THEN 'legal_service_org' END,
        CASE WHEN coalesce(c.carried_over_other_org, 0) <> coalesce(p.carried_forward_other_org, 0)
             THEN 'other_org' END,
        CASE WHEN coalesce(c.carried_over, 0) <> coalesce(p.carried_forward, 0) THEN 'total' END)
           END AS carry_mismatch_columns
) m ON true;
