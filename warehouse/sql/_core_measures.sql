-- Measures of the reports listed in _new_reports, from their facts and the measure catalog.
-- Level 1: a measure's printed cell, or (when it is printed blank) the sum of its printed parts (derived).
-- Level 2: derived rows (subtotals, gov2021 其他处理, 行政诉讼) sum level-1 measures unless printed.
-- Blank stays NULL: a sum is only formed when at least one part is printed (schema null_policy).
INSERT INTO core_measures BY NAME
WITH sourced AS (
    SELECT f.report_id, s.measure_code, s.role, f.value
    FROM core_facts f
    JOIN core_measure_sources s USING (table_id, row_code, col_code)
    WHERE f.report_id IN (SELECT report_id FROM _new_reports)
),
level1 AS (
    SELECT report_id, measure_code,
           max(value) FILTER (WHERE role = 'printed') AS printed,
           count(*) FILTER (WHERE role = 'printed') AS n_printed_cells,
           sum(value) FILTER (WHERE role = 'part') AS parts_sum,
           count(value) FILTER (WHERE role = 'part') AS n_parts
    FROM sourced
    GROUP BY report_id, measure_code
),
level1_values AS (
    SELECT report_id, measure_code,
           CASE WHEN printed IS NOT NULL THEN printed WHEN n_parts > 0 THEN parts_sum END AS value,
           CASE WHEN printed IS NOT NULL THEN 'printed' WHEN n_parts > 0 THEN 'derived' ELSE 'blank' END
               AS value_source,
           n_printed_cells
    FROM level1
),
level2 AS (
    SELECT l.report_id, p.measure_code, sum(l.value) AS parts_sum, count(l.value) AS n_parts
    FROM level1_values l
    JOIN core_measure_parts p ON l.measure_code = p.part_measure_code
    GROUP BY l.report_id, p.measure_code
),
derived AS (
    SELECT coalesce(l.report_id, d.report_id) AS report_id,
           coalesce(l.measure_code, d.measure_code) AS measure_code,
           CASE WHEN l.value IS NOT NULL THEN l.value WHEN d.n_parts > 0 THEN d.parts_sum END AS value,
           CASE WHEN l.value IS NOT NULL THEN l.value_source WHEN d.n_parts > 0 THEN 'derived' ELSE 'blank' END
               AS value_source
    FROM (SELECT * FROM level1_values
          WHERE measure_code IN (SELECT measure_code FROM core_measure_parts)) l
    FULL JOIN level2 d ON l.report_id = d.report_id AND l.measure_code = d.measure_code
)
SELECT report_id, measure_code, value, value_source FROM level1_values
WHERE measure_code NOT IN (SELECT measure_code FROM core_measure_parts)
UNION ALL
SELECT report_id, measure_code, value, value_source FROM derived;
