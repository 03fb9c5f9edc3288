-- name: build_cities
-- GeoNames cities >= 15,000 (US, Japan, India), each located to its country (GeoNames
-- country code) and to a sub-national unit of that country: the unit that contains the point,
-- else the nearest unit within 0.25 degrees (about 25 km; coastal cities such as New York fall
-- just outside the web-simplified coastline). Unlocated cities keep a NULL unit.
-- params: none
CREATE TABLE cities AS
WITH
cities AS (
    SELECT src_cities.*, ST_Point(longitude, latitude) AS point, countries.iso3
    FROM src_cities
    JOIN countries ON countries.iso2 = src_cities.countrycode
),
units AS (
    SELECT code_hasc AS unit_code, adm0_a3 AS iso3, geometry AS geom FROM src_admin1
),
candidates AS (
    SELECT cities.geonameid, units.unit_code, ST_Distance(units.geom, cities.point) AS distance
    FROM cities
    JOIN units ON units.iso3 = cities.iso3 AND ST_DWithin(units.geom, cities.point, 0.25)
),
nearest AS (
    SELECT geonameid, arg_min(unit_code, distance) AS unit_code, min(distance) AS distance_deg
    FROM candidates
    GROUP BY geonameid
),
final AS (
    SELECT cities.geonameid, cities.name, cities.iso3, nearest.unit_code, nearest.distance_deg,
           cities.population, cities.latitude, cities.longitude
    FROM cities
    LEFT JOIN nearest USING (geonameid)
)
SELECT * FROM final ORDER BY population DESC, geonameid
