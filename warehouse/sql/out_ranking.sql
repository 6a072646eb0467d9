-- out_ranking: ranks within the same region, administrative level and year, for the main measures.
-- rank 1 = the highest value. Rates whose denominator is below 5 cases are flagged
-- (is_small_denominator) and not ranked: 1 of 1 is not "100 %" in any useful sense. Reports whose
-- extraction failed are left out (their numbers may be incomplete). n_ranked = how many were ranked.
CREATE OR REPLACE VIEW out_ranking AS
WITH base AS (
    SELECT agency_id, agency_name, region, level, report_year, new_received, results_total, review_total,
           litigation_total, disclosure_pct, disclosure_numerator, disclosure_denominator, denial_pct,
           denial_numerator, denial_denominator, review_correction_pct, review_correction_numerator,
           review_correction_denominator, litigation_correction_pct, litigation_correction_numerator,
           litigation_correction_denominator
    FROM out_agency_year WHERE extract_status IN ('ok', 'warning')
),
long AS (
    -- one pass over out_agency_year: each row unnests into one row per ranked measure
    SELECT agency_id, agency_name, region, level, report_year, m.measure, m.value, m.numerator, m.denominator
    FROM (
        SELECT agency_id, agency_name, region, level, report_year, unnest([
            {'measure': 'new_received', 'value': new_received::DOUBLE,
             'numerator': NULL::BIGINT, 'denominator': NULL::BIGINT},
            {'measure': 'results_total', 'value': results_total::DOUBLE, 'numerator': NULL, 'denominator': NULL},
            {'measure': 'review_total', 'value': review_total::DOUBLE, 'numerator': NULL, 'denominator': NULL},
            {'measure': 'litigation_total', 'value': litigation_total::DOUBLE, 'numerator': NULL,
             'denominator': NULL},
            {'measure': 'disclosure_pct', 'value': disclosure_pct, 'numerator': disclosure_numerator,
             'denominator': disclosure_denominator},
            {'measure': 'denial_pct', 'value': denial_pct, 'numerator': denial_numerator,
             'denominator': denial_denominator},
            {'measure': 'review_correction_pct', 'value': review_correction_pct,
             'numerator': review_correction_numerator, 'denominator': review_correction_denominator},
            {'measure': 'litigation_correction_pct', 'value': litigation_correction_pct,
             'numerator': litigation_correction_numerator, 'denominator': litigation_correction_denominator}
        ]) AS m
        FROM base
    )
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
       -- ranked rows sort first, so their ranks are not affected by the unranked ones
       CASE WHEN is_ranked THEN rank() OVER peers END AS rank_in_group,
       count(*) FILTER (WHERE is_ranked) OVER (PARTITION BY region, level, report_year, measure) AS n_ranked
FROM rankable
WINDOW peers AS (PARTITION BY region, level, report_year, measure ORDER BY is_ranked DESC, value DESC);
