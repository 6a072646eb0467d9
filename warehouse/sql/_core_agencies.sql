-- Agencies, rebuilt from the alias table on every load: one row per agency_id with every printed name,
-- the longest cleaned name as display name, the region of its latest report and the admin code of the
-- district site it was found on.
DELETE FROM core_agencies;

INSERT INTO core_agencies BY NAME
WITH latest_region AS (
    SELECT r.agency_id, arg_max(d.printed_region, r.report_year) AS region
    FROM core_reports r JOIN raw_documents d USING (sha256)
    WHERE d.printed_region IS NOT NULL
    GROUP BY r.agency_id
),
admin_codes AS (
    SELECT agency_id, arg_max(admin_code, last_fetched_at) AS admin_code
    FROM core_documents WHERE agency_id IS NOT NULL AND admin_code IS NOT NULL
    GROUP BY agency_id
)
SELECT n.agency_id, any_value(n.agency_key) AS agency_key,
       arg_max(n.agency_name, strlen(n.agency_name)) AS agency_name,
       list(DISTINCT n.name_seen ORDER BY n.name_seen) AS names_seen,
       coalesce(any_value(lr.region), arg_max(n.region, strlen(coalesce(n.region, '')))) AS region,
       any_value(a.admin_code) AS admin_code, any_value(n.level) AS level,
       any_value(n.publisher_type) AS publisher_type
FROM core_agency_names n
LEFT JOIN latest_region lr USING (agency_id)
LEFT JOIN admin_codes a USING (agency_id)
-- a name a re-extraction no longer produces leaves no stale agency behind
WHERE n.agency_id IN (SELECT agency_id FROM core_reports
                      UNION SELECT agency_id FROM core_documents WHERE agency_id IS NOT NULL)
GROUP BY n.agency_id;
