-- out_ranking: ranks within the same region, administrative level and year, for the main measures.
-- rank 1 = the highest value. Rates whose denominator is below 5 cases are flagged
-- (is_small_denominator) and not ranked: 1 of 1 is not "100 %" in any useful sense. Reports whose
-- extraction failed are left out (their numbers may be incomplete). n_ranked = how many were ranked.
CREATE OR REPLACE VIEW out_ranking AS
WITH base AS (
    SELECT * FROM out_agency_year WHERE extract_status IN ('ok', 'warning')
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
       CASE WHEN is_ranked THEN rank() OVER (PARTITION BY region, level, report_year, measure, is_ranked
                                             ORDER BY value DESC) END AS rank_in_group,
       count(*) FILTER (WHERE is_ranked) OVER (PARTITION BY region, level, report_year, measure) AS n_ranked
FROM rankable;
