-- out_agency_year: one row per agency and year (current version of the report), with every measure of
-- core_measure_catalog as a column (counts are integers; money in 万元 is DOUBLE). A blank printed cell is
-- NULL, never 0; how each value was obtained (printed | blank | derived from printed parts) is in the
-- companion view out_agency_year_sources, one <measure>_source column per measure. gov2019-only /
-- gov2021-only measures are NULL in the other version — check format_version before comparing them
-- (core_measure_catalog.is_comparable_across_versions). Every rate (…_pct, in percent, full precision)
-- comes with its …_numerator and …_denominator and is NULL when the denominator is 0 or NULL.
CREATE OR REPLACE VIEW out_agency_year AS
WITH base AS (
    SELECT a.agency_id, a.agency_name, a.region, a.province, a.city, a.level, r.report_year, r.report_id,
           r.sha256, r.extract_status, r.format_version, r.version_no, r.n_versions, r.published_date,
           {{measure_columns}},
           m.review_maintained + m.review_corrected + m.review_other AS review_concluded,
           m.litigation_maintained + m.litigation_corrected + m.litigation_other AS litigation_concluded
    FROM core_reports r
    JOIN core_agencies a USING (agency_id)
    JOIN core_report_measures m USING (report_id)
    WHERE r.is_current
),
rates AS (
    SELECT *,
           CASE WHEN granted IS NULL AND partially_granted IS NULL THEN NULL
                ELSE coalesce(granted, 0) + coalesce(partially_granted, 0) END AS disclosure_numerator,
           results_total AS disclosure_denominator,
           granted AS grant_numerator, results_total AS grant_denominator,
           denied_subtotal AS denial_numerator, results_total AS denial_denominator,
           unable_subtotal AS unable_numerator, results_total AS unable_denominator,
           new_received_natural_person AS natural_person_numerator, new_received AS natural_person_denominator,
           review_corrected AS review_correction_numerator, review_concluded AS review_correction_denominator,
           litigation_corrected AS litigation_correction_numerator,
           litigation_concluded AS litigation_correction_denominator
    FROM base
)
SELECT *,
       CASE WHEN disclosure_denominator > 0 THEN 100.0 * disclosure_numerator / disclosure_denominator END
           AS disclosure_pct,
       CASE WHEN grant_denominator > 0 THEN 100.0 * grant_numerator / grant_denominator END AS grant_pct,
       CASE WHEN denial_denominator > 0 THEN 100.0 * denial_numerator / denial_denominator END AS denial_pct,
       CASE WHEN unable_denominator > 0 THEN 100.0 * unable_numerator / unable_denominator END AS unable_pct,
       CASE WHEN natural_person_denominator > 0
            THEN 100.0 * natural_person_numerator / natural_person_denominator END AS natural_person_pct,
       CASE WHEN review_correction_denominator > 0
            THEN 100.0 * review_correction_numerator / review_correction_denominator END AS review_correction_pct,
       CASE WHEN litigation_correction_denominator > 0
            THEN 100.0 * litigation_correction_numerator / litigation_correction_denominator END
           AS litigation_correction_pct
FROM rates;
