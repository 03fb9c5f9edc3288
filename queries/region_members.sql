-- name: region_members
-- The six regions and their member countries (a country may be in several), with names.
-- params: none
WITH
regions AS (SELECT region, iso3 FROM regions),
countries AS (SELECT iso3, name FROM countries),
final AS (
    SELECT regions.region, regions.iso3, countries.name
    FROM regions
    JOIN countries USING (iso3)
)
SELECT * FROM final ORDER BY region, iso3
