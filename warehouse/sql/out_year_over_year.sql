-- out_year_over_year: each agency-year against the same agency's previous year (year - 1), for the main
-- measures. Only measures comparable across format versions are here (t3/t4 counts, 处理决定数量), so a
-- gov2019 year next to a gov2021 year is still a fair comparison; format_version and prev_format_version
-- say when the format changed. <m>_change = <m> - <m>_prev (NULL when either side is NULL).
-- The cross-year check (schema rule xyear_carry): this year's 上年结转 (carried_over) should equal last
-- year's 结转下年度继续办理 (carried_forward); carry_check_ok is NULL when either value is missing.
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
       c.carried_over = p.carried_forward AS carry_check_ok
FROM out_agency_year c
LEFT JOIN out_agency_year p ON p.agency_id = c.agency_id AND p.report_year = c.report_year - 1;
