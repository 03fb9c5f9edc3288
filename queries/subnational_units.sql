-- name: subnational_units
-- The sub-national units of one country ($iso3: USA, JPN or IND) with the urban population
-- reachable by sites [people], the number of GeoNames places >= 15,000 it sums and the number
-- of districts listed beside their city it leaves out (see build_cities).
-- params: $iso3
WITH
units AS (SELECT * FROM subnational_units WHERE iso3 = $iso3),
final AS (
    SELECT unit_code, iso_3166_2, iso3, name, unit_type, urban_population, n_cities,
           n_districts, ST_AsWKB(geom) AS geometry_wkb
    FROM units
)
SELECT * FROM final ORDER BY unit_code
