-- name: build_countries
-- Every Natural Earth admin-0 unit, keyed by ISO 3166-1 alpha-3 after the crosswalk
-- (NE's ADM0_A3 is the join key: its ISO_A3 is -99 for France, Norway and Kosovo).
-- Units with no ISO code (N. Cyprus, Somaliland, ...) keep their NE code and have no data.
-- params: none
CREATE TABLE countries AS
WITH
admin0 AS (SELECT * FROM src_admin0),
crosswalk AS (SELECT source_code, iso3 FROM src_code_crosswalk WHERE source = 'natural_earth'),
final AS (
    SELECT
        coalesce(crosswalk.iso3, admin0.ADM0_A3) AS iso3,
        admin0.ADM0_A3 AS ne_code,
        admin0.ISO_A2 AS iso2,
        admin0.NAME AS name,
        admin0.NAME_LONG AS name_long,
        admin0.TYPE AS unit_type,
        admin0.SOVEREIGNT AS sovereign,
        admin0.CONTINENT AS continent,
        admin0.SUBREGION AS subregion,
        admin0.geometry AS geom
    FROM admin0
    LEFT JOIN crosswalk ON crosswalk.source_code = admin0.ADM0_A3
)
SELECT * FROM final ORDER BY iso3
