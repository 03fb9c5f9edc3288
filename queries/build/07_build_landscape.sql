-- name: build_landscape
-- The trial landscape per ISO3 (ClinicalTrials.gov via AACT, snapshot 2023-10): registered
-- studies (distinct NCT numbers with a location row not removed), the estimate of those
-- registered in the window (NCT number >= landscape_meta.recent_from_nct, the monotone year
-- map's first number of the window: an estimate), the multinational ones (locations in two
-- or more countries) and their share. Studies are keyed by their NCT number (an integer).
-- Names go through landscape_names; a name with no ISO3 still counts as a country of its
-- study (for the multinational share), never as a row. Empty when the landscape files are
-- missing or malformed (landscape_meta.available is false and says why).
-- params: none
CREATE TABLE landscape AS
WITH
registry AS (
    SELECT CAST(substr(nct_id, 4) AS INTEGER) AS nct_number, country
    FROM src_aact_countries
    WHERE NOT removed AND country IS NOT NULL
),
names AS (SELECT registry_name, iso3 FROM landscape_names),
meta AS (SELECT recent_from_nct FROM landscape_meta),
located AS (
    SELECT DISTINCT
        registry.nct_number,
        coalesce(names.iso3, registry.country) AS place,
        names.iso3 IS NOT NULL AS mapped
    FROM registry
    LEFT JOIN names ON names.registry_name = registry.country
),
per_study AS (
    SELECT nct_number, count(*) >= 2 AS multinational FROM located GROUP BY nct_number
),
per_country AS (
    SELECT
        located.place AS iso3,
        count(*) AS studies,
        count(*) FILTER (WHERE located.nct_number >= meta.recent_from_nct) AS studies_recent,
        count(*) FILTER (WHERE per_study.multinational) AS multinational_studies
    FROM located
    JOIN per_study USING (nct_number)
    CROSS JOIN meta
    WHERE located.mapped
    GROUP BY located.place
),
final AS (
    SELECT
        iso3,
        studies,
        studies_recent,
        multinational_studies,
        multinational_studies / studies AS multinational_share
    FROM per_country
)
SELECT * FROM final ORDER BY iso3
