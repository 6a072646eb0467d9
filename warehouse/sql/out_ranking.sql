-- out_ranking: ranks among peers, for the main measures, rank 1 = the highest value. Peers are agencies of
-- the same level (district, department, street …) and year, compared in up to three scopes: 全国 (all of
-- them), the province and the city, the last two only for agencies whose province / city is known (never a
-- group of "region unknown"). Rates whose denominator is below 5 cases are flagged
-- (is_small_denominator) and not ranked: 1 of 1 is not "100 %" in any useful sense. Every rate carries
-- its 95 % Wilson score interval (wilson_low_pct, wilson_high_pct): two agencies whose intervals overlap
-- are not told apart by the data. Reports whose extraction failed are left out (their numbers may be
-- incomplete). n_in_group counts the peers with a report, n_ranked those ranked; rank_note says when a
-- row has no rank or its group ranks fewer than two agencies, so no peer group is silently empty.
CREATE OR REPLACE VIEW out_ranking AS
WITH base AS (
    SELECT agency_id, agency_name, region, province, city, level, report_year, new_received, results_total,
           review_total, litigation_total, disclosure_pct, disclosure_numerator, disclosure_denominator,
           denial_pct, denial_numerator, denial_denominator, review_correction_pct,
           review_correction_numerator, review_correction_denominator, litigation_correction_pct,
           litigation_correction_numerator, litigation_correction_denominator
    FROM out_agency_year WHERE extract_status IN ('ok', 'warning')
),
scoped AS (
    SELECT b.*, s.peer_scope, s.peer_region
    FROM base b, (SELECT unnest([
        {'peer_scope': 'national', 'peer_region': '全国'},
        {'peer_scope': 'province', 'peer_region': b.province},
        {'peer_scope': 'city', 'peer_region': b.city}]) AS s) s(s)
    WHERE s.peer_region IS NOT NULL
),
long AS (
    -- each row unnests into one row per ranked measure
    SELECT agency_id, agency_name, region, province, city, level, report_year, peer_scope, peer_region,
           m.measure, m.value, m.numerator, m.denominator
    FROM (
        SELECT *, unnest([
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
        FROM scoped
    )
),
flagged AS (
    SELECT *,
           coalesce(measure LIKE '%\_pct' ESCAPE '\' AND coalesce(denominator, 0) < 5, false)
               AS is_small_denominator,
           -- Wilson score interval, z = 1.96: centre and half-width of the proportion, in percent
           -- (rounded to 1e-9 and clamped to 0..100: at 0 or n of n the float error would step outside)
           CASE WHEN measure LIKE '%\_pct' ESCAPE '\' AND denominator > 0 THEN greatest(0.0, round(
               100 * ((numerator / denominator + 1.96 ^ 2 / (2 * denominator))
                      - 1.96 * sqrt((numerator / denominator) * (1 - numerator / denominator) / denominator
                                    + 1.96 ^ 2 / (4 * denominator ^ 2)))
                   / (1 + 1.96 ^ 2 / denominator), 9)) END AS wilson_low_pct,
           CASE WHEN measure LIKE '%\_pct' ESCAPE '\' AND denominator > 0 THEN least(100.0, round(
               100 * ((numerator / denominator + 1.96 ^ 2 / (2 * denominator))
                      + 1.96 * sqrt((numerator / denominator) * (1 - numerator / denominator) / denominator
                                    + 1.96 ^ 2 / (4 * denominator ^ 2)))
                   / (1 + 1.96 ^ 2 / denominator), 9)) END AS wilson_high_pct
    FROM long
),
rankable AS (
    SELECT *, value IS NOT NULL AND NOT is_small_denominator AS is_ranked FROM flagged
),
ranked AS (
    SELECT *,
           -- ranked rows sort first, so their ranks are not affected by the unranked ones
           CASE WHEN is_ranked THEN rank() OVER peers END AS rank_in_group,
           count(*) OVER grp AS n_in_group,
           count(*) FILTER (WHERE is_ranked) OVER grp AS n_ranked
    FROM rankable
    WINDOW grp AS (PARTITION BY peer_scope, peer_region, level, report_year, measure),
           peers AS (PARTITION BY peer_scope, peer_region, level, report_year, measure
                     ORDER BY is_ranked DESC, value DESC)
)
SELECT agency_id, agency_name, region, province, city, level, report_year, peer_scope, peer_region, measure,
       value, numerator, denominator, wilson_low_pct, wilson_high_pct, is_small_denominator, is_ranked,
       rank_in_group, n_in_group, n_ranked,
       CASE WHEN value IS NULL THEN 'no value (blank or not printed)'
            WHEN is_small_denominator THEN 'denominator below 5: not ranked'
            WHEN n_ranked < 2 THEN 'only agency ranked in its peer group'
       END AS rank_note
FROM ranked;
