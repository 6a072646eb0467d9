-- Agencies, rebuilt from the alias table on every load: one row per agency_id with every printed name,
-- the longest cleaned name as display name, the region of its latest report, the registry district and
-- admin code it belongs to, its province and city (peer groups of out_ranking), and the first year it is
-- known to have published for (a report, or a report link guessed from its title). The government of every
-- registry district the crawler tried is an agency even when nothing of it was found (_registry_agencies);
-- with no year seen, it is expected from the first year of the 2019 format (agencies.yaml registry_first_year).
DELETE FROM core_agencies;

INSERT INTO core_agencies BY NAME
WITH latest_region AS (
    SELECT r.agency_id, arg_max(d.printed_region, r.report_year) AS region
    FROM core_reports r JOIN raw_documents d USING (sha256)
    WHERE d.printed_region IS NOT NULL
    GROUP BY r.agency_id
),
printed AS (
    SELECT printed_agency AS name FROM raw_documents WHERE printed_agency IS NOT NULL
    UNION SELECT name_seen FROM _title_guesses
),
years AS (
    SELECT agency_id, min(report_year) AS first_report_year FROM (
        SELECT agency_id, report_year FROM core_reports
        UNION ALL SELECT agency_id, report_year FROM core_documents WHERE agency_id IS NOT NULL
    ) WHERE report_year > 2018 GROUP BY agency_id
)
SELECT n.agency_id, any_value(n.agency_key) AS agency_key,
       -- a printed name wins over the registry's "<district>人民政府"; the latter names a body never found
       coalesce(arg_max(n.agency_name, strlen(n.agency_name)) FILTER (WHERE p.name IS NOT NULL),
                arg_max(n.agency_name, strlen(n.agency_name))) AS agency_name,
       coalesce(list(DISTINCT n.name_seen ORDER BY n.name_seen) FILTER (WHERE p.name IS NOT NULL), [])
           AS names_seen,
       coalesce(any_value(lr.region), arg_max(n.region, strlen(coalesce(n.region, '')))) AS region,
       arg_max(n.province, n.province IS NOT NULL) AS province, arg_max(n.city, n.city IS NOT NULL) AS city,
       arg_max(n.district, n.district IS NOT NULL) AS district,
       arg_max(n.admin_code, n.admin_code IS NOT NULL) AS admin_code, any_value(n.level) AS level,
       any_value(n.publisher_type) AS publisher_type,
       coalesce(any_value(y.first_report_year), {{registry_first_year}}) AS first_report_year
FROM core_agency_names n
LEFT JOIN printed p ON p.name = n.name_seen
LEFT JOIN latest_region lr USING (agency_id)
LEFT JOIN years y USING (agency_id)
-- a name a re-extraction no longer produces leaves no stale agency behind
WHERE n.agency_id IN (SELECT agency_id FROM core_reports
                      UNION SELECT agency_id FROM core_documents WHERE agency_id IS NOT NULL
                      UNION SELECT agency_id FROM _registry_agencies)
GROUP BY n.agency_id;
