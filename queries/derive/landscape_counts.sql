-- name: landscape_counts
-- Run by `make data` (footprint.data.landscape.derive), never by a database build: the trial
-- landscape per ISO3 (ClinicalTrials.gov via AACT, snapshot 2023-10): registered studies
-- (distinct NCT numbers with a location row not removed), the estimate of those registered
-- in the window (NCT number >= $recent_from_nct, the monotone year map's first number of the
-- window: an estimate), the multinational ones (locations in two or more countries) and
-- their share. Names go through _landscape_names (the crosswalk; place_id: one per ISO3, or
-- per name without one); a name with no ISO3 still counts as a country of its study, never
-- as a row.
-- params: $recent_from_nct
WITH
registry AS (SELECT nct_number, country FROM src_aact_countries WHERE NOT removed),
names AS (SELECT registry_name, iso3, place_id FROM _landscape_names),
places AS (SELECT DISTINCT place_id, iso3 FROM names WHERE iso3 IS NOT NULL),
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
        count(*) FILTER (WHERE located.nct_number >= $recent_from_nct) AS studies_recent,
        count(*) FILTER (WHERE per_study.multinational) AS multinational_studies
    FROM located
    JOIN per_study USING (nct_number)
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
