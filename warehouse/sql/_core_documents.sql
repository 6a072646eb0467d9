-- Document states, rebuilt on every load: every document in exactly one state.
--  * a document with bytes is its sha256: its extraction status, or not_extracted;
--  * a report link that never produced bytes is one document per URL, in the state of its latest
--    fetch attempt (blocked, robots_skipped, gone, not_found, off_allowlist; a failed fetch is fetch_failed).
-- Agency and year come from the report when it was extracted, else are guessed from the link title.
DELETE FROM core_documents;

INSERT INTO core_documents BY NAME
WITH candidates AS (
    SELECT * FROM raw_fetch_manifest WHERE kind = 'report'
),
by_sha AS (
    SELECT sha256,
           arg_min(url, fetched_at) AS url, arg_min(site, fetched_at) AS site,
           arg_min(district, fetched_at) AS district, arg_min(admin_code, fetched_at) AS admin_code,
           arg_min(link_title, fetched_at) AS link_title, min(link_date) AS link_date,
           arg_max(media_type, fetched_at) AS media_type, arg_max(fetch_state, fetched_at) AS fetch_state,
           min(fetched_at) AS first_fetched_at, max(fetched_at) AS last_fetched_at
    FROM candidates WHERE sha256 IS NOT NULL
    GROUP BY sha256
),
never_fetched AS (
    SELECT url, arg_max(site, fetched_at) AS site, arg_max(district, fetched_at) AS district,
           arg_max(admin_code, fetched_at) AS admin_code, arg_max(link_title, fetched_at) AS link_title,
           max(link_date) AS link_date, arg_max(fetch_state, fetched_at) AS fetch_state,
           min(fetched_at) AS first_fetched_at, max(fetched_at) AS last_fetched_at
    FROM candidates
    GROUP BY url
    HAVING count(sha256) = 0
),
guesses AS (
    SELECT g.link_title, g.district, g.report_year, n.agency_id
    FROM _title_guesses g
    JOIN core_agency_names n ON n.name_seen = g.name_seen AND n.region IS NULL
                             AND n.admin_code IS NOT DISTINCT FROM g.admin_code
),
with_bytes AS (
    SELECT coalesce(d.sha256, m.sha256) AS sha256, m.url, m.site, m.district, m.admin_code, m.link_title,
           m.link_date, coalesce(d.media_type, m.media_type) AS media_type,
           coalesce(d.extract_status, 'not_extracted') AS document_state, m.fetch_state,
           m.first_fetched_at, m.last_fetched_at
    FROM raw_documents d
    FULL JOIN by_sha m ON d.sha256 = m.sha256
)
SELECT b.sha256 AS document_id, b.sha256, b.url, b.site, b.district, b.admin_code, b.link_title, b.link_date,
       b.media_type, b.document_state, b.fetch_state,
       coalesce(r.agency_id, g.agency_id) AS agency_id,
       coalesce(r.report_year, g.report_year) AS report_year,
       CASE WHEN r.agency_id IS NOT NULL THEN 'report' WHEN g.agency_id IS NOT NULL THEN 'link_title' END
           AS agency_from,
       r.report_id, r.is_current AS is_current_version, b.first_fetched_at, b.last_fetched_at
FROM with_bytes b
LEFT JOIN core_reports r ON r.sha256 = b.sha256
LEFT JOIN guesses g ON r.report_id IS NULL AND g.link_title = b.link_title
                   AND g.district IS NOT DISTINCT FROM b.district
UNION ALL
SELECT 'url:' || left(md5(n.url), 16), NULL, n.url, n.site, n.district, n.admin_code, n.link_title, n.link_date,
       NULL, CASE WHEN n.fetch_state = 'failed' THEN 'fetch_failed' ELSE n.fetch_state END, n.fetch_state,
       g.agency_id, g.report_year, CASE WHEN g.agency_id IS NOT NULL THEN 'link_title' END,
       NULL, NULL, n.first_fetched_at, n.last_fetched_at
FROM never_fetched n
LEFT JOIN guesses g ON g.link_title = n.link_title AND g.district IS NOT DISTINCT FROM n.district;
