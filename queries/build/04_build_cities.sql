-- name: build_cities
-- GeoNames cities >= 15,000 (US, Japan, India), each located to its country (GeoNames
-- country code) and to a sub-national unit of that country: the unit that contains the point,
-- else the nearest unit within 0.25 degrees (about 25 km; coastal cities such as New York fall
-- just outside the web-simplified coastline). Unlocated cities keep a NULL unit. Each unit's
-- bounding box, grown by 0.25 degrees, pre-filters the pairs: same result, 145 -> 24 ms.
-- params: none
CREATE TABLE cities AS
WITH
cities AS (
    SELECT src_cities.*, ST_Point(longitude, latitude) AS point, countries.iso3
    FROM src_cities
    JOIN countries ON countries.iso2 = src_cities.countrycode
),
units AS (
    SELECT code_hasc AS unit_code, adm0_a3 AS iso3, geometry AS geom,
           ST_XMin(geometry) - 0.25 AS x0, ST_XMax(geometry) + 0.25 AS x1,
           ST_YMin(geometry) - 0.25 AS y0, ST_YMax(geometry) + 0.25 AS y1
    FROM src_admin1
),
candidates AS (
    SELECT cities.geonameid, units.unit_code, ST_Distance(units.geom, cities.point) AS distance
    FROM cities
    JOIN units ON units.iso3 = cities.iso3
        AND cities.longitude BETWEEN units.x0 AND units.x1
        AND cities.latitude BETWEEN units.y0 AND units.y1
        AND ST_DWithin(units.geom, cities.point, 0.25)
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
