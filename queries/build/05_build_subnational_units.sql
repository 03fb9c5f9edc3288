-- name: build_subnational_units
-- US states, Japanese prefectures and Indian states (pre-2014 boundaries) with the "urban
-- population reachable by sites": the summed population of the GeoNames places >= 15,000
-- located in the unit (see build_cities), each district listed beside its city left out (its
-- people are in the city's figure), and how many places were summed and left out.
-- params: none
CREATE TABLE subnational_units AS
WITH
units AS (
    SELECT code_hasc AS unit_code, iso_3166_2, adm0_a3 AS iso3, name, type_en AS unit_type,
           geometry AS geom
    FROM src_admin1
),
reach AS (
    SELECT unit_code,
           coalesce(sum(population) FILTER (WHERE district_of IS NULL), 0) AS urban_population,
           count(*) FILTER (WHERE district_of IS NULL) AS n_cities,
           count(district_of) AS n_districts
    FROM cities
    WHERE unit_code IS NOT NULL
    GROUP BY unit_code
),
final AS (
    -- a unit with no city >= 15,000 (Lakshadweep) truly reaches 0 urban people: not missing
    SELECT units.*, coalesce(reach.urban_population, 0) AS urban_population,
           coalesce(reach.n_cities, 0) AS n_cities, coalesce(reach.n_districts, 0) AS n_districts
    FROM units
    LEFT JOIN reach USING (unit_code)
)
SELECT * FROM final ORDER BY unit_code
