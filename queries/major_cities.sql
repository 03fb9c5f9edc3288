-- name: major_cities
-- Cities of one country ($iso3) with at least $min_population inhabitants (GeoNames); a
-- district listed beside its city (see build_cities) is not a city of its own.
-- params: $iso3, $min_population
WITH
cities AS (
    SELECT * FROM cities
    WHERE iso3 = $iso3 AND population >= $min_population AND district_of IS NULL
),
final AS (
    SELECT geonameid, name, iso3, unit_code, population, latitude, longitude FROM cities
)
SELECT * FROM final ORDER BY population DESC, geonameid
