-- out_ranking: ranks within the same region, administrative level and year, for the main measures.
-- rank 1 = the highest value. Rates whose denominator is below 5 cases are flagged
-- (is_small_denominator) and not ranked: 1 of 1 is not "100 %" in any useful sense. Reports whose
-- extraction failed are left out (their numbers may be incomplete). n_ranked = how many were ranked.
CREATE OR REPLACE VIEW out_ranking AS
WITH base AS (
    SELECT * FROM out_agency_year WHERE extract_status IN ('ok', 'warning')
),
long AS (
    SELECT agency_id, agency_name, region, level, report_year, 'new_received' AS measure,
           new_received::DOUBLE AS value, NULL::BIGINT AS numerator, NULL::BIGINT AS denominator FROM base
    UNION ALL
    SELECT agency_id, agency_name, region, level, report_year, 'results_total', results_total, NULL, NULL FROM base
    UNION ALL
    SELECT agency_id, agency_name, region, level, report_year, 'review_total', review_total, NULL, NULL FROM base
    UNION ALL
    SELECT agency_id, agency_name, region, level, report_year, 'litigation_total', litigation_total, NULL, NULL
    FROM base
    UNION ALL
    SELECT agency_id, agency_name, region, level, report_year, 'disclosure_pct', disclosure_pct,
           disclosure_numerator, disclosure_denominator FROM base
    UNION ALL
    SELECT agency_id, agency_name, region, level, report_year, 'denial_pct', denial_pct,
           denial_numerator, denial_denominator FROM base
    UNION ALL
    SELECT agency_id, agency_name, region, level, report_year, 'review_correction_pct', review_correction_pct,
           review_correction_numerator, review_correction_denominator FROM base
    UNION ALL
    SELECT agency_id, agency_name, region, level, report_year, 'litigation_correction_pct',
           litigation_correction_pct, litigation_correction_numerator, litigation_correction_denominator
    FROM base
),
flagged AS (
    SELECT *,
           coalesce(measure LIKE '%\_pct' ESCAPE '\' AND coalesce(denominator, 0) < 5, false)
               AS is_small_denominator
    FROM long
),
rankable AS (
    SELECT *, value IS NOT NULL AND NOT is_small_denominator AS is_ranked FROM flagged
)
SELECT agency_id, agency_name, region, level, report_year, measure, value, numerator, denominator,
       is_small_denominator, is_ranked,
       CASE WHEN is_ranked THEN rank() OVER (PARTITION BY region, level, report_year, measure, is_ranked
                                             ORDER BY value DESC) END AS rank_in_group,
       count(*) FILTER (WHERE is_ranked) OVER (PARTITION BY region, level, report_year, measure) AS n_ranked
FROM rankable;
