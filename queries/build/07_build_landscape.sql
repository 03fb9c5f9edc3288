-- name: build_landscape
-- The trial landscape per ISO3 (ClinicalTrials.gov via AACT, snapshot 2023-10): registered
-- studies (distinct NCT numbers with a location row not removed), the estimate of those
-- registered in the window (NCT number >= landscape_meta.recent_from_nct, the monotone year
-- map's first number of the window: an estimate), the multinational ones (locations in two
-- or more countries) and their share.
-- Names go through landscape_names (place_id: one per ISO3, or per name without one); a name
-- with no ISO3 still counts as a country of its study, never as a row. Empty when the
-- landscape files are missing or malformed (landscape_meta.available is false and says why).
-- params: none
CREATE TABLE landscape AS
WITH
registry AS (SELECT nct_number, country FROM src_aact_countries WHERE NOT removed),
names AS (SELECT registry_name, iso3, place_id FROM landscape_names),
places AS (SELECT DISTINCT place_id, iso3 FROM names WHERE iso3 IS NOT NULL),
meta AS (SELECT recent_from_nct FROM landscape_meta),
located AS (
    SELECT DISTINCT registry.nct_number, names.place_id
    FROM registry
    JOIN names ON names.registry_name = registry.country
),
per_study AS (
    SELECT nct_number, count(*) >= 2 AS multinational FROM located GROUP BY nct_number
),
per_place AS (
    SELECT
        located.place_id,
        count(*) AS studies,
        count(*) FILTER (WHERE located.nct_number >= meta.recent_from_nct) AS studies_recent,
        count(*) FILTER (WHERE per_study.multinational) AS multinational_studies
    FROM located
    JOIN per_study USING (nct_number)
    CROSS JOIN meta
    GROUP BY located.place_id
),
final AS (
    SELECT
        places.iso3,
        per_place.studies,
        per_place.studies_recent,
        per_place.multinational_studies,
        per_place.multinational_studies / per_place.studies AS multinational_share
    FROM per_place
    JOIN places USING (place_id)
)
SELECT * FROM final ORDER BY iso3
