-- name: country_shapes
-- Every mapped country or territory with its geometry (WKB, EPSG:4326) and the regions it
-- belongs to (empty list: drawn as context only).
-- params: none
WITH
countries AS (SELECT iso3, ne_code, name, unit_type, geom FROM countries),
memberships AS (
    SELECT iso3, list(region ORDER BY region) AS regions FROM regions GROUP BY iso3
),
final AS (
    SELECT
        countries.iso3,
        countries.ne_code,
        countries.name,
        countries.unit_type,
        coalesce(memberships.regions, []) AS regions,
        ST_AsWKB(countries.geom) AS geometry_wkb
    FROM countries
    LEFT JOIN memberships USING (iso3)
)
SELECT * FROM final ORDER BY iso3
