-- name: subnational_units
-- The sub-national units of one country ($iso3: USA, JPN or IND) with the urban population
-- reachable by sites [people] and the number of GeoNames cities >= 15,000 it sums.
-- params: $iso3
WITH
units AS (SELECT * FROM subnational_units WHERE iso3 = $iso3),
final AS (
    SELECT unit_code, iso_3166_2, iso3, name, unit_type, urban_population, n_cities,
           ST_AsWKB(geom) AS geometry_wkb
    FROM units
)
SELECT * FROM final ORDER BY unit_code
